-- Chapter 1: three address spaces.  The live views come from the addrspace
-- module (it walks the page tables itself) and the vtop guest tool; the
-- exercise translates a process's own pages through /proc/self/pagemap and
-- is graded against guest physical memory read by QEMU on the host.

local PAGE = 4096
local KM = "/sys/kernel/debug/addrspace/kmalloc"
local VM = "/sys/kernel/debug/addrspace/vmalloc"

-- The "page=K virt=0x.. phys=0x.." lines of an addrspace report.
local function report_pages(text)
  local pages = {}
  for k, v, p in text:gmatch("\npage=(%d+) virt=0x(%x+) phys=0x(%x+)") do
    pages[#pages + 1] = { k = tonumber(k), virt = tonumber(v, 16), phys = tonumber(p, 16) }
  end
  return pages
end

-- Printable text for a failure message (guest memory may hold anything).
local function printable(s)
  return (s:gsub("[^%g ]", "."))
end

-- The top-level "System RAM" ranges of /proc/iomem (chapter 2's map).
local function system_ram(t)
  local ram = {}
  for line in t:run("cat /proc/iomem").out:gmatch("[^\n]+") do
    local a, b = line:match("^(%x+)%-(%x+) : System RAM$")
    if a then ram[#ram + 1] = { tonumber(a, 16), tonumber(b, 16) } end
  end
  return ram
end

local function in_ram(ram, addr)
  if not addr or addr < 0 then return false end
  for _, r in ipairs(ram) do
    if addr >= r[1] and addr + PAGE - 1 <= r[2] then return true end
  end
  return false
end

-- Runs the student's program on a fresh tmpfs file; returns the file name
-- and the parsed lines, after checking the exit status and exact format.
local function run_pagemap(t, pages)
  t:run("rm -f /dev/shm/addrlab-pm-*")
  local nonce = t:run("cat /proc/sys/kernel/random/uuid").out:match("^(%x+)")
  local file = "/dev/shm/addrlab-pm-" .. nonce
  local cmd = ("pagemap %s %d"):format(file, pages)
  local r = t:exec(file .. " " .. pages, { timeout = 30 })
  if r.signal ~= 0 then
    t:fail(("'%s' was killed by signal %d"):format(cmd, r.signal))
  end
  if r.status ~= 0 then
    t:fail(("'%s' exited with status %d: %s"):format(cmd, r.status,
      r.err:match("[^\n]*") ~= "" and r.err:match("[^\n]*") or "(nothing on stderr)"))
  end
  local lines = {}
  for line in r.out:gmatch("([^\n]*)\n") do lines[#lines + 1] = line end
  t:expect(r.out:sub(-1) == "\n" or r.out == "",
    ("'%s': the last line of output does not end with a newline"):format(cmd))
  t:eq(#lines, pages, ("'%s': lines on stdout (exactly one per page, nothing else)"):format(cmd))
  local out = {}
  for i, line in ipairs(lines) do
    local k, v, p = t:match(line, "^page=(%d+) virt=0x(%x+) phys=0x(%x+)$",
      ("'%s', line %d (format: page=K virt=0x... phys=0x..., lowercase hex)"):format(cmd, i))
    out[i] = { k = tonumber(k), virt = tonumber(v, 16), phys = tonumber(p, 16), line = line }
  end
  return file, out, cmd
end

-- Format, order and alignment of the parsed lines.
local function check_lines(t, cmd, out)
  for i, e in ipairs(out) do
    t:eq(e.k, i - 1, ("'%s', line %d: the page number"):format(cmd, i))
    t:expect(e.virt and e.virt % PAGE == 0,
      ("'%s': %s: virt is not page-aligned (mmap returns page-aligned addresses)"):format(cmd, e.line))
    t:expect(e.virt == out[1].virt + (i - 1) * PAGE,
      ("'%s': %s: page %d of one mapping must be at virt 0x%x (mapping start + %d * 4096)")
        :format(cmd, e.line, i - 1, out[1].virt + (i - 1) * PAGE, i - 1))
    t:expect(e.phys and e.phys ~= 0,
      ("'%s': %s: phys 0x0 means no frame: was the page touched, and the PFN read as root?"):format(cmd, e.line))
    t:expect(e.phys % PAGE == 0,
      ("'%s': %s: phys is not a multiple of 4096: a PFN counts pages, the address is PFN * page size")
        :format(cmd, e.line))
  end
end

-- Why the frame at e.phys does not hold page e.k's text, as specifically as
-- the evidence allows: which page's text it holds and whether the program
-- wrote that page wrongly or read another page's entry, or whether phys is
-- really the frame number.
local function wrong_frame(t, file, e, want, got, ram)
  local at = ("%s: guest physical memory at 0x%x holds \"%s\", not page %d's text \"%s\""):format(
    e.line, e.phys, printable(got), e.k, want)
  local j = tonumber(got:match("^" .. file:gsub("%-", "%%-") .. " page (%d+)%z"))
  if j then
    local in_file = t:run(("dd if=%s bs=4096 skip=%d count=1 2>/dev/null | head -c %d"):format(
      file, e.k, #want)).out
    if in_file ~= want then
      return at .. (": and page %d of the file itself holds \"%s\": your program wrote the wrong "
        .. "page (page K starts at map + K * page_size)"):format(e.k, printable(in_file))
    end
    return at .. (": that is page %d's frame, so the entry your program read for page %d belongs to "
      .. "page %d (the entry for virt is at offset virt / page_size * 8 in pagemap)"):format(j, e.k, j)
  end
  local addr = e.phys * PAGE
  if in_ram(ram, addr) and t:phys(addr, #want + 1) == want .. "\0" then
    return at .. (": page %d's text is at 0x%x = 0x%x * 4096: phys printed the frame number, "
      .. "not the address (phys = PFN * page size + offset in the page)"):format(e.k, addr, e.phys)
  end
  return at .. ": that frame does not hold the page your program wrote. The file's own pages stay "
    .. "in the page cache after your program exits; a private or anonymous mapping's pages are freed "
    .. "with it. Check the MAP_SHARED mapping of the file, the entry at vpn * 8, and PFN (bits 0-54) "
    .. "* page size"
end

-- The oracle: QEMU reads each printed physical address from the host.
local function check_frames(t, file, out, rewrite)
  local ram = system_ram(t)
  for _, e in ipairs(out) do
    t:expect(in_ram(ram, e.phys),
      ("%s: phys 0x%x is not in System RAM (/proc/iomem): keep only the PFN bits 0-54 of the entry")
        :format(e.line, e.phys or -1))
    local want = ("%s page %d"):format(file, e.k)
    local got = t:phys(e.phys, #want + 1)
    if got ~= want .. "\0" then
      t:fail(wrong_frame(t, file, e, want, got, ram))
    end
  end
  if not rewrite then return end
  -- Write new text through the file, not through the program's mapping: it
  -- lands in the file's page in the page cache, so a frame that really is
  -- that page shows it too.
  local script = {}
  for _, e in ipairs(out) do
    script[#script + 1] = ("printf 'rewritten page %d' | dd of=%s bs=4096 seek=%d conv=notrunc 2>/dev/null")
      :format(e.k, file, e.k)
  end
  t:run(table.concat(script, "; "))
  for _, e in ipairs(out) do
    local want = ("rewritten page %d"):format(e.k)
    local got = t:phys(e.phys, #want)
    t:expect(got == want,
      ("%s: text written to page %d of %s does not show at phys 0x%x (it holds \"%s\"): is that frame the file's own page? (a private mapping gets copies)")
        :format(e.line, e.k, file, e.phys, printable(got)))
  end
end

return {
  id = "ch1",
  number = 1,
  title = { en = "Three address spaces", ko = "세 가지 주소 공간" },
  text = { en = "en.md", ko = "ko.md" },
  module = "addrspace",

  views = {
    { id = "kmalloc",
      title = { en = "kmalloc: a page-table walk, level by level",
                ko = "kmalloc: 페이지 테이블을 한 단계씩 따라가기" },
      run = "sed -n '1,/^page=0 /p' " .. KM,
      highlight = "page=%d+ virt=0x%x+ phys=" },
    { id = "vmalloc",
      title = { en = "vmalloc: one page's walk, then where all pages landed",
                ko = "vmalloc: 한 페이지의 워크, 그리고 모든 페이지의 물리 위치" },
      run = "sed -n '/^page 0:/,/^page=0 /p' " .. VM .. "; grep '^page=' " .. VM,
      highlight = "page=%d+ virt=0x%x+ phys=" },
    { id = "vmalloc-runs",
      title = { en = "256 vmalloc pages: runs of neighbouring frames",
                ko = "vmalloc 256페이지: 이웃한 프레임끼리 묶어 보기" },
      timeout = 30,
      run = [[
M=/lib/modules/$(uname -r)/extra/addrspace.ko; F=/sys/kernel/debug/addrspace/vmalloc
rmmod addrspace 2>/dev/null; insmod $M vmalloc_pages=256 || exit 1
grep '^page=' $F | { s=; while read p v ph r; do k=${p#page=}; x=$((${ph#phys=}))
if [ -n "$s" ] && [ $x -eq $((l + d)) ]; then l=$x; e=$k; continue; fi
if [ -n "$s" ] && [ "$e" = "$s" ] && [ $((x - l)) -eq 4096 -o $((l - x)) -eq 4096 ]; then d=$((x - l)); l=$x; e=$k; continue; fi
[ -n "$s" ] && printf 'pages %3d-%3d  phys 0x%x .. 0x%x\n' $s $e $f $l
s=$k; e=$k; f=$x; l=$x; d=0; done; printf 'pages %3d-%3d  phys 0x%x .. 0x%x\n' $s $e $f $l; }
rmmod addrspace 2>/dev/null; insmod $M
]],
      highlight = "pages +%d+%- *%d+" },
    { id = "vtop",
      title = { en = "vtop: /proc/self/pagemap and the module agree",
                ko = "vtop: /proc/self/pagemap와 모듈의 답이 같다" },
      run = "vtop | sed -n '1,6p;/^paging/p;/^virt=/p'",
      highlight = "pagemap_pfn=0x%x+ module_pfn=" },
    { id = "map",
      title = { en = "Where the kernel's address ranges start",
                ko = "커널 주소 영역의 시작점" },
      run = "sed -n '2p' " .. KM .. "; grep DirectMap /proc/meminfo",
      highlight = "page_offset=" },
  },

  quizzes = {
    { id = "kmalloc-phys", kind = "text",
      question = {
        en = "Page 0 of the kmalloc buffer is at the virtual address shown in the kmalloc view, and the header says page_offset. At which physical address is it? (hex, like 0x1234000)",
        ko = "kmalloc 뷰에서 버퍼의 0번 페이지 가상 주소와 page_offset 값을 보세요. 이 페이지의 물리 주소는? (0x1234000 같은 16진수)" },
      answer = function(vm)
        local text = vm:run("cat " .. KM).out
        local off = tonumber(text:match("page_offset=0x(%x+)"), 16)
        local p = report_pages(text)[1]
        return ("0x%x"):format(p.virt - off)
      end,
      explain = {
        en = "kmalloc memory lives in the direct map, where all of RAM is mapped at one fixed offset: phys = virt - PAGE_OFFSET. The module's walk and virt_to_phys() (which returns a phys_addr_t) give the same number.",
        ko = "kmalloc 메모리는 직접 매핑(direct map) 안에 있습니다. 물리 메모리 전체가 고정된 오프셋 하나로 매핑되어 있으니 phys = virt - PAGE_OFFSET 이고, 모듈의 워크와 virt_to_phys()(반환형은 phys_addr_t)도 같은 값을 냅니다." } },
    { id = "vmalloc-contig", kind = "choice",
      question = {
        en = "In the vmalloc view, is frame K+1 always right after frame K (phys + 4096)?",
        ko = "vmalloc 뷰에서 K+1번 페이지의 프레임은 항상 K번 프레임 바로 다음(phys + 4096)에 있을까요?" },
      choices = {
        { en = "Yes: vmalloc memory is physically contiguous", ko = "예: vmalloc 메모리는 물리적으로 연속이다" },
        { en = "No: vmalloc only promises contiguous virtual addresses; each page has its own PTE and can be anywhere",
          ko = "아니요: vmalloc은 가상 주소의 연속만 약속한다. 페이지마다 PTE가 따로 있어 프레임은 어디에나 있을 수 있다" },
        { en = "Yes, because the direct map covers vmalloc space", ko = "예: 직접 매핑이 vmalloc 영역도 덮기 때문이다" },
      },
      answer = 2,
      explain = {
        en = "Look at the phys column: right after boot the frames often come out adjacent but in descending order, after a reload they are scattered. Either way vmalloc promised nothing about them.",
        ko = "phys 열을 보세요. 부팅 직후에는 프레임이 붙어 있되 거꾸로(내림차순) 나오는 일이 많고, 모듈을 다시 올리면 흩어집니다. 어느 쪽이든 vmalloc은 물리 배치에 대해 아무것도 약속하지 않았습니다." } },
    { id = "vmalloc-pages", kind = "number",
      question = {
        en = "How many 4 KiB page-table entries (PTEs) map the vmalloc buffer in the vmalloc view?",
        ko = "vmalloc 뷰의 버퍼를 매핑하는 4 KiB 페이지 테이블 엔트리(PTE)는 몇 개인가요?" },
      answer = function(vm)
        local n = 0
        for _ in vm:run("grep '^page=.*leaf=pte' " .. VM).out:gmatch("\n") do n = n + 1 end
        return n
      end,
      explain = {
        en = "One per page: vmalloc builds the mapping page by page in vmalloc space, and every walk ends at a PTE.",
        ko = "페이지마다 하나입니다. vmalloc은 vmalloc 영역에 페이지 단위로 매핑을 만들기 때문에 모든 워크가 PTE에서 끝납니다." } },
    { id = "deref-phys", kind = "choice",
      question = {
        en = "A driver knows its device's registers are at physical address P. What happens if it does *(u32 *)P?",
        ko = "드라이버가 디바이스 레지스터의 물리 주소 P를 알고 있습니다. *(u32 *)P 로 읽으면 어떻게 될까요?" },
      choices = {
        { en = "It reads the register: the kernel runs with physical addresses", ko = "레지스터를 읽는다: 커널은 물리 주소로 동작한다" },
        { en = "The MMU treats P as a virtual address: it is not mapped there, so the kernel oopses on a page fault",
          ko = "MMU가 P를 가상 주소로 해석한다: 그 주소에는 매핑이 없으므로 페이지 폴트로 oops가 난다" },
        { en = "The IOMMU translates it to a bus address", ko = "IOMMU가 버스 주소로 바꿔 준다" },
      },
      answer = 2,
      explain = {
        en = "Once paging is on, every load goes through the MMU, the kernel's included. A physical address must first be mapped into virtual space (ioremap, chapter 3).",
        ko = "페이징이 켜진 뒤에는 커널의 load/store도 모두 MMU를 거칩니다. 물리 주소는 먼저 가상 주소 공간에 매핑해야 쓸 수 있습니다(ioremap, 3장)." } },
  },

  exercise = {
    id = "pagemap",
    kind = "user",
    title = { en = "Where do my pages live? /proc/self/pagemap",
              ko = "내 페이지는 어디에 있을까? /proc/self/pagemap" },
    files = { "pagemap.c" },
    hints = {
      { en = "mmap() only reserves virtual addresses; no frame exists until the first touch. Write \"FILE page K\" (snprintf) at map + K * page_size for every K before asking pagemap anything.",
        ko = "mmap()은 가상 주소만 잡아 둡니다. 처음 건드리기 전에는 프레임이 없습니다. pagemap에 묻기 전에 모든 K에 대해 map + K * page_size 위치에 \"FILE page K\"를 snprintf로 쓰세요." },
      { en = "/proc/self/pagemap is an array of 8-byte entries, one per virtual page: pread() 8 bytes at offset vpn * 8, where vpn = virt / page_size.",
        ko = "/proc/self/pagemap은 가상 페이지마다 8바이트 엔트리가 하나씩 있는 배열입니다. vpn = virt / page_size 일 때 오프셋 vpn * 8에서 8바이트를 pread() 하세요." },
      { en = "Bit 63 of the entry says present; bits 0-54 are the PFN: entry & ((1ull << 55) - 1). The other high bits are flags (soft-dirty, exclusive, file-page). A PFN of 0 means the kernel hid it: not root.",
        ko = "엔트리의 63번 비트가 present, 0-54번 비트가 PFN입니다: entry & ((1ull << 55) - 1). 나머지 상위 비트는 플래그(soft-dirty, exclusive, file-page)입니다. PFN이 0이면 커널이 숨긴 것(root가 아님)입니다." },
      { en = "A PFN numbers pages, not bytes: phys = pfn * page_size + virt % page_size.",
        ko = "PFN은 바이트가 아니라 페이지 번호입니다: phys = pfn * page_size + virt % page_size." },
    },
    checks = {
      addrlab.builds{ timeout = 60 },

      { name = "one-line-per-page", points = 2, timeout = 60,
        title = { en = "prints page=K virt=0x... phys=0x... for each page, in order",
                  ko = "페이지마다 page=K virt=0x... phys=0x... 를 순서대로 출력한다" },
        run = function(t)
          local file, out, cmd = run_pagemap(t, 4)
          check_lines(t, cmd, out)
          t:run("rm -f " .. file)
        end },

      { name = "phys-holds-the-page", points = 4, timeout = 90,
        title = { en = "each phys holds that page (read by QEMU from the host)",
                  ko = "각 phys에 그 페이지가 있다 (호스트에서 QEMU가 직접 읽음)" },
        run = function(t)
          local file, out, cmd = run_pagemap(t, 8)
          check_lines(t, cmd, out)
          check_frames(t, file, out, true)
          t:run("rm -f " .. file)
        end },

      { name = "any-size", points = 2, timeout = 90,
        title = { en = "works for 1 page and for 37 pages", ko = "1페이지에도 37페이지에도 맞다" },
        run = function(t)
          for _, n in ipairs({ 1, 37 }) do
            local file, out, cmd = run_pagemap(t, n)
            check_lines(t, cmd, out)
            check_frames(t, file, out, false)
            t:run("rm -f " .. file)
          end
        end },
    },
  },
}
