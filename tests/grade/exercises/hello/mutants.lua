-- Known-bad variants of the reference: each must be rejected by its check.
return {
  { name = "no-greeting", check = "greets", file = "hello.c",
    from = '\tpr_info("hello, %s\\n", who);\n', to = "",
    why = "prints nothing when loaded" },
  { name = "no-goodbye", check = "unloads", file = "hello.c",
    from = 'pr_info("goodbye\\n");', to = ";",
    why = "says nothing when unloaded" },
  { name = "unused-variable", check = "builds", file = "hello.c",
    from = "\treturn 0;\n}", to = "\tint unused;\n\n\treturn 0;\n}",
    why = "builds with a warning" },
}
