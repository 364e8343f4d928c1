-- A check a course keeps out of the students' copy (a second lesson root):
-- with ADDRLAB_LESSONS=tests/grade/lessons:tests/grade/private it is added
-- to the fixture's hello lesson, and only the grader runs it.
return {
  extends = "hello",
  checks = {
    { name = "greets-anyone", points = 2, timeout = 30, visibility = "hidden",
      title = "greets a name the students never saw",
      run = function(t)
        t:insmod("who=staff")
        t:match(t:dmesg(), "hello, staff", "kernel messages")
      end },
  },
}
