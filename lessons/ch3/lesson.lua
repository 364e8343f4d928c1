-- Chapter 3: MMIO and ioremap.  The chapter module is edu_mmio; the exercise
-- (edu-id) is a smaller driver of the same shape that the student writes.

local DEV = "/sys/bus/pci/devices/0000:00:02.0"
local ID = 0x010000ed
local PROBE = 0x5aa55aa5

-- Shared with the other edu driver exercises (lessons/README.md, "Helpers
-- for checks"): BAR0 from sysfs, a register read by QEMU from the host, a
-- failure for what a submission left behind, and whether BAR0 is free.
-- A region that is never released outlives the module, and its name (a
-- string in the freed module) can make /proc/iomem hang: only a reboot
-- cleans that up.  restart() fails the check saying why; the grader compares
-- /proc/iomem, /proc/misc and the interrupts after each check and reboots a
-- dirty VM.
local bar0, reg, restart, claimable = addrlab.bar0, addrlab.reg, addrlab.leaked, addrlab.claimable

-- The /proc/iomem line for BAR0 claimed by NAME, as the kernel prints it.
local function iomem_line(s, e, name)
  return string.format("%08x%%-%08x : %s", s, e, name)
end

-- As after boot: the firmware assigned BAR0 but left decoding off.  An earlier
-- driver's pci_disable_device() leaves Mem+ on, so switch it off ourselves.
local function decoding_off(t)
  t:eq(t:run("setpci -s 00:02.0 COMMAND=0 && setpci -s 00:02.0 COMMAND").out,
       "0000\n", "edu's PCI command register before loading")
end

-- edu's registers 0x00-0x24, as QEMU reads them from the host.
local REGS = { [0x00] = "ID", [0x04] = "liveness", [0x08] = "factorial",
               [0x20] = "status", [0x24] = "interrupt status" }

-- Why the driver printed `got` for the ID, from what the evidence shows.
local function wrong_id(t, got)
  local cmd = tonumber(t:run("setpci -s 00:02.0 COMMAND").out, 16) or 0
  local shown = string.format("0x%08x", got)
  if cmd & 2 == 0 then
    return "the ID read " .. shown .. " and edu's memory decoding is off (PCI command register "
      .. string.format("0x%04x", cmd) .. ", bit 1 clear) while your driver is bound: "
      .. "pci_enable_device() turns it on; until then nothing answers at BAR0"
  end
  local s = bar0(t)
  if got == 0 or got == 0xffff or got == 0xff or got == 0xffffffff then
    return "the ID read " .. shown .. ", but memory decoding is on and edu answers a 32-bit read "
      .. string.format("of BAR0 + 0x00 with 0x%08x (read by QEMU from the host): ", reg(t, s, 0))
      .. "edu answers only 4-byte accesses to its registers, so a narrower read (ioread16, "
      .. "ioread8, readw) gets nothing: read it with ioread32()"
  end
  for off = 0x04, 0x24, 4 do
    if REGS[off] and reg(t, s, off) == got then
      return string.format("the ID read %s, which is what edu's %s register at BAR0 + 0x%02x holds: "
        .. "the ID register is at BAR0 + 0x00 (EDU_REG_ID)", shown, REGS[off], off)
    end
  end
  return string.format("the ID read %s, expected 0x%08x: read BAR0 + EDU_REG_ID (0x00) with ioread32()",
                       got, ID)
end

local function id_line(t, text)
  return text:match("edu_id[^\n]-: ID (0x%x+)")
end

-- Puts VALUE into edu's liveness register from user space (no driver bound,
-- so /dev/mem may reach the BAR): it then reads ~VALUE.  Decoding is left on.
local function set_liveness(t, base, value)
  local want = string.format("0x%08X\n", ~value & 0xffffffff)
  local r = t:run(string.format("setpci -s 00:02.0 COMMAND=0x2 && devmem 0x%x 32 0x%x && devmem 0x%x 32",
                                base + 4, value, base + 4))
  if r.out ~= want and not claimable(t) then
    restart(t, "BAR0 was still claimed before edu_id loaded: an earlier load's remove() did not "
            .. "call pci_release_region()")
  end
  t:eq(r.out, want, "edu's liveness register, set up through /dev/mem before loading")
end

