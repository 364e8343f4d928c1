-- Chapter 5: driver pages mapped into a process at fault time ("nopage", now ->fault).

-- Runs fault-touch on the exercise's device; returns { out, status }.  In
-- the background, polled: a process stuck in the kernel after an oops must
-- not hold the check (the command ends, and the grader reports the oops).
local function touch(t, args)
  local r = t:run("(fault-touch --dev /dev/nopage " .. args .. "; echo \"exit=$?\") > /tmp/ft.out 2>&1 &\n"
    .. "for i in $(seq 150); do grep -q '^exit=' /tmp/ft.out && break; sleep 0.1; done\n"
    .. "cat /tmp/ft.out", { timeout = 30 })
  local out, status = r.out:match("^(.*)exit=(%d+)\n$")
  if not status then
    t:fail("fault-touch " .. args .. " did not finish within 15 s; it printed: " .. r.out)
  end
  return { out = out, status = tonumber(status) }
end

-- The pages fault-touch printed: { { idx, pfn, faults, text }, ... } in order.
local function touched(out)
  local pages = {}
  for idx, pfn, faults, text in out:gmatch('page (%d+) pfn=0x(%x+) faults=(%S+) %a+="([^"\n]*)"') do
    pages[#pages + 1] = { idx = tonumber(idx), pfn = tonumber(pfn, 16),
                          faults = faults, text = text }
  end
  return pages
end

local function kernel_text(k)
  return "nopage: page " .. k .. " written by the kernel"
end

-- Nothing alarming in the kernel log since the check began.
local function clean_dmesg(t, when)
  local line = addrlab.complaint(t)
  if line then
    t:fail(string.format("the kernel complained %s: %s", when, line))
  end
end

