-- Chapter 2: the physical map.  /proc/iomem, lspci and the barsize guest
-- tool show where RAM, the kernel and edu's BAR sit; the exercise sizes
-- BAR0 through sysfs the way firmware does and is graded against the
-- kernel's own record of the BAR, lspci, and the configuration space read
-- before and after.

local DEV = "/sys/bus/pci/devices/0000:00:02.0"
local CONFIG = DEV .. "/config"
local OD = "od -An -v -tx1 " .. CONFIG
local EDU_MMIO = "/lib/modules/$(uname -r)/extra/edu_mmio.ko"

-- BAR0 as the kernel recorded it at boot: sysfs "resource", first line.
local function resource(t)
  local s, e = t:run("head -n 1 " .. DEV .. "/resource").out:match("^0x(%x+) 0x(%x+)")
  return tonumber(s, 16), tonumber(e, 16)
end

-- Puts edu back as the lab VM boots it (no driver, BAR0 where the kernel
-- recorded it) and returns the command register to restore afterwards.
local function reset(t)
  t:run("rmmod edu_mmio 2>/dev/null; setpci -s 00:02.0 BASE_ADDRESS_0=$(printf %x " ..
        "$(($(cut -d' ' -f1 " .. DEV .. "/resource | head -n 1))))")
  return t:run("setpci -s 00:02.0 COMMAND").out:match("^(%x+)")
end

local function restore(t, cmd)
  t:run("rmmod edu_mmio 2>/dev/null; setpci -s 00:02.0 BASE_ADDRESS_0=$(printf %x " ..
        "$(($(cut -d' ' -f1 " .. DEV .. "/resource | head -n 1)))) COMMAND=" .. cmd)
end

-- The program's one line, after checking how it ended.
local function result_line(t, r)
  if r.signal ~= 0 then t:fail(("bar_size was killed by signal %d"):format(r.signal)) end
  if r.status ~= 0 then
    local why = r.err:match("[^\n]*")
    t:fail(("bar_size exited with status %d: %s"):format(r.status,
      why ~= "" and why or "(nothing on stderr)"))
  end
  local base, size = t:match(r.out, "^base=0x(%x+) size=0x(%x+)\n$",
    "bar_size's output (exactly one line: base=0x... size=0x..., lowercase hex)")
  return tonumber(base, 16), tonumber(size, 16)
end