-- Loads the submission; a BAR0 still claimed by an earlier load restarts
-- the VM.  Returns the error probe() failed with, if it did.
local function insmod(t, what)
  t:insmod()
  local err = addrlab.probe_error(t:dmesg(), "edu_id")
  if err == "-16" then
    restart(t, what .. ": probe() failed with -16 (EBUSY): BAR0 was still claimed by an earlier "
            .. "load whose remove() did not call pci_release_region()")
  end
  return err
end

-- Loads the submission and insists that its probe() succeeded.
local function load(t, what)
  local err = insmod(t, what)
  t:expect(not err, what .. ": probe() failed with error " .. tostring(err)
           .. " (see the kernel log; the checks before this one say more)")
end

-- Unloads the submission and insists that BAR0 is free again.
-- rmmod, then the kernel log must hold no complaint about what remove()
-- freed (a release_region, iounmap or vunmap of nothing: addrlab.complaint).
local function rmmod_quietly(t)
  t:rmmod()
  local line = addrlab.complaint(t)
  if line then
    t:fail("rmmod edu_id made the kernel complain: \"" .. line:gsub("^%[[ %d.]+%] ", "")
           .. "\": remove() frees something twice (pci_iounmap, pci_release_region), or frees "
           .. "what a managed (pcim_/devm_) call already frees for you")
  end
end

local function unload(t)
  rmmod_quietly(t)
  if not claimable(t) then
    restart(t, "after rmmod edu_id another driver cannot claim BAR0: remove() must call pci_release_region()")
  end
end