return {
  id = "ch5",
  number = 5,
  title = { en = "Mapping driver pages at fault time", ko = "폴트 시점에 드라이버 페이지 매핑하기" },
  text = { en = "en.md", ko = "ko.md" },
  module = "fault_pages",

  views = {
    { id = "touch",
      title = { en = "Touch pages 0, 2, 5, then again", ko = "0, 2, 5번 페이지를 두 번씩 건드리기" },
      run = "echo 1 > /sys/kernel/debug/fault_pages/reset; fault-touch 0 2 5 0 2 5",
      highlight = "faults after: %d+" },
    { id = "pages",
      title = { en = "The module's pages, seen by the kernel", ko = "커널이 보는 모듈의 페이지" },
      run = "cat /sys/kernel/debug/fault_pages/pages",
      highlight = "pfn=0x%x+ count=%d+" },
    { id = "held",
      title = { en = "Reference counts while a process maps pages 1 and 6",
                ko = "프로세스가 1, 6번 페이지를 매핑하고 있을 때의 참조 카운트" },
      run = "fault-touch --hold 1 6 >/dev/null & sleep 1; "
         .. "cat /sys/kernel/debug/fault_pages/pages; kill $!; wait 2>/dev/null; true",
      highlight = "count=2 mapcount=1" },
    { id = "smaps",
      title = { en = "The mapping in /proc/PID/smaps after touching 2 of 8 pages",
                ko = "8개 중 2개를 건드린 뒤 /proc/PID/smaps에 보이는 매핑" },
      run = "fault-touch --hold 2 5 >/dev/null & sleep 1; "
         .. "sed -n '/fault_pages/,/VmFlags/p' /proc/$!/smaps | grep -e fault_pages -e '^Size' -e '^Rss' -e VmFlags; "
         .. "kill $!; wait 2>/dev/null; true",
      highlight = "Rss: +%d+ kB" },
    { id = "write-back",
      title = { en = "A process writes page 3; the kernel reads it", ko = "프로세스가 3번 페이지에 쓰고, 커널이 읽기" },
      run = "fault-touch --write 3 'hello from user space'; grep '^3 ' /sys/kernel/debug/fault_pages/pages",
      highlight = "hello from user space" },
    { id = "past-end",
      title = { en = "Touching one page past the end", ko = "끝을 한 페이지 넘어서 건드리기" },
      run = "fault-touch --past-end",
      highlight = "SIGBUS at page %d+" },
  },

  quizzes = {
    { id = "faults-grow", kind = "number",
      question = {
        en = "A process maps /dev/fault_pages and touches pages 1, 3, 3, 7, 1 in this order. By how much does the module's fault counter grow?",
        ko = "한 프로세스가 /dev/fault_pages를 매핑하고 1, 3, 3, 7, 1번 페이지를 차례로 건드립니다. 모듈의 폴트 카운터는 얼마나 늘어날까요?" },
      answer = function(vm)
        local out = vm:run("fault-touch 1 3 3 7 1").out
        local before = tonumber(out:match("faults before: (%d+)"))
        local after = tonumber(out:match("faults after: (%d+)"))
        return after - before
      end,
      explain = {
        en = "One fault per distinct page: after the first touch the page table entry exists, and the CPU never asks the kernel again for that page in this mapping. (Measured just now in the lab VM.)",
        ko = "서로 다른 페이지마다 폴트가 한 번씩입니다. 처음 건드릴 때 페이지 테이블 엔트리가 생기고, 그 뒤로 같은 매핑의 같은 페이지는 CPU가 커널에 다시 묻지 않습니다. (방금 랩 VM에서 잰 값입니다.)" } },
    { id = "pfn-of-page-2", kind = "text",
      question = {
        en = "In this lab VM, which page frame number (pfn, in hex like 0xf8e2) holds page 2 of /dev/fault_pages?",
        ko = "지금 이 랩 VM에서 /dev/fault_pages의 2번 페이지는 어느 페이지 프레임 번호(pfn)에 있나요? (0xf8e2처럼 16진수로)" },
      answer = function(vm)
        return vm:run("cat /sys/kernel/debug/fault_pages/pages").out:match("\n2 pfn=(0x%x+)")
      end,
      explain = {
        en = "Read it in the pages view (or from fault-touch, which asks /proc/self/pagemap). The module allocated the page with alloc_page(); any free frame will do, so the number changes from boot to boot.",
        ko = "pages 뷰에서 읽을 수 있습니다(/proc/self/pagemap을 읽는 fault-touch의 출력에도 나옵니다). 모듈이 alloc_page()로 아무 빈 프레임이나 받아 왔기 때문에 부팅할 때마다 값이 달라집니다." } },
    { id = "count-held", kind = "number",
      question = {
        en = "While a process maps page 6 (fault-touch --hold 6), what does page_count() of that page say?",
        ko = "어떤 프로세스가 6번 페이지를 매핑하고 있는 동안(fault-touch --hold 6) 그 페이지의 page_count()는 얼마일까요?" },
      answer = function(vm)
        local out = vm:run("fault-touch --hold 6 >/dev/null & sleep 1; "
          .. "cat /sys/kernel/debug/fault_pages/pages; kill $!; wait 2>/dev/null; true").out
        return tonumber(out:match("\n6 pfn=0x%x+ count=(%d+)"))
      end,
      explain = {
        en = "Two: one reference is the module's own (from alloc_page), the other belongs to the page table entry, taken by get_page() in the fault handler and dropped by the kernel when the process unmaps the page.",
        ko = "2입니다. 하나는 모듈 자신의 참조(alloc_page)이고, 다른 하나는 페이지 테이블 엔트리의 몫입니다. 폴트 핸들러가 get_page()로 올려 두고, 프로세스가 매핑을 풀 때 커널이 내립니다." } },
    { id = "past-end", kind = "choice",
      question = {
        en = "The mapping is longer than the driver's pages and the process touches a page past the end. What should ->fault return?",
        ko = "매핑이 드라이버의 페이지 수보다 길고, 프로세스가 끝을 넘은 페이지를 건드렸습니다. ->fault는 무엇을 돌려줘야 할까요?" },
      choices = {
        { en = "0, leaving vmf->page NULL", ko = "0 (vmf->page는 NULL인 채로)" },
        "VM_FAULT_SIGBUS",
        "-EFAULT",
        { en = "0 with page 0 in vmf->page, so the process does not crash", ko = "0, 그리고 vmf->page에 0번 페이지 (프로세스가 죽지 않도록)" },
      },
      answer = 2,
      explain = {
        en = "VM_FAULT_SIGBUS: the process gets SIGBUS, just as when it touches a mapped file past its end. A ->fault handler returns vm_fault_t codes, never -errno; returning 0 without a page makes the kernel dereference a NULL page; handing out another page silently corrupts the process's view.",
        ko = "VM_FAULT_SIGBUS입니다. 매핑한 파일의 끝을 넘어 건드렸을 때처럼 프로세스가 SIGBUS를 받습니다. ->fault는 -errno가 아니라 vm_fault_t 코드를 돌려줍니다. 페이지 없이 0을 돌려주면 커널이 NULL 페이지를 역참조하고, 엉뚱한 페이지를 주면 프로세스가 잘못된 데이터를 조용히 보게 됩니다." } },
    { id = "why-fault", kind = "choice",
      question = {
        en = "Why does a driver that shares pages it got from alloc_page() map them from a ->fault handler rather than with remap_pfn_range() in mmap()?",
        ko = "alloc_page()로 받은 페이지를 공유하는 드라이버가 mmap()에서 remap_pfn_range()를 쓰지 않고 ->fault 핸들러로 매핑하는 까닭은 무엇일까요?" },
      choices = {
        { en = "remap_pfn_range() cannot map RAM at all", ko = "remap_pfn_range()는 RAM을 아예 매핑할 수 없어서" },
        { en = "The pages stay ordinary refcounted pages: each mapping holds a reference, the pages need not be contiguous, and untouched pages are never mapped",
          ko = "페이지가 참조 카운트를 가진 보통 페이지로 남기 때문에: 매핑마다 참조를 잡고, 페이지가 연속일 필요가 없으며, 건드리지 않은 페이지는 매핑되지 않는다" },
        { en = "A fault handler maps the whole buffer faster, in one call", ko = "폴트 핸들러가 버퍼 전체를 한 번에 더 빨리 매핑해서" },
        { en = "remap_pfn_range() was removed with ->nopage", ko = "remap_pfn_range()는 ->nopage와 함께 사라져서" },
      },
      answer = 2,
      explain = {
        en = "remap_pfn_range() makes a VM_PFNMAP mapping: the kernel treats it as 'no struct page here', which is right for device memory (chapter 4) but throws away the page bookkeeping RAM has. remap_pfn_range() is still there; remap_page_range() and ->nopage are what went away.",
        ko = "remap_pfn_range()는 VM_PFNMAP 매핑을 만듭니다. 커널은 그곳을 'struct page가 없는 곳'으로 취급하는데, 디바이스 메모리(4장)에는 맞지만 RAM이 가진 페이지 관리 정보를 버리는 셈입니다. remap_pfn_range()는 지금도 있습니다. 사라진 것은 remap_page_range()와 ->nopage입니다." } },
  },

  exercise = {
    id = "nopage",
    kind = "module",
    title = { en = "/dev/nopage: share driver pages through a fault handler",
              ko = "/dev/nopage: 폴트 핸들러로 드라이버 페이지 공유하기" },
    files = { "nopage.c" },
    hints = {
      { en = "Compare vmf->pgoff with npages: an index at or past npages has no page, so return VM_FAULT_SIGBUS (a vm_fault_t, not -EFAULT).",
        ko = "vmf->pgoff를 npages와 비교하세요. npages 이상이면 줄 페이지가 없으니 VM_FAULT_SIGBUS를 돌려줍니다(-EFAULT가 아니라 vm_fault_t 값입니다)." },
      { en = "page = nopage_pages[vmf->pgoff]; get_page(page); vmf->page = page; then atomic_inc(&nopage_faults) and return 0. vmf->pgoff already counts the mmap() offset; vmf->address is a user virtual address, not an index.",
        ko = "page = nopage_pages[vmf->pgoff]; get_page(page); vmf->page = page; 그리고 atomic_inc(&nopage_faults) 후 0을 돌려줍니다. vmf->pgoff에는 mmap() 오프셋이 이미 들어 있고, vmf->address는 인덱스가 아니라 사용자 가상 주소입니다." },
      { en = "if (!(vma->vm_flags & VM_MAYSHARE)) return -EINVAL; then vma->vm_ops = &nopage_vm_ops; and return 0. Do not map anything here: that is the fault handler's job.",
        ko = "if (!(vma->vm_flags & VM_MAYSHARE)) return -EINVAL; 다음에 vma->vm_ops = &nopage_vm_ops; 하고 0을 돌려줍니다. 여기서는 아무것도 매핑하지 마세요. 그건 폴트 핸들러가 할 일입니다." },
      { en = "if (page_count(nopage_pages[i]) != 1) busy++; then __free_page(nopage_pages[i]). A count above 1 means someone (a page table, get_user_pages) still holds the page.",
        ko = "if (page_count(nopage_pages[i]) != 1) busy++; 다음에 __free_page(nopage_pages[i]). 카운트가 1보다 크면 누군가(페이지 테이블, get_user_pages 등)가 아직 그 페이지를 잡고 있다는 뜻입니다." },
      { en = "nopage_pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO); on NULL set ret = -ENOMEM and goto err_free; then snprintf(page_address(nopage_pages[i]), PAGE_SIZE, \"nopage: page %u written by the kernel\", i).",
        ko = "nopage_pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO); NULL이면 ret = -ENOMEM; goto err_free; 그다음 snprintf(page_address(nopage_pages[i]), PAGE_SIZE, \"nopage: page %u written by the kernel\", i)." },
    },
    checks = {
      addrlab.builds(),

      addrlab.sparse(),

      { name = "faults-once", points = 3, timeout = 60,
        title = { en = "touching pages 0 2 5 twice faults exactly 3 times, each showing the kernel's text",
                  ko = "0 2 5번 페이지를 두 번씩 건드리면 폴트는 정확히 3번, 각 페이지에 커널이 쓴 글이 보인다" },
        run = function(t)
          t:insmod()
          local r = touch(t, "0 2 5 0 2 5")
          local bus = r.out:match("SIGBUS at page (%d+)")
          if bus and not r.out:find("faults=[1-9]") then
            t:fail("reading page " .. bus .. " raised SIGBUS and no fault was counted: your fault "
                   .. "handler never ran. mmap() must set vma->vm_ops = &nopage_vm_ops (a mapping of "
                   .. "a file with no fault handler gets SIGBUS at its first touch)")
          end
          t:eq(r.status, 0, "exit status of fault-touch 0 2 5 0 2 5 (it printed: " .. r.out .. ")")
          t:match(r.out, "faults before: 0\n", "the fault counter right after insmod")
          local pages = touched(r.out)
          t:eq(#pages, 6, "pages fault-touch reported")
          local want = { { 0, "1" }, { 2, "2" }, { 5, "3" }, { 0, "3" }, { 2, "3" }, { 5, "3" } }
          for i, w in ipairs(want) do
            local p = pages[i]
            t:eq(p.idx, w[1], "touch " .. i .. ": page index")
            t:eq(p.text, kernel_text(w[1]),
                 "text at the start of page " .. w[1] .. " (is the page index vmf->pgoff?)")
            t:eq(p.faults, w[2], "faults counted after touch " .. i .. " (page " .. w[1]
                 .. "): one per page on its first touch only")
          end
          t:match(r.out, "faults after: 3\n", "the fault counter after six touches of three pages")
          for i = 1, 3 do
            t:eq(pages[i + 3].pfn, pages[i].pfn, "page " .. pages[i].idx .. "'s frame on the second touch")
            -- QEMU reads the frame from the host: the kernel's text really is there.
            local text = kernel_text(pages[i].idx)
            t:eq(t:phys(pages[i].pfn * 4096, #text), text,
                 string.format("guest physical memory at pfn 0x%x, read by QEMU", pages[i].pfn))
          end
          clean_dmesg(t, "while pages were touched")
        end },

      { name = "shares-both-ways", points = 2, timeout = 60,
        title = { en = "a process's write lands in the driver's page; another process reads it back",
                  ko = "프로세스가 쓴 내용이 드라이버의 페이지에 남고, 다른 프로세스가 그것을 읽는다" },
        run = function(t)
          t:insmod()
          local first = touched(touch(t, "3").out)[1]
          t:expect(first, "fault-touch could not read page 3 of /dev/nopage")
          t:eq(first.text, kernel_text(3), "page 3 before any process wrote it")
          local msg = "written by one process, read by the next"
          local w = touch(t, "--write 3 '" .. msg .. "'")
          t:eq(w.status, 0, "exit status of fault-touch --write 3")
          local again = touched(touch(t, "3").out)[1]
          t:expect(again, "fault-touch could not read page 3 again")
          t:eq(again.pfn, first.pfn, "page 3's frame in a second process")
          t:eq(again.text, msg, "page 3 as a second process reads it")
          t:eq(t:phys(first.pfn * 4096, #msg), msg,
               string.format("guest physical memory at pfn 0x%x (the driver's page 3), read by QEMU", first.pfn))
        end },

      { name = "sigbus-past-end", points = 2, timeout = 60,
        title = { en = "touching past the last page raises SIGBUS", ko = "마지막 페이지를 넘어 건드리면 SIGBUS가 난다" },
        run = function(t)
          t:insmod("npages=3")
          local r = touch(t, "--past-end")
          t:match(r.out, "mapped 4 pages; the module has 3", "fault-touch --past-end with npages=3")
          t:match(r.out, "SIGBUS at page %d+", "what touching page 3 of a 3-page device did")
          t:match(r.out, "SIGBUS at page 3\n", "the page that raised SIGBUS")
          t:eq(r.status, 0, "fault-touch --past-end's exit status")
          local ok = touch(t, "--pages 4 0 1 2")
          t:eq(ok.status, 0, "touching pages 0 1 2 of a 4-page mapping of a 3-page device")
          clean_dmesg(t, "after the SIGBUS")
        end },

      { name = "offset-and-read-only", points = 2, timeout = 60,
        title = { en = "a mapping from the device's page 2, and a read-only one, see the right pages",
                  ko = "디바이스의 2번 페이지부터 만든 매핑과 읽기 전용 매핑도 맞는 페이지를 본다" },
        run = function(t)
          t:insmod()
          local r = touch(t, "--offset 2 --pages 3 0 1 2")
          t:eq(r.status, 0, "exit status of fault-touch --offset 2 --pages 3 0 1 2 (it printed: " .. r.out .. ")")
          local pages = touched(r.out)
          t:eq(#pages, 3, "pages fault-touch --offset 2 reported")
          for i, p in ipairs(pages) do
            local k = tonumber(p.text:match("^nopage: page (%d+) written by the kernel$"))
            if k and k ~= p.idx then
              t:fail(("page %d of a mapping made at offset 2 pages (the device's page %d) holds page "
                .. "%d's text: the fault handler counts pages from the mapping's start. vmf->pgoff "
                .. "already includes the mmap() offset (vm_pgoff); vmf->address - vma->vm_start "
                .. "does not"):format(i - 1, p.idx, k))
            end
            t:eq(p.text, kernel_text(p.idx), "text of the device's page " .. p.idx
                 .. " through a mapping made at offset 2 pages")
          end
          local ro = touch(t, "--ro --pages 1 0")
          if ro.out:find("Invalid argument", 1, true) then
            t:fail("a read-only shared mapping (opened O_RDONLY, PROT_READ, MAP_SHARED) was refused "
                   .. "with EINVAL: it has VM_MAYSHARE but not VM_SHARED, which is set only for "
                   .. "writable shared mappings. Refuse what lacks VM_MAYSHARE")
          end
          t:eq(ro.status, 0, "exit status of fault-touch --ro (it printed: " .. ro.out .. ")")
          local p = touched(ro.out)[1]
          t:expect(p, "fault-touch --ro printed no page: " .. ro.out)
          t:eq(p.text, kernel_text(0), "page 0 through a read-only mapping")
        end },

      { name = "refuses-private", points = 1, timeout = 60,
        title = { en = "a private mapping is refused with EINVAL", ko = "private 매핑은 EINVAL로 거절된다" },
        run = function(t)
          t:insmod()
          local r = touch(t, "--private 0")
          t:match(r.out, "Invalid argument",
                  "mmap(MAP_PRIVATE) of /dev/nopage (a private mapping would copy the page on the first write)")
        end },

      { name = "refcount", points = 3, timeout = 90,
        title = { en = "a page outlives every mapping of it: unmapping never frees the driver's page",
                  ko = "매핑이 몇 번 풀려도 드라이버의 페이지는 해제되지 않는다" },
        run = function(t)
          t:insmod()
          -- One shell: a background process lives only as long as the command.
          -- /proc/kpagecount is the kernel's own count of page table entries
          -- mapping each frame (page_mapcount).
          local r = t:run("fault-touch --dev /dev/nopage --hold 1 6 > /tmp/hold.out 2>&1 & pid=$!\n"
            .. "for i in $(seq 100); do grep -q holding /tmp/hold.out && break; sleep 0.1; done\n"
            .. "cat /tmp/hold.out\n"
            .. "count() { for p in $(sed -n 's/.*pfn=0x\\([0-9a-f]*\\).*/\\1/p' /tmp/hold.out); do\n"
            .. "  echo \"$1 pfn=0x$p mapcount=$(dd if=/proc/kpagecount bs=8 skip=$((0x$p)) count=1 2>/dev/null | od -An -tu8 | tr -d ' ')\"\n"
            .. "done; }\n"
            .. "count mapped\n"
            .. "kill $pid; for i in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done\n"
            .. "count unmapped\n", { timeout = 30 })
          t:match(r.out, "holding the mapping", "fault-touch --hold 1 6")
          local pages = touched(r.out)
          t:eq(#pages, 2, "pages fault-touch --hold 1 6 touched")
          for _, p in ipairs(pages) do
            local pfn = string.format("0x%x", p.pfn)
            t:eq(tonumber(r.out:match("\nmapped pfn=" .. pfn .. " mapcount=(%d+)")), 1, string.format(
              "page table entries mapping page %d (pfn %s) while one process maps it (/proc/kpagecount)", p.idx, pfn))
            t:eq(tonumber(r.out:match("\nunmapped pfn=" .. pfn .. " mapcount=(%d+)")), 0, string.format(
              "page table entries mapping page %d (pfn %s) after the process exited (/proc/kpagecount)", p.idx, pfn))
          end
          -- The unmap dropped the page table's reference.  If the fault
          -- handler never took one, it dropped the driver's: the page went
          -- back to the allocator, and the next processes get it for
          -- something else (the kernel then reports "Bad page map").
          for round = 1, 3 do
            local again = touch(t, "1 6 0 1 2 3 4 5 6 7")
            t:eq(again.status, 0, "exit status of fault-touch, process " .. round + 1)
            for _, p in ipairs(touched(again.out)) do
              t:eq(p.text, kernel_text(p.idx), string.format(
                "page %d as process %d sees it, after earlier processes unmapped it: the page was freed under the driver, did the fault handler get_page() it?",
                p.idx, round + 1))
            end
          end
          clean_dmesg(t, "after processes mapped and unmapped the pages")
        end },

      { name = "unloads", points = 2, timeout = 60,
        title = { en = "unloads with every page freed and no reference left, twice",
                  ko = "모든 페이지를 해제하고 남은 참조 없이 언로드된다 (두 번)" },
        run = function(t)
          for round = 1, 2 do
            t:insmod()
            local r = touch(t, "0 1 2 3 4 5 6 7")
            t:eq(r.status, 0, "fault-touch of all 8 pages, round " .. round)
            t:rmmod()
            t:eq(t:run("grep -c '^nopage ' /proc/modules").out, "0\n", "nopage still loaded")
          end
          local log = t:dmesg()
          local n = 0
          for _ in log:gmatch("nopage: freed 8 pages, 0 still referenced") do n = n + 1 end
          t:eq(n, 2, "'nopage: freed 8 pages, 0 still referenced' lines after two unloads")
          clean_dmesg(t, "around the unloads")
        end },
    },
  },
}
