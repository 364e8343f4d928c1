-- A tiny lesson for the grader's own tests: one module exercise whose
-- checks use the whole check API path (build, sparse, insmod, dmesg, rmmod).
return {
  id = "hello",
  number = 1,
  title = { en = "Hello, module", ko = "안녕, 모듈" },
  text = { en = "en.md" },
  exercise = {
    id = "hello",
    kind = "module",
    files = { "hello.c" },
    title = { en = "A module that greets", ko = "인사하는 모듈" },
    hints = { "Print with pr_info().", { en = "Take the name as a module parameter.", ko = "이름은 모듈 매개변수로 받으세요." } },
    checks = {
      { name = "builds", points = 1, timeout = 60,
        title = { en = "builds without warnings", ko = "경고 없이 빌드된다" },
        run = function(t) t:build{ werror = true } end },
      { name = "sparse", points = 1, timeout = 60,
        title = "sparse finds nothing",
        run = function(t) t:sparse() end },
      { name = "greets", points = 2, timeout = 30,
        title = "greets who it is told to",
        run = function(t)
          t:insmod("who=grader")
          t:match(t:dmesg(), "hello, grader", "kernel messages")
        end },
      { name = "unloads", points = 1, timeout = 30,
        title = "says goodbye when unloaded",
        run = function(t)
          t:insmod()
          t:rmmod()
          local lines = t:dmesg()
          t:match(lines, "goodbye", "kernel messages")
          t:eq(t:run("grep -c '^hello ' /proc/modules").out, "0\n", "modules still loaded")
        end },
    },
  },
}