return {
  id = "ch3",
  number = 3,
  title = { en = "MMIO and ioremap", ko = "MMIO와 ioremap" },
  text = { en = "en.md", ko = "ko.md" },
  module = "edu_mmio",

  views = {
    { id = "registers",
      title = { en = "edu's registers through edu_mmio", ko = "edu_mmio로 읽은 edu 레지스터" },
      run = "cd " .. DEV .. "/edu && for f in id irq_mode irq_count; do echo \"$f: $(cat $f)\"; done"
         .. " && echo 0x12345678 > liveness && echo \"liveness after writing 0x12345678: $(cat liveness)\""
         .. " && echo 10 > factorial_poll && echo \"factorial_poll: $(cat factorial_poll)\"",
      highlight = "^id: 0x%x+" },
    { id = "iomem",
      title = { en = "BAR0 claimed in /proc/iomem", ko = "/proc/iomem에 등록된 BAR0" },
      run = "grep -B2 -A1 edu_mmio /proc/iomem",
      highlight = ": edu_mmio" },
    { id = "probe",
      title = { en = "probe() in the kernel log", ko = "커널 로그에 남은 probe()" },
      run = "dmesg | grep 'edu_mmio 0000' | sed 's/^\\[[ 0-9.]*\\] //';"
         .. " echo '/proc/vmallocinfo (size, who mapped it, physical address):';"
         .. " grep edu_mmio /proc/vmallocinfo | sed 's/^[^ ]* //'",
      highlight = "ID 0x%x+" },
    { id = "unwind",
      title = { en = "A probe that fails at 'vectors', unwinding", ko = "'vectors'에서 실패한 probe의 되감기" },
      run = "rmmod edu_mmio && insmod /lib/modules/$(uname -r)/extra/edu_mmio.ko fail_probe_at=vectors dyndbg=+p"
         .. " && dmesg | grep -A8 'fail_probe_at=vectors' | sed 's/^\\[[ 0-9.]*\\] //'"
         .. "; rmmod edu_mmio; insmod /lib/modules/$(uname -r)/extra/edu_mmio.ko",
      highlight = "undo: " },
  },

  quizzes = {
    { id = "bar-phys", kind = "text",
      question = {
        en = "At which physical address does edu's BAR0 start in this VM (the edu_mmio line of /proc/iomem)? Answer in hex, like 0xfe000000.",
        ko = "이 VM에서 edu의 BAR0는 어느 물리 주소에서 시작하나요(/proc/iomem의 edu_mmio 줄)? 0xfe000000처럼 16진수로 답하세요.",
      },
      answer = function(vm)
        local s = vm:run("grep ' : edu_mmio$' /proc/iomem").out:match("(%x+)%-")
        return string.format("0x%x", tonumber(s, 16))
      end,
      explain = {
        en = "The firmware chose this base at boot and wrote it into BAR0; pci_request_region() only put the driver's name on it. pci_iomap() then gave the driver a virtual address for it, which is a different number.",
        ko = "이 주소는 부팅 때 펌웨어가 정해서 BAR0에 써 넣은 것입니다. pci_request_region()은 그 구간에 드라이버 이름을 붙였을 뿐이고, 드라이버가 실제로 쓰는 가상 주소는 pci_iomap()이 따로 만들어 준 다른 값입니다.",
      } },
    { id = "liveness", kind = "text",
      question = {
        en = "edu_mmio's sysfs file liveness writes edu's register 0x04. After `echo 0x0000ffff > liveness`, what does `cat liveness` print?",
        ko = "edu_mmio의 sysfs 파일 liveness는 edu의 0x04 레지스터에 씁니다. `echo 0x0000ffff > liveness` 다음에 `cat liveness`는 무엇을 출력할까요?",
      },
      answer = function(vm)
        local d = "/sys/bus/pci/devices/0000:00:02.0/edu/liveness"
        return vm:run("echo 0x0000ffff > " .. d .. " && cat " .. d).out:match("0x%x+")
      end,
      explain = {
        en = "The device stores the bitwise inverse of what was written: ~0x0000ffff = 0xffff0000. A constant register (the ID) proves a device answers; this one proves the write reached it.",
        ko = "디바이스는 쓰인 값의 비트 반전을 저장합니다: ~0x0000ffff = 0xffff0000. 상수인 ID 레지스터는 디바이스가 응답한다는 것만 보여 주지만, 이 레지스터는 쓰기가 실제로 디바이스에 도달했다는 것까지 보여 줍니다.",
      } },
    { id = "deref", kind = "choice",
      question = {
        en = "A driver does `u32 v = *(u32 *)regs;` on the pointer pci_iomap() returned. What does `make C=2` (sparse) say?",
        ko = "드라이버가 pci_iomap()이 돌려준 포인터로 `u32 v = *(u32 *)regs;`를 했습니다. `make C=2`(sparse)는 무엇이라고 할까요?",
      },
      choices = {
        { en = "Nothing: the pointer is a valid kernel virtual address", ko = "아무 말도 하지 않는다: 올바른 커널 가상 주소이므로" },
        { en = "warning: cast removes address space '__iomem' of expression", ko = "warning: cast removes address space '__iomem' of expression" },
        { en = "error: implicit declaration of function 'ioread32'", ko = "error: implicit declaration of function 'ioread32'" },
        { en = "gcc refuses to build it: __iomem pointers cannot be cast", ko = "gcc가 빌드를 거부한다: __iomem 포인터는 캐스트할 수 없다" },
      },
      answer = 2,
      explain = {
        en = "To gcc, __iomem is nothing: the code builds and even works on x86. sparse treats it as a separate address space and complains where the cast drops it. Without the cast, `*regs` gives 'dereference of noderef expression'.",
        ko = "gcc에게 __iomem은 아무 의미가 없어서 빌드도 되고 x86에서는 동작하기까지 합니다. sparse는 이를 별도의 주소 공간으로 보고, 캐스트로 그 표시를 떼어 내는 곳을 지적합니다. 캐스트 없이 `*regs`라고 쓰면 'dereference of noderef expression'이 나옵니다.",
      } },
    { id = "memremap", kind = "choice",
      question = {
        en = "Which call maps edu's register BAR for a driver?",
        ko = "edu의 레지스터 BAR를 드라이버에 매핑할 때 쓰는 함수는?",
      },
      choices = {
        { en = "memremap(start, len, MEMREMAP_WB): it is the newer, better ioremap", ko = "memremap(start, len, MEMREMAP_WB): ioremap의 더 새롭고 나은 버전이므로" },
        { en = "ioremap_nocache(start, len): registers must not be cached", ko = "ioremap_nocache(start, len): 레지스터는 캐시하면 안 되므로" },
        { en = "pci_iomap(pdev, 0, 0), or ioremap(start, len): uncached, __iomem", ko = "pci_iomap(pdev, 0, 0) 또는 ioremap(start, len): 캐시 안 됨, __iomem" },
        { en = "phys_to_virt(start): the direct map covers all physical addresses", ko = "phys_to_virt(start): 직접 매핑이 모든 물리 주소를 덮으므로" },
      },
      answer = 3,
      explain = {
        en = "ioremap() is already uncached on x86; ioremap_nocache() was the same thing and was removed in Linux 5.6. memremap() is for memory-like regions without side effects (it returns a plain pointer, cached by default), never for registers. The direct map covers RAM, not a BAR.",
        ko = "x86에서 ioremap()은 원래 캐시하지 않는 매핑입니다. ioremap_nocache()는 그와 똑같은 함수였고 Linux 5.6에서 사라졌습니다. memremap()은 읽어도 부작용이 없는 메모리 같은 영역용이라(보통 포인터를 돌려주고 기본은 캐시됨) 레지스터에는 쓰지 않습니다. 직접 매핑(direct map)은 RAM만 덮고 BAR는 덮지 않습니다.",
      } },
  },

  exercise = {
    id = "edu-id",
    kind = "module",
    title = { en = "Ask edu who it is", ko = "edu에게 정체를 묻기" },
    files = { "edu_id.c" },
    hints = {
      { en = "pci_enable_device(pdev) returns 0 or a negative errno. Until it runs, the device does not decode its BAR: in QEMU every read there returns 0 (on real PCI hardware, all ones).",
        ko = "pci_enable_device(pdev)는 0이나 음수 errno를 돌려줍니다. 이 호출 전에는 디바이스가 BAR 주소를 디코딩하지 않아서, QEMU에서는 무엇을 읽든 0이 나옵니다(실제 PCI 하드웨어라면 모든 비트가 1)." },
      { en = "ret = pci_request_region(pdev, EDU_BAR, KBUILD_MODNAME); the name you pass is what /proc/iomem shows while the module is loaded.",
        ko = "ret = pci_request_region(pdev, EDU_BAR, KBUILD_MODNAME); 여기 넘긴 이름이 모듈이 올라가 있는 동안 /proc/iomem에 보입니다." },
      { en = "edu->regs = pci_iomap(pdev, EDU_BAR, 0); it returns a void __iomem * (NULL on failure). A length of 0 maps the whole BAR.",
        ko = "edu->regs = pci_iomap(pdev, EDU_BAR, 0); 반환형은 void __iomem *이고 실패하면 NULL입니다. 길이 0은 BAR 전체를 뜻합니다." },
      { en = "id = ioread32(edu->regs + EDU_REG_ID); never *(u32 *)edu->regs: sparse rejects it, and it is not how MMIO is done.",
        ko = "id = ioread32(edu->regs + EDU_REG_ID); *(u32 *)edu->regs처럼 직접 역참조하면 안 됩니다. sparse가 잡아내고, MMIO를 다루는 올바른 방법도 아닙니다." },
      { en = "iowrite32(value, address) takes the value first. The register is at edu->regs + EDU_REG_LIVENESS.",
        ko = "iowrite32(값, 주소)는 값이 먼저입니다. 레지스터 주소는 edu->regs + EDU_REG_LIVENESS입니다." },
      { en = "Get edu back with pci_get_drvdata(pdev), then undo in reverse: pci_iounmap(pdev, edu->regs), pci_release_region(pdev, EDU_BAR), pci_disable_device(pdev). A region never released makes the next load fail.",
        ko = "pci_get_drvdata(pdev)로 edu를 되찾은 뒤 역순으로 되돌리세요: pci_iounmap(pdev, edu->regs), pci_release_region(pdev, EDU_BAR), pci_disable_device(pdev). 영역을 반납하지 않으면 다음 로드가 실패합니다." },
    },
    checks = {
      addrlab.builds(),

      addrlab.sparse{ points = 2,
        title = { en = "sparse finds nothing (every register access is an ioread32/iowrite32)",
                  ko = "sparse 경고가 없다 (레지스터 접근은 모두 ioread32/iowrite32)" } },

      { name = "reads-id", points = 3, timeout = 60,
        title = { en = "prints edu's ID: \"edu_id: ID 0x010000ed\"", ko = "edu의 ID를 출력한다: \"edu_id: ID 0x010000ed\"" },
        run = function(t)
          decoding_off(t)
          insmod(t, "loading edu_id")
          local got = id_line(t, t:dmesg())
          if not got then
            t:fail("no line \"edu_id: ID 0x........\" in the kernel log after insmod: "
                   .. "is the driver's probe() called (PCI_DEVICE(EDU_VENDOR_ID, EDU_DEVICE_ID)), "
                   .. "and does it reach the pr_info()?")
          end
          if tonumber(got) ~= ID then
            t:fail(wrong_id(t, tonumber(got)))
          end
          t:match(t:run("lspci -k -s 00:02.0").out, "Kernel driver in use: edu_id",
                  "lspci -k: the driver bound to edu")
        end },

      { name = "liveness", points = 2, timeout = 60,
        title = { en = "the liveness test reaches the device", ko = "liveness 시험이 실제 디바이스에 닿는다" },
        run = function(t)
          local s = bar0(t)
          -- Any value may be written; one that only reads must not pass on
          -- what was there before, so put something unforeseeable there.
          local before = math.random(1, 0x7ffffffe)
          set_liveness(t, s, before)
          insmod(t, "loading edu_id")
          local w, r = t:dmesg():match("edu_id[^\n]-: liveness: wrote (0x%x+), read (0x%x+)")
          t:expect(w, "no line \"edu_id: liveness: wrote 0x..., read 0x...\" in the kernel log "
                   .. "(probe must get past the ID first)")
          local want = string.format("0x%08x", ~tonumber(w) & 0xffffffff)
          local host = reg(t, s, 4)
          if host == ~before & 0xffffffff then
            t:fail(string.format("edu's liveness register, read by QEMU from the host, still holds "
              .. "0x%08x, what the check put there before loading: nothing your driver wrote reached "
              .. "BAR0 + 0x04 (iowrite32(value, edu->regs + EDU_REG_LIVENESS): value first)", host))
          end
          t:eq(string.format("0x%08x", host), want, "edu's liveness register, read by QEMU from the "
               .. "host, after your driver wrote " .. w .. " (edu keeps the inverse of what it is given)")
          t:eq(r, want, "what your driver read back from the liveness register after writing " .. w)
        end },

      { name = "unmaps", points = 1, timeout = 60,
        title = { en = "the ioremap of BAR0 is gone after rmmod (/proc/vmallocinfo)",
                  ko = "rmmod 후 BAR0의 ioremap 매핑이 사라진다 (/proc/vmallocinfo)" },
        run = function(t)
          local s = bar0(t)
          local pat = string.format("phys=0x0*%x ioremap", s)
          local count = "grep -c '" .. pat .. "' /proc/vmallocinfo || true"
          local base = tonumber(t:run(count).out)
          load(t, "loading edu_id")
          t:eq(tonumber(t:run(count).out), base + 1,
               "ioremap mappings of BAR0 in /proc/vmallocinfo while loaded (pci_iomap makes one)")
          rmmod_quietly(t)
          t:eq(tonumber(t:run(count).out), base,
               "ioremap mappings of BAR0 in /proc/vmallocinfo after rmmod (remove() must call pci_iounmap)")
        end },

      { name = "loads-twice", points = 2, timeout = 90,
        title = { en = "loads, unloads and loads again: the second probe works too",
                  ko = "로드, 언로드 후 다시 로드해도 두 번째 probe가 성공한다" },
        run = function(t)
          load(t, "the first load")
          unload(t)
          load(t, "the second load")
          local n = 0
          for v in t:dmesg():gmatch("edu_id[^\n]-: ID (0x%x+)") do
            t:eq(v, string.format("0x%08x", ID), "an ID line")
            n = n + 1
          end
          t:eq(n, 2, "\"edu_id: ID\" lines after two loads")
          t:match(t:run("lspci -k -s 00:02.0").out, "Kernel driver in use: edu_id",
                  "lspci -k after the second load")
        end },

      -- Last, and it unloads the module itself: whatever this submission did,
      -- the VM is clean for the next one (or restarted).
      { name = "region", points = 2, timeout = 90,
        title = { en = "/proc/iomem shows BAR0 claimed as edu_id while loaded, and released after rmmod",
                  ko = "로드 중에는 /proc/iomem에 BAR0가 edu_id로 등록되고 rmmod 후에는 반납된다" },
        run = function(t)
          local s, e = bar0(t)
          load(t, "loading edu_id")
          local before = t:run("cat /proc/iomem").out
          unload(t)
          local after = t:run("cat /proc/iomem").out
          local enabled = t:run("cat " .. DEV .. "/enable").out
          t:match(before, iomem_line(s, e, "edu_id"),
                  "/proc/iomem while edu_id is loaded (pci_request_region with KBUILD_MODNAME)")
          t:expect(not after:find(": edu_id", 1, true),
                   "after rmmod /proc/iomem still shows \"edu_id\": remove() must call pci_release_region()")
          t:expect(enabled == "0\n", "after rmmod edu is still enabled (" .. DEV .. "/enable reads "
                   .. enabled:gsub("\n", "") .. "): remove() must call pci_disable_device(), "
                   .. "once for each pci_enable_device()")
        end },
    },
  },
}
