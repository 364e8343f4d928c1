-- Exercise @EXERCISE@: the classes of bug a strong reviewer looks for, then
-- known-bad variants of the reference (solution/@CNAME@.c), one class each.
-- Each replaces text that occurs exactly once in the reference, and the
-- check it names must fail on it.  Every class needs a mutant, and an
-- exercise at least eight.  FILL IN: the mistakes students really make in
-- your exercise (lessons/README.md, "Mutants").
return {
  classes = {
    { id = "output", what = "the greeting is missing or ignores the parameter" },
    { id = "unload", what = "the module cannot be unloaded, or says nothing when it is" },
    { id = "init", what = "init fails, so nothing is loaded" },
    { id = "warnings", what = "the module builds with a compiler warning" },
    { id = "sparse", what = "sparse finds something" },
    { id = "license", what = "no MODULE_LICENSE: modpost refuses the module" },
  },
  { name = "no-greeting", class = "output", check = "greets", file = "@CNAME@.c",
    from = '\tpr_info("hello, %s\\n", who);\n', to = "",
    why = "prints nothing when loaded" },
  { name = "ignores-who", class = "output", check = "greets", file = "@CNAME@.c",
    from = 'pr_info("hello, %s\\n", who);', to = 'pr_info("hello, %s\\n", "world");',
    why = "greets the world, whatever it is told" },
  { name = "no-goodbye", class = "unload", check = "unloads", file = "@CNAME@.c",
    from = 'pr_info("goodbye\\n");', to = ";",
    why = "says nothing when unloaded" },
  { name = "no-exit", class = "unload", check = "unloads", file = "@CNAME@.c",
    from = "module_exit(@CNAME@_exit);\n", to = "",
    why = "no exit function: the kernel refuses to unload the module" },
  { name = "init-fails", class = "init", check = "greets", file = "@CNAME@.c",
    from = "\treturn 0;\n}", to = "\treturn -ENODEV;\n}",
    why = "init returns an error: insmod fails" },
  { name = "unused-variable", class = "warnings", check = "builds", file = "@CNAME@.c",
    from = '\tpr_info("hello, %s\\n", who);',
    to = '\tint unused;\n\n\tpr_info("hello, %s\\n", who);',
    why = "builds with a warning" },
  { name = "not-static", class = "sparse", check = "sparse", file = "@CNAME@.c",
    from = 'static char *who = "world";\nmodule_param', to = 'char *who = "world";\nmodule_param',
    why = "a global that is not static: sparse asks whether it should be" },
  { name = "no-license", class = "license", check = "builds", file = "@CNAME@.c",
    from = 'MODULE_LICENSE("GPL");\n', to = "",
    why = "no licence: modpost refuses to build the module" },
}
