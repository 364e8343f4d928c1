-- Chapter 4: mmap of device memory.  The chapter module is edu_mmap; the
-- exercise (bar-mmap) is the mmap() half of it, written by the student and
-- tried from user space with edu-mmap --dev /dev/bar_mmap.

local DEV = "/sys/bus/pci/devices/0000:00:02.0"
local TOOL = "edu-mmap --dev /dev/bar_mmap "
local PAT = "/sys/kernel/debug/x86/pat_memtype_list"

-- Shared with the other edu driver exercises (lessons/README.md, "Helpers
-- for checks"): BAR0 from sysfs, a register read by QEMU from the host, a
-- failure for what a submission left behind, and whether BAR0 is free.
-- A BAR or a misc device that remove() leaves behind outlives the module
-- (its name and file operations gone with it) until the VM reboots.
-- restart() fails the check saying why; the grader compares /proc/iomem,
-- /proc/misc and the interrupts after each check and reboots a dirty VM.
local bar0, reg, restart, claimable = addrlab.bar0, addrlab.reg, addrlab.leaked, addrlab.claimable

-- Loads the submission and insists on its device node.
local function load(t)
  t:insmod()
  local err = addrlab.probe_error(t:dmesg(), "bar_mmap")
  if err == "-16" then
    restart(t, "probe() failed with -16 (EBUSY): BAR0 was still claimed by an earlier load "
            .. "whose remove() did not call pci_release_region()")
  elseif err == "-17" then
    restart(t, "probe() failed with -17 (EEXIST): /dev/bar_mmap was still registered by an "
            .. "earlier load whose remove() did not call misc_deregister()")
  end
  t:expect(not err, "probe() failed with error " .. tostring(err) .. " (see the kernel log)")
  t:eq(t:run("test -c /dev/bar_mmap && echo yes || echo no").out, "yes\n",
       "is there a character device /dev/bar_mmap after insmod")
end

-- Unloads the submission and insists that it left nothing behind.
local function unload(t)
  t:rmmod()
  if t:run("test -e /dev/bar_mmap && echo yes || echo no").out ~= "no\n" then
    restart(t, "/dev/bar_mmap is still there after rmmod: remove() must call misc_deregister()")
  end
  if not claimable(t) then
    restart(t, "after rmmod bar_mmap another driver cannot claim BAR0: remove() must call "
            .. "pci_release_region()")
  end
end

local SIGNALS = { [7] = "SIGBUS", [11] = "SIGSEGV" }

-- Runs edu-mmap on /dev/bar_mmap; a crash or a failed mmap() ends the check.
local function tool(t, args)
  local r = t:run(TOOL .. args)
  local pte = t:dmesg():match("Corrupted page table at address %x+\n[^\n]- PTE (%x+)")
  if pte then
    local v = tonumber(pte, 16)
    t:fail(string.format("the kernel found a corrupted page table entry (PTE 0x%s) and killed "
                         .. "edu-mmap: its frame number 0x%x lies past the physical address space. "
                         .. "The pfn is BAR0's physical address >> PAGE_SHIFT (plus vm_pgoff), not "
                         .. "the address itself", pte, (v >> 12) & 0xffffffffff))
  end
  if r.signal ~= 0 then
    t:fail("'edu-mmap --dev /dev/bar_mmap " .. args .. "' was killed by signal " .. r.signal
           .. " (" .. (SIGNALS[r.signal] or "?") .. ") at its first access through the mapping: "
           .. "the page table entries point where nothing answers. The pfn is BAR0's physical "
           .. "address >> PAGE_SHIFT (plus vm_pgoff), not the address itself")
  end
  local err = r.err:match("cannot map[^\n]*")
  t:expect(not err, "edu-mmap " .. tostring(err))
  return r
end

-- edu-mmap's report of the mappings that must be refused, one line each.
local function bad(t)
  local out = t:run(TOOL .. "bad").out
  local r = {}
  for name, what in out:gmatch("([%w-]+): ([^\n]+)") do r[name] = what end
  return r, out
end

return {
  id = "ch4",
  number = 4,
  title = { en = "mmap of device memory", ko = "디바이스 메모리의 mmap" },
  text = { en = "en.md", ko = "ko.md" },
  module = "edu_mmap",

  views = {
    { id = "id",
      title = { en = "The ID register, read by a load in user space", ko = "유저 공간에서 load 한 번으로 읽은 ID 레지스터" },
      run = "echo \"edu-mmap id: $(edu-mmap id)\"; echo \"edu-mmap alive 0x12345678: $(edu-mmap alive 0x12345678)\"",
      highlight = "id: 0x%x+" },
    { id = "smaps",
      title = { en = "The mapping in /proc/self/smaps", ko = "/proc/self/smaps에 보이는 매핑" },
      run = "edu-mmap smaps | grep -E 'edu_mmap|^Size|^Rss|^VmFlags'",
      highlight = "VmFlags" },
    { id = "bench",
      title = { en = "One load versus one system call", ko = "load 한 번 대 시스템 콜 한 번" },
      run = "edu-mmap bench 20000",
      highlight = "x the mapping",
      timeout = 30 },
    { id = "pat",
      title = { en = "BAR0's memory type (x86 PAT) and the refused mappings", ko = "BAR0의 메모리 타입(x86 PAT)과 거절된 매핑들" },
      run = "s=$(head -n 1 " .. DEV .. "/resource | cut -d' ' -f1); grep \"mem $s-\" " .. PAT
         .. "; dmesg | grep -e 'MTRRs' -e 'x86/PAT' | sed 's/^\\[[ 0-9.]*\\] //'"
         .. "; edu-mmap bad",
      highlight = "uncached%-minus" },
  },

  quizzes = {
    { id = "pfn", kind = "text",
      question = {
        en = "edu_mmap maps offset 0 of the file to BAR0. Which page frame number does it pass to io_remap_pfn_range() for it in this VM? Answer in hex, like 0x12345.",
        ko = "edu_mmap은 파일 오프셋 0을 BAR0의 시작에 매핑합니다. 이 VM에서 io_remap_pfn_range()에 넘기는 페이지 프레임 번호(pfn)는 얼마일까요? 0x12345처럼 16진수로 답하세요.",
      },
      answer = function(vm)
        local s = vm:run("head -n 1 " .. DEV .. "/resource").out:match("^(0x%x+)")
        return string.format("0x%x", tonumber(s) >> 12)
      end,
      explain = {
        en = "A pfn is a physical address divided by the page size (4096, a shift by PAGE_SHIFT = 12): BAR0's start from /sys/bus/pci/devices/0000:00:02.0/resource, shifted right by 12. Passing the address itself maps a page 4096 times further away.",
        ko = "pfn은 물리 주소를 페이지 크기(4096)로 나눈 값, 즉 PAGE_SHIFT(12)만큼 오른쪽으로 민 값입니다. /sys/bus/pci/devices/0000:00:02.0/resource에 있는 BAR0 시작 주소를 12비트 밀면 됩니다. 주소를 그대로 넘기면 4096배 먼 곳을 매핑하게 됩니다.",
      } },
    { id = "too-long", kind = "text",
      question = {
        en = "A process asks edu_mmap for 1 MiB + 4 KiB from offset 0. Which errno does mmap() fail with? (edu-mmap bad tries it.)",
        ko = "프로세스가 edu_mmap에 오프셋 0부터 1 MiB + 4 KiB를 요청합니다. mmap()은 어떤 errno로 실패할까요? (edu-mmap bad가 직접 시도합니다.)",
      },
      answer = function(vm)
        return vm:run("edu-mmap bad").out:match("too%-long: (%u+)")
      end,
      explain = {
        en = "ENXIO: the arguments are well-formed, but the range does not exist in this object. The page after BAR0 belongs to another device (see /proc/iomem), so mapping it would hand out someone else's registers.",
        ko = "ENXIO입니다. 인자 형식은 맞지만 그 범위가 이 객체에 존재하지 않는다는 뜻입니다. BAR0 바로 다음 페이지는 다른 디바이스의 것(/proc/iomem 참고)이라, 이를 매핑하면 남의 레지스터를 내주게 됩니다.",
      } },
    { id = "private", kind = "choice",
      question = {
        en = "Why does a driver refuse MAP_PRIVATE for a register BAR?",
        ko = "레지스터 BAR에 대해 드라이버가 MAP_PRIVATE를 거절하는 이유는?",
      },
      choices = {
        { en = "A private mapping is copy-on-write: a write would go to a RAM copy, never to the device", ko = "private 매핑은 copy-on-write라서, 쓰기가 디바이스가 아니라 RAM 복사본으로 간다" },
        { en = "Private mappings are always read-only", ko = "private 매핑은 항상 읽기 전용이다" },
        { en = "remap_pfn_range() only works for private mappings", ko = "remap_pfn_range()는 private 매핑에서만 동작한다" },
        { en = "MAP_PRIVATE needs root and the process may not be root", ko = "MAP_PRIVATE는 root 권한이 필요한데 프로세스가 root가 아닐 수 있다" },
      },
      answer = 1,
      explain = {
        en = "Registers are shared with the device by nature. The check is on VM_MAYSHARE, which MAP_SHARED always sets (VM_SHARED is cleared for a read-only descriptor). The errno is EINVAL.",
        ko = "레지스터는 본질적으로 디바이스와 공유되는 것입니다. 검사는 VM_MAYSHARE로 합니다. MAP_SHARED는 이 플래그를 항상 세우지만, VM_SHARED는 읽기 전용 디스크립터에서는 지워지기 때문입니다. 돌려주는 errno는 EINVAL입니다.",
      } },
    { id = "rss", kind = "choice",
      question = {
        en = "After edu-mmap has read the ID through its 1 MiB mapping, smaps shows Rss: 0 kB. Why?",
        ko = "edu-mmap이 1 MiB 매핑으로 ID를 읽은 뒤에도 smaps의 Rss는 0 kB입니다. 왜일까요?",
      },
      choices = {
        { en = "The page was swapped out right after the read", ko = "읽은 직후 페이지가 스왑 아웃되었다" },
        { en = "The read was served from the CPU cache, so no page was touched", ko = "읽기가 CPU 캐시에서 처리되어 페이지를 건드리지 않았다" },
        { en = "Rss counts RAM pages with a struct page; a VM_PFNMAP mapping of a BAR has none", ko = "Rss는 struct page가 있는 RAM 페이지를 센다. BAR를 VM_PFNMAP으로 매핑한 곳에는 그런 페이지가 없다" },
        { en = "remap_pfn_range() maps nothing until the first page fault", ko = "remap_pfn_range()는 첫 페이지 폴트 전까지는 아무것도 매핑하지 않는다" },
      },
      answer = 3,
      explain = {
        en = "The page table entries point straight at the device's physical addresses (pf = VM_PFNMAP, io = VM_IO). They were all filled in at mmap() time, before any access, but there is no RAM page to count.",
        ko = "페이지 테이블 엔트리가 디바이스의 물리 주소를 직접 가리킵니다(pf = VM_PFNMAP, io = VM_IO). 엔트리는 mmap() 시점에 접근 전부터 모두 채워졌지만, 셀 RAM 페이지가 없습니다.",
      } },
  },

  exercise = {
    id = "bar-mmap",
    kind = "module",
    title = { en = "Hand BAR0 to a process", ko = "BAR0를 프로세스에 넘겨주기" },
    files = { "bar_mmap.c" },
    hints = {
      { en = "if (!(vma->vm_flags & VM_MAYSHARE)) return -EINVAL; (not VM_SHARED: the kernel clears that one for a shared mapping of a read-only file).",
        ko = "if (!(vma->vm_flags & VM_MAYSHARE)) return -EINVAL; (VM_SHARED가 아닙니다. 읽기 전용으로 연 파일의 공유 매핑에서는 커널이 VM_SHARED를 지웁니다.)" },
      { en = "The BAR has bm->len >> PAGE_SHIFT pages. Refuse when vm_pgoff is at or past that, or when vma_pages(vma) is more than the pages left after vm_pgoff. Subtract instead of adding, and nothing can overflow.",
        ko = "BAR는 bm->len >> PAGE_SHIFT 페이지입니다. vm_pgoff가 그 이상이거나, vma_pages(vma)가 vm_pgoff 뒤에 남은 페이지 수보다 크면 거절하세요. 더하지 말고 빼서 비교하면 오버플로가 생기지 않습니다." },
      { en = "vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot); before mapping: the page table entries are built with it.",
        ko = "매핑하기 전에 vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot); 를 하세요. 페이지 테이블 엔트리가 이 값으로 만들어집니다." },
      { en = "A pfn is a physical address >> PAGE_SHIFT: (bm->start >> PAGE_SHIFT) + vma->vm_pgoff. Not bm->start itself.",
        ko = "pfn은 물리 주소 >> PAGE_SHIFT입니다: (bm->start >> PAGE_SHIFT) + vma->vm_pgoff. bm->start를 그대로 쓰면 안 됩니다." },
      { en = "return io_remap_pfn_range(vma, vma->vm_start, pfn, vma->vm_end - vma->vm_start, vma->vm_page_prot); it fills every page table entry of the window now.",
        ko = "return io_remap_pfn_range(vma, vma->vm_start, pfn, vma->vm_end - vma->vm_start, vma->vm_page_prot); 창 전체의 페이지 테이블 엔트리를 지금 한꺼번에 채웁니다." },
    },
    checks = {
      addrlab.builds(),

      addrlab.sparse(),

      { name = "maps-id", points = 3, timeout = 60,
        title = { en = "edu's ID through the mapping is 0x010000ed", ko = "매핑으로 읽은 edu의 ID가 0x010000ed이다" },
        run = function(t)
          load(t)
          local r = tool(t, "id")
          if r.out ~= "0x010000ed\n" then
            t:fail("the ID read through the mapping is " .. r.out:gsub("\n$", "")
                   .. ", not 0x010000ed: the mapping does not reach BAR0. The pfn is BAR0's "
                   .. "physical address >> PAGE_SHIFT (plus vm_pgoff), not the address itself")
          end
        end },

      { name = "liveness", points = 2, timeout = 60,
        title = { en = "a store through the mapping reaches the device", ko = "매핑을 통한 store가 디바이스에 닿는다" },
        run = function(t)
          local s = bar0(t)
          load(t)
          local r = tool(t, "alive 0x12345678")
          t:eq(r.out, "0xedcba987\n", "the liveness register read back through the mapping after writing 0x12345678")
          t:eq(string.format("0x%08x", reg(t, s, 4)), "0xedcba987",
               "edu's liveness register, read by QEMU from the host")
        end },

      { name = "smaps", points = 1, timeout = 60,
        title = { en = "smaps: a shared VM_IO | VM_PFNMAP mapping with no RAM behind it",
                  ko = "smaps: RAM이 없는 공유 VM_IO | VM_PFNMAP 매핑이다" },
        run = function(t)
          load(t)
          local r = tool(t, "smaps")
          t:match(r.out, "^%x+%-%x+ rw%-s 00000000 [^\n]*/dev/bar_mmap", "the mapping's line in smaps")
          t:match(r.out, "\nSize: +1024 kB", "the mapping's size in smaps")
          t:match(r.out, "\nRss: +0 kB", "the mapping's Rss (no RAM pages behind it)")
          local flags = t:match(r.out, "\nVmFlags:([^\n]*)", "the mapping's VmFlags")
          t:expect((" " .. flags .. " "):find(" io "), "VmFlags lack io (VM_IO): " .. flags)
          t:expect((" " .. flags .. " "):find(" pf "), "VmFlags lack pf (VM_PFNMAP): " .. flags
                   .. " - the pages must be mapped with (io_)remap_pfn_range")
        end },

      { name = "uncached", points = 2, timeout = 60,
        title = { en = "the mapping is uncached: pgprot_noncached (read in the source)",
                  ko = "매핑이 캐시되지 않는다: pgprot_noncached (소스에서 확인)" },
        run = function(t)
          -- In the lab VM the CPU's MTRRs are off and the kernel skips PAT,
          -- so every mapping of BAR0 comes out uncached whatever the driver
          -- asks for: only the source shows what it asks for.
          t:build() -- what does not build has no behaviour to read
          local src = addrlab.code(t:source("bar_mmap.c"))
          t:expect(not src:find("pgprot_writecombine", 1, true),
                   "bar_mmap.c maps with pgprot_writecombine: write-combining is for frame buffers; "
                   .. "stores to registers may be merged or reordered. (Read in your source: in the lab "
                   .. "VM the kernel skips x86 PAT, so a run cannot show a mapping's memory type)")
          t:expect(src:find("pgprot_noncached%s*%(") or src:find("pgprot_device%s*%("),
                   "bar_mmap.c never calls pgprot_noncached(): registers mapped write-back may be "
                   .. "read from stale cache lines, and stores reach the device late. Set "
                   .. "vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot) before mapping. (Read in "
                   .. "your source: in the lab VM the kernel skips x86 PAT, so a run cannot show a "
                   .. "mapping's memory type)")
        end },

      { name = "windows", points = 2, timeout = 60,
        title = { en = "maps any window inside BAR0: at an offset, shorter than the BAR, read-only",
                  ko = "BAR0 안의 어떤 창이든 매핑한다: 오프셋이 있어도, BAR보다 짧아도, 읽기 전용이어도" },
        run = function(t)
          load(t)
          -- edu answers 0xffffffff past its registers (0x00-0xff): a window
          -- at a page offset must see that, not the ID at offset 0.
          local cases = {
            { "0 4096", "0x010000ed", "one page at offset 0 (a window shorter than the BAR)" },
            { "0x1000 4096", "0xffffffff", "one page at offset 0x1000" },
            { "0xff000 4096", "0xffffffff", "the last page of BAR0, at offset 0xff000" },
            { "0 4096 ro", "0x010000ed", "a read-only shared mapping (the device opened O_RDONLY, PROT_READ)" },
          }
          for _, c in ipairs(cases) do
            local got = t:run(TOOL .. "window " .. c[1]).out:gsub("\n$", "")
            if got == "0x010000ed" and c[2] ~= got then
              t:fail(("%s reads 0x010000ed, the ID register at offset 0: the window's first page is "
                .. "BAR0's first page whatever the offset. The pfn is (BAR0's start >> PAGE_SHIFT) "
                .. "+ vma->vm_pgoff (vm_pgoff counts pages, not bytes)"):format(c[3]))
            elseif got:match("^E") and c[1]:find(" ro", 1, true) then
              t:fail(("%s was refused with %s: a MAP_SHARED mapping of a file opened read-only has "
                .. "VM_MAYSHARE but not VM_SHARED. Test VM_MAYSHARE to refuse private mappings")
                :format(c[3], got))
            elseif got:match("^E") then
              t:fail(("%s was refused with %s: every window inside BAR0 is legal, whatever its "
                .. "offset and length (refuse only what reaches past BAR0's end)"):format(c[3], got))
            end
            t:eq(got, c[2], "the first 32-bit word of " .. c[3])
          end
        end },

      { name = "refuses-private", points = 2, timeout = 60,
        title = { en = "a private mapping is refused with EINVAL", ko = "private 매핑은 EINVAL로 거절된다" },
        run = function(t)
          load(t)
          local r, out = bad(t)
          t:expect(r.private, "edu-mmap bad printed no 'private:' line: " .. out)
          t:eq(r.private, "EINVAL", "mmap(MAP_PRIVATE) of /dev/bar_mmap (refuse it unless VM_MAYSHARE)")
        end },

      { name = "refuses-outside", points = 2, timeout = 60,
        title = { en = "a window outside BAR0 is refused with ENXIO", ko = "BAR0를 벗어나는 창은 ENXIO로 거절된다" },
        run = function(t)
          load(t)
          local r, out = bad(t)
          t:expect(r["too-long"] and r["past-end"], "edu-mmap bad printed no 'too-long:'/'past-end:' line: " .. out)
          t:eq(r["past-end"], "ENXIO", "mmap of 4 KiB at offset 1 MiB (just past BAR0)")
          t:eq(r["too-long"], "ENXIO", "mmap of 1 MiB + 4 KiB at offset 0 (its last page is another device's)")
        end },

      { name = "unbind", points = 1, timeout = 60,
        title = { en = "an unbind revokes a live mapping (SIGBUS), and the driver binds again",
                  ko = "언바인드하면 살아 있는 매핑이 회수되고(SIGBUS), 드라이버가 다시 바인드된다" },
        run = function(t)
          load(t)
          local r = t:run("edu-mmap --dev /dev/bar_mmap hold > /tmp/hold.out & p=$!; "
                          .. "for i in $(seq 100); do grep -q held /tmp/hold.out && break; sleep 0.1; done; "
                          .. "echo 0000:00:02.0 > /sys/bus/pci/drivers/bar_mmap/unbind; "
                          .. "kill -USR1 $p; wait $p; cat /tmp/hold.out; "
                          .. "echo 0000:00:02.0 > /sys/bus/pci/drivers/bar_mmap/bind")
          t:match(r.out, "^held: id 0x010000ed\n", "edu-mmap holding /dev/bar_mmap mapped")
          t:match(r.out, "\nload: SIGBUS\n", "a load through the mapping after the unbind "
                  .. "(the mapping must be revoked: remove() zaps it)")
          t:eq(tool(t, "id").out, "0x010000ed\n", "the ID through the mapping after binding again")
        end },

      -- Last, and it unloads the module itself: whatever this submission did,
      -- the VM is clean for the next one (or restarted).
      { name = "unloads", points = 2, timeout = 90,
        title = { en = "claims BAR0 as bar_mmap, and unloads and reloads cleanly",
                  ko = "BAR0를 bar_mmap으로 등록하고, 깨끗하게 언로드·재로드된다" },
        run = function(t)
          local s, e = bar0(t)
          load(t)
          local before = t:run("cat /proc/iomem").out
          unload(t)
          local after = t:run("cat /proc/iomem").out
          load(t)
          local id = tool(t, "id").out
          unload(t)
          t:match(before, string.format("%08x%%-%08x : bar_mmap", s, e),
                  "/proc/iomem while bar_mmap is loaded (pci_request_region with KBUILD_MODNAME)")
          t:expect(not after:find(": bar_mmap", 1, true), "after rmmod /proc/iomem still shows \"bar_mmap\"")
          t:eq(id, "0x010000ed\n", "the ID through the mapping after a reload")
        end },
    },
  },
}
