-- A fixture of the grader's tests: the check API's source and trace
-- methods, on the hello exercise's submissions.
return {
  id = "api",
  number = 1,
  title = "The check API",
  text = { en = "en.md" },
  exercise = {
    id = "hello",
    kind = "module",
    files = { "hello.c" },
    title = "A module that greets",
    hints = { "Print with pr_info().", "Take the name as a module parameter." },
    checks = {
      { name = "source", points = 1,
        run = function(t)
          local src = t:source("hello.c")
          t:match(src, 'MODULE_LICENSE%("GPL"%)', "hello.c")
          t:expect(not src:find("MODULE_AUTHOR", 1, true), "no MODULE_AUTHOR in hello.c")
        end },
      { name = "source-not-ours", points = 1,
        run = function(t) t:source("../lesson.lua") end },
      { name = "traced", points = 1,
        run = function(t)
          t:trace("pci_cfg_write", "pci_cfg_read")
          t:run("setpci -s 00:02.0 LATENCY_TIMER=20; setpci -s 00:02.0 LATENCY_TIMER")
          -- edu's latency timer is read-only: the write is seen, the read gives 0.
          t:eq(t:traces():gsub("pci_cfg_read[^\n]*\n", ""),
               "pci_cfg_write edu 00:02.0 @0xd <- 0x20\n", "config writes traced")
          t:match(t:traces(), "pci_cfg_read edu 00:02.0 @0xd %-> 0x0\n", "config reads traced")
        end },
      { name = "untraced-after", points = 1,
        run = function(t)
          t:run("setpci -s 00:02.0 LATENCY_TIMER=10")
          t:expect(not t:qemu_log():find("@0xd <- 0x10", 1, true),
                   "a config write was traced after the check that traced ended")
        end },
      { name = "no-such-event", points = 1,
        run = function(t) t:trace("no_such_event_here") end },
    },
  },
}
