-- Lesson @ID@, written by `addrlab-grade new lesson` as a start that works:
-- `addrlab-grade lint` passes it as it is, with the exercise that
-- `addrlab-grade new exercise @EXERCISE@` writes.  Its exercise is a
-- module that greets a name it is given; make it yours by replacing every
-- part marked FILL IN, here, in en.md and ko.md, and in exercises/@EXERCISE@/.
-- The manual is lessons/README.md in addrlab's source.  Test as you go:
--
--   ADDRLAB_LESSONS=lessons ADDRLAB_EXERCISES=exercises addrlab-grade lint -v @ID@
--
-- (add addrlab's own roots before yours, joined with ':', to keep its
-- chapters beside your own).
return {
  id = "@ID@",
  number = @NUMBER@,  -- FILL IN: where the chapter sits in the list (1 to 99)
  title = { en = "Module parameters", ko = "모듈 매개변수" },  -- FILL IN
  text = { en = "en.md", ko = "ko.md" },

  -- FILL IN: a chapter module (kmod/NAME.c) loaded for the views and
  -- quizzes, if the lesson has one:  module = "NAME",

  -- Commands run in the lab VM, shown beside the text.  FILL IN.
  views = {
    { id = "log", title = { en = "The kernel log, from boot", ko = "부팅 때부터의 커널 로그" },
      run = "dmesg | head -n 20", highlight = "Linux version" },
  },

  -- FILL IN.  An answer may also be function(vm) computing it in the live VM.
  quizzes = {
    { id = "where", kind = "choice",
      question = { en = "Where does pr_info() write its message?",
                   ko = "pr_info()는 메시지를 어디에 씁니까?" },
      choices = {
        { en = "The kernel log, which dmesg reads", ko = "dmesg가 읽는 커널 로그" },
        { en = "The terminal that ran insmod", ko = "insmod를 실행한 터미널" },
      },
      answer = 1,
      explain = { en = "printk and pr_info() write to the kernel's ring buffer.",
                  ko = "printk와 pr_info()는 커널 링 버퍼에 씁니다." } },
  },

  exercise = {
    id = "@EXERCISE@",
    kind = "module",            -- or "user": a static program run in the VM
    files = { "@CNAME@.c" },    -- what the student edits
    title = { en = "A module that greets", ko = "인사하는 모듈" },  -- FILL IN
    -- One hint per STEP of the reference solution, in order.  FILL IN.
    hints = {
      { en = "Declare a charp variable and pass it to module_param() with mode 0444.",
        ko = "charp 변수를 선언하고 module_param()에 권한 0444로 넘기세요." },
      { en = "Greet with pr_info(\"hello, %s\\n\", who).",
        ko = "pr_info(\"hello, %s\\n\", who)로 인사하세요." },
    },
    -- Checks judge behaviour, never the reference's shape: every correct
    -- way to write the exercise must pass (exercises/@EXERCISE@/alternatives
    -- shows lint that it does), and every mutant must fail the check it
    -- names.  A check may be visibility = "after_due_date" or "hidden";
    -- checks students must not even read go in a second lesson root
    -- (lessons/README.md, "Hidden checks and lesson roots").  FILL IN.
    checks = {
      addrlab.builds(),
      addrlab.sparse(),
      { name = "greets", points = 2, timeout = 30,
        title = { en = "greets who it is told to", ko = "지정한 이름에게 인사한다" },
        run = function(t)
          t:insmod("who=grader")
          t:match(t:dmesg(), "hello, grader", "kernel messages after insmod who=grader")
        end },
      { name = "unloads", points = 1, timeout = 30,
        title = { en = "says goodbye when unloaded", ko = "내릴 때 작별 인사를 한다" },
        run = function(t)
          t:insmod()
          t:rmmod()
          t:match(t:dmesg(), "goodbye", "kernel messages after rmmod")
          t:eq(t:run("grep -c '^@CNAME@ ' /proc/modules").out, "0\n",
            "@CNAME@ lines in /proc/modules after rmmod")
        end },
    },
  },
}