-- Which register a configuration byte belongs to, for the message.
local function register(off)
  if off < 0x04 then return "vendor/device ID" end
  if off < 0x06 then return "the command register" end
  if off < 0x08 then return "the status register" end
  if off < 0x10 then return "class/header" end
  if off < 0x14 then return "BAR0" end
  if off < 0x28 then return ("BAR%d"):format((off - 0x10) // 4) end
  return "the rest of the header"
end

local function bytes(od)
  local b = {}
  for x in od:gmatch("%x%x") do b[#b + 1] = x end
  return b
end

-- Fails naming the first bytes that differ.
local function same_config(t, before, after, what)
  local b, a = bytes(before), bytes(after)
  t:eq(#a, 256, "configuration bytes read after (od -An -v -tx1 " .. CONFIG .. ")")
  local diffs = {}
  for i = 1, 256 do
    if b[i] ~= a[i] and #diffs < 4 then
      diffs[#diffs + 1] = ("0x%02x (%s) was %s, is %s"):format(i - 1, register(i - 1), b[i], a[i])
    end
  end
  if #diffs > 0 then
    t:fail(what .. ": the configuration space changed: byte " .. table.concat(diffs, "; byte ") ..
      ". Put back what you changed: BAR0 first, then the command register.")
  end
end

-- Replays the configuration writes QEMU saw (t:traces() of pci_cfg_write)
-- from the state before the program ran: BAR0 may change only while memory
-- decoding is off, and decoding comes back on only once BAR0 holds its
-- value again.  Returns nil, or what went wrong, in the learner's terms.
local function order_problem(traces, cmd, bar)
  local decode, now, n = cmd & 2 ~= 0, bar, 0
  for off, val in traces:gmatch("pci_cfg_write edu [%x:.]+ @0x(%x+) <%- 0x(%x+)") do
    off, val, n = tonumber(off, 16), tonumber(val, 16), n + 1
    if off == 0x04 then
      decode = val & 2 ~= 0
      if decode and now ~= bar then
        return ("write %d turned memory decoding back on (command 0x%04x) while BAR0 still held "
          .. "0x%08x: put BAR0 back first, then the command register"):format(n, val, now)
      end
    elseif off == 0x10 then
      if decode then
        return ("write %d put 0x%08x into BAR0 while memory decoding was on: the device then "
          .. "answers at whatever address that is. Turn decoding off first (write the command "
          .. "register with PCI_COMMAND_MEMORY cleared)"):format(n, val)
      end
      now = val
    else
      return ("write %d went to configuration offset 0x%02x (%s): sizing BAR0 writes only the "
        .. "command register and BAR0"):format(n, off, register(off))
    end
  end
  if n == 0 then
    return "bar_size wrote nothing to edu's configuration space: sizing a BAR writes all ones into it"
  end
end

return {
  id = "ch2",
  number = 2,
  title = { en = "The physical map", ko = "물리 주소 지도" },
  text = { en = "en.md", ko = "ko.md" },

  views = {
    { id = "iomem",
      title = { en = "/proc/iomem: who owns which physical addresses",
                ko = "/proc/iomem: 어떤 물리 주소를 누가 쓰는가" },
      run = "cat /proc/iomem",
      highlight = "%x+%-%x+ : 0000:00:02%.0" },
    { id = "lspci",
      title = { en = "lspci -v: edu and its BAR", ko = "lspci -v: edu와 그 BAR" },
      run = "lspci -v -s 00:02.0",
      highlight = "Memory at" },
    { id = "config",
      title = { en = "edu's configuration space (BAR0 at offset 0x10)",
                ko = "edu의 설정 공간 (BAR0는 오프셋 0x10)" },
      run = "hexdump -C -n 64 " .. CONFIG .. "; echo; echo 'sysfs resource (start end flags):'; head -n 1 " .. DEV .. "/resource",
      highlight = "00000010  %x%x " },
    { id = "barsize",
      title = { en = "barsize: sizing BAR0 as firmware does", ko = "barsize: 펌웨어처럼 BAR0 크기 재기" },
      run = "barsize",
      highlight = "read back" },
  },

  quizzes = {
    { id = "edu-base", kind = "text",
      question = {
        en = "At which physical address did the firmware put edu's BAR0 in this VM? (hex, like 0xfeb00000)",
        ko = "이 VM에서 펌웨어는 edu의 BAR0를 어느 물리 주소에 두었나요? (0xfeb00000 같은 16진수)" },
      answer = function(vm)
        local s = vm:run("head -n 1 " .. DEV .. "/resource").out:match("^0x(%x+)")
        return ("0x%x"):format(tonumber(s, 16))
      end,
      explain = {
        en = "The same number is in /proc/iomem (the 0000:00:02.0 line), in lspci's \"Memory at\", and in the BAR itself at config offset 0x10. On x86 the bus address in the BAR is the CPU physical address: no offset is added on the way.",
        ko = "같은 값이 /proc/iomem의 0000:00:02.0 줄, lspci의 \"Memory at\", 설정 공간 오프셋 0x10의 BAR 자체에 있습니다. x86에서는 BAR에 든 버스 주소가 곧 CPU의 물리 주소입니다. 중간에 더해지는 오프셋이 없습니다." } },
    { id = "readback", kind = "text",
      question = {
        en = "barsize wrote 0xffffffff into BAR0. What did it read back? (hex, 8 digits)",
        ko = "barsize가 BAR0에 0xffffffff를 썼습니다. 다시 읽은 값은? (16진수 8자리)" },
      answer = function(vm)
        return "0x" .. vm:run("barsize").out:match("read back 0x(%x+)")
      end,
      explain = {
        en = "The device hard-wires the low 20 address bits to zero, so only the bits above 1 MiB take the ones: ~0xfff00000 + 1 = 0x100000, 1 MiB.",
        ko = "디바이스가 하위 20비트 주소를 0으로 고정해 두었기 때문에 1 MiB 위의 비트만 1을 받아들입니다. ~0xfff00000 + 1 = 0x100000, 즉 1 MiB입니다." } },
    { id = "resource-size", kind = "text",
      question = {
        en = "The config view ends with BAR0's line of sysfs resource: start, end and flags of the kernel's struct resource. What is end - start + 1? (hex)",
        ko = "config 뷰의 마지막 줄은 sysfs resource의 BAR0 줄로, 커널이 가진 struct resource의 start, end, flags입니다. end - start + 1은 얼마인가요? (16진수)" },
      answer = function(vm)
        local s, e = vm:run("head -n 1 " .. DEV .. "/resource").out:match("^0x(%x+) 0x(%x+)")
        return ("0x%x"):format(tonumber(e, 16) - tonumber(s, 16) + 1)
      end,
      explain = {
        en = "start and end are resource_size_t, both ends included, so the size is end - start + 1: the same 1 MiB that sizing the BAR finds. The kernel recorded it at boot by sizing the BAR itself.",
        ko = "start와 end는 resource_size_t이고 양 끝을 모두 포함하므로 크기는 end - start + 1입니다. BAR 크기 재기로 알아낸 1 MiB와 같습니다. 커널은 부팅 때 직접 BAR 크기를 재서 이 값을 기록했습니다." } },
    { id = "who-decides", kind = "choice",
      question = {
        en = "Who decides the size of a BAR, and who decides its base address?",
        ko = "BAR의 크기는 누가 정하고, 시작 주소(base)는 누가 정할까요?" },
      choices = {
        { en = "The firmware decides both, by writing ones", ko = "펌웨어가 1을 써 넣어 둘 다 정한다" },
        { en = "The device decides the size (its low bits cannot be written); the firmware (or the OS) picks the base",
          ko = "크기는 디바이스가 정하고(하위 비트는 쓸 수 없다), base는 펌웨어(또는 OS)가 고른다" },
        { en = "The driver decides both when it calls ioremap()", ko = "드라이버가 ioremap()을 부를 때 둘 다 정한다" },
        { en = "The host bridge decides the base by adding an offset", ko = "호스트 브리지가 오프셋을 더해 base를 정한다" },
      },
      answer = 2,
      explain = {
        en = "Writing all ones asks the question; the bits that stay zero are the device's answer. The firmware then writes a base aligned to that size. The driver only maps what is already there.",
        ko = "1을 모두 써 보는 것은 질문이고, 0으로 남는 비트가 디바이스의 대답입니다. 펌웨어는 그 크기에 맞춰 정렬된 base를 써 넣습니다. 드라이버는 이미 정해진 영역을 매핑할 뿐입니다." } },
    { id = "kernel-code", kind = "text",
      question = {
        en = "At which physical address does \"Kernel code\" start in /proc/iomem? (hex)",
        ko = "/proc/iomem에서 \"Kernel code\"는 어느 물리 주소에서 시작하나요? (16진수)" },
      answer = function(vm)
        local s = vm:run("cat /proc/iomem").out:match("(%x+)%-%x+ : Kernel code")
        return ("0x%x"):format(tonumber(s, 16))
      end,
      explain = {
        en = "The kernel image is loaded into System RAM, so its lines are nested under a System RAM line. Only root sees real addresses in /proc/iomem; other users see zeros.",
        ko = "커널 이미지는 System RAM 안에 올라가므로 그 줄들은 System RAM 줄 아래에 들여쓰기되어 있습니다. /proc/iomem의 실제 주소는 root만 볼 수 있고, 다른 사용자에게는 0으로 보입니다." } },
  },

  exercise = {
    id = "bar-sizing",
    kind = "user",
    title = { en = "Size a BAR the way firmware does", ko = "펌웨어처럼 BAR 크기 재기" },
    files = { "bar_size.c" },
    hints = {
      { en = "A bound driver shows as the symlink /sys/bus/pci/devices/BDF/driver: if lstat() finds it, print why on stderr and return 1.",
        ko = "드라이버가 붙어 있으면 /sys/bus/pci/devices/BDF/driver 심볼릭 링크가 있습니다. lstat()로 찾았다면 이유를 stderr에 쓰고 1을 반환하세요." },
      { en = "cfg_read(fd, PCI_COMMAND, 2, &cmd) and cfg_read(fd, PCI_BAR0, 4, &bar): keep both to put back later. Bit 0 of the BAR set means an I/O BAR.",
        ko = "cfg_read(fd, PCI_COMMAND, 2, &cmd)와 cfg_read(fd, PCI_BAR0, 4, &bar)로 둘 다 저장해 두세요. 나중에 되돌려야 합니다. BAR의 0번 비트가 1이면 I/O BAR입니다." },
      { en = "Write cmd & ~PCI_COMMAND_MEMORY first (while BAR0 holds all ones the device must not answer anywhere), then 0xffffffff to BAR0, then read BAR0 back into probe.",
        ko = "먼저 cmd & ~PCI_COMMAND_MEMORY를 써서 디코딩을 끄세요(BAR0가 전부 1인 동안 디바이스가 엉뚱한 주소에 응답하면 안 됩니다). 그다음 BAR0에 0xffffffff를 쓰고 다시 읽어 probe에 담으세요." },
      { en = "Write the saved BAR0 back, then the saved command register (2 bytes only: the status register beside it clears bits written as 1). Do it even if the probe failed.",
        ko = "저장해 둔 BAR0를 먼저 되돌리고, 그다음 command 레지스터를 되돌리세요(2바이트만: 옆의 status 레지스터는 1을 쓰면 비트가 지워집니다). probe가 실패했어도 되돌려야 합니다." },
      { en = "Clear the 4 flag bits of probe; the lowest bit still set is the size: size = ~probe + 1 (in 32 bits).",
        ko = "probe의 하위 플래그 4비트를 지우세요. 남은 비트 중 가장 낮은 비트가 크기입니다: size = ~probe + 1 (32비트로)." },
    },
    checks = {
      addrlab.builds{ timeout = 60 },

      { name = "size", points = 3, timeout = 60,
        title = { en = "finds edu's BAR0 size: exactly 0x100000 (1 MiB)",
                  ko = "edu BAR0의 크기를 정확히 0x100000(1 MiB)으로 잰다" },
        run = function(t)
          local cmd = reset(t)
          local r = t:exec("", { timeout = 30 })
          restore(t, cmd)
          local _, size = result_line(t, r)
          local s, e = resource(t)
          t:expect(size == e - s + 1,
            ("size=0x%x, but the device's BAR0 spans 0x%x bytes (sysfs resource 0x%x-0x%x): size = ~(read back & ~0xf) + 1")
              :format(size, e - s + 1, s, e))
        end },

      { name = "base", points = 2, timeout = 60,
        title = { en = "base is where the firmware put BAR0 (sysfs resource, lspci)",
                  ko = "base가 펌웨어가 BAR0를 둔 곳과 같다 (sysfs resource, lspci)" },
        run = function(t)
          local cmd = reset(t)
          local r = t:exec("", { timeout = 30 })
          restore(t, cmd)
          local base = result_line(t, r)
          local s = resource(t)
          t:expect(base == s,
            ("base=0x%x, but the kernel recorded BAR0 at 0x%x (sysfs resource): read BAR0 at config offset 0x10 before changing it, and mask its 4 flag bits")
              :format(base, s))
          local lspci = t:match(t:run("lspci -v -s 00:02.0").out, "Memory at (%x+)", "lspci -v -s 00:02.0")
          t:expect(base == tonumber(lspci, 16),
            ("base=0x%x, but lspci says \"Memory at %s\""):format(base, lspci))
        end },

      { name = "config-unchanged", points = 3, timeout = 60,
        title = { en = "leaves all 256 configuration bytes as they were (decoding on)",
                  ko = "설정 공간 256바이트를 그대로 남긴다 (디코딩이 켜진 상태에서)" },
        run = function(t)
          local cmd = reset(t)
          -- Memory decoding on, as a driver or a PC's firmware leaves it:
          -- a program that forgets to turn it back on is caught.
          t:run("setpci -s 00:02.0 COMMAND=0002")
          local before = t:run(OD).out
          local r = t:exec("", { timeout = 30 })
          local after = t:run(OD).out
          restore(t, cmd)
          t:eq(#bytes(before), 256, "configuration bytes read before (od -An -v -tx1 " .. CONFIG .. ")")
          same_config(t, before, after, "after bar_size")
          local _, size = result_line(t, r)
          local s, e = resource(t)
          t:expect(size == e - s + 1,
            ("size=0x%x is not BAR0's size: an unchanged configuration space only counts once the program really sizes the BAR")
              :format(size))
        end },

      { name = "order", points = 2, timeout = 60,
        title = { en = "writes BAR0 only while decoding is off, and turns decoding back on last",
                  ko = "디코딩이 꺼진 동안에만 BAR0에 쓰고, 디코딩은 맨 마지막에 다시 켠다" },
        run = function(t)
          local cmd = reset(t)
          t:run("setpci -s 00:02.0 COMMAND=0002")
          local bar = tonumber(t:run("setpci -s 00:02.0 BASE_ADDRESS_0").out, 16)
          -- QEMU lists every configuration write, in order: the guest
          -- cannot hide one.
          t:trace("pci_cfg_write")
          t:exec("", { timeout = 30 })
          local writes = t:traces()
          restore(t, cmd)
          local why = order_problem(writes, 2, bar)
          if why then
            t:fail(why .. " (QEMU saw, in order: " .. writes:gsub("pci_cfg_write edu [%x:.]+ ", "")
                   :gsub("\n$", ""):gsub("\n", "; ") .. ")")
          end
        end },

      { name = "refuses-bound", points = 2, timeout = 60,
        title = { en = "refuses a device that a driver is using, touching nothing",
                  ko = "드라이버가 쓰고 있는 디바이스는 건드리지 않고 거절한다" },
        run = function(t)
          local cmd = reset(t)
          local ins = t:run("insmod " .. EDU_MMIO)
          local before = t:run(OD).out
          local r = t:exec("", { timeout = 30 })
          local after = t:run(OD).out
          local id = t:run("cat " .. DEV .. "/edu/id 2>&1").out
          restore(t, cmd)
          t:eq(ins.status, 0, "insmod edu_mmio.ko (the check's own driver) exit status")
          t:expect(r.status ~= 0 and not r.out:find("base="),
            ("bar_size printed \"%s\" and exited %d while the edu_mmio driver was bound to 0000:00:02.0: it must refuse (exit 1), because sizing moves the BAR away under the driver")
              :format(r.out:gsub("\n$", ""), r.status))
          same_config(t, before, after, "with edu_mmio bound")
          t:eq(id, "0x010000ed\n", "edu's ID register read through the driver afterwards")
        end },
    },
  },
}
