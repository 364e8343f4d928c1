-- The grader's user-space fixture: a program run in the lab VM.  Its
-- submissions misbehave the ways student programs do (loop, fork without
-- end, flood the output, crash the kernel) to test the grader, not the
-- students.
return {
  id = "hello-user",
  number = 2,
  title = "Counting in user space",
  text = { en = "en.md" },
  exercise = {
    id = "count",
    kind = "user",
    files = { "count.c" },
    title = "Count to N",
    hints = { "Read N from argv[1] with strtol()." , "Print each number on its own line." },
    checks = {
      { name = "builds", points = 1, timeout = 60, title = "builds without warnings",
        run = function(t) t:build{ werror = true } end },
      { name = "counts", points = 2, timeout = 20, title = "counts to 5",
        run = function(t)
          local r = t:exec("5", { timeout = 10 })
          t:eq(r.status, 0, "exit status")
          t:eq(r.out, "1\n2\n3\n4\n5\n", "output")
        end },
      { name = "vm-alive", points = 1, timeout = 20, title = "leaves the lab VM usable",
        run = function(t)
          t:eq(t:run("echo alive").out, "alive\n", "a command after the program")
        end },
    },
  },
}
