-- Chapter 6: DMA, the DMA API and the IOMMU, on edu's DMA engine.

local RUN = "/sys/kernel/debug/edu_dma/run"
local REPORT = "/sys/kernel/debug/edu_dma/report"
local KO = "/tmp/addrlab/dma_rt.ko"	-- where the grader puts the build

-- Byte i of the exercise's pattern (dma_rt_byte() in dma_rt.c).
local function pattern(n)
  local b = {}
  for i = 0, n - 1 do b[#b + 1] = string.char((i * 31 + 7) % 256) end
  return table.concat(b)
end

-- What the driver printed: its addresses, or why it failed.
local function outcome(t, count)
  local log = t:dmesg()
  local why = log:match("dma_rt [%x:.]+: (%S+ leg: no DMA%-done interrupt[^\n]*)")
  if why then
    t:fail("the device never finished: " .. why
           .. " (is bus mastering on? without pci_set_master() neither the DMA nor its MSI happens)")
  end
  why = log:match("dma_rt [%x:.]+: (round trip failed[^\n]*)")
  if why and why:match("is 0x00,") then
    t:fail("the data came back wrong: " .. why .. ": nothing arrived in the buffer. Was it read "
           .. "before the device had finished (wait for the DMA-done interrupt before unmapping), "
           .. "or was the way back not started (EDU_DMA_TO_RAM)?")
  elseif why then
    t:fail("the data came back wrong: " .. why)
  end
  why = select(2, addrlab.probe_error(log, "dma_rt"))
  if why then t:fail("the driver did not bind: " .. why) end
  t:match(log, "dma_rt [%x:.]+: round trip ok: " .. count .. " bytes\n",
          "the driver's result line after insmod dma_rt.ko count=" .. count)
  local r = {}
  r.to_dma, r.to_phys = log:match("to_device: dma=0x(%x+) phys=0x(%x+)")
  r.from_dma, r.from_phys = log:match("from_device: dma=0x(%x+) phys=0x(%x+)")
  t:expect(r.to_dma and r.from_dma, "the driver did not print its to_device/from_device lines")
  for k, v in pairs(r) do r[k] = tonumber(v, 16) end
  return r
end

-- Interrupts the kernel counted for dma_rt (all CPUs).
local function irq_count(t)
  local line = t:run("grep ' dma_rt$' /proc/interrupts").out
  if line == "" then return 0 end	-- no interrupt: the driver polls
  local n = 0
  for c in line:match(":(.-)%a"):gmatch("%d+") do n = n + tonumber(c) end
  return n
end

-- QEMU's output since `from` (edu complains there).
local function qemu_since(t, from)
  return t:qemu_log():sub(from + 1)
end

local function no_clamping(t, from)
  local clamp = qemu_since(t, from):match("EDU: clamping DMA[^\n]*")
  if clamp then
    t:fail("edu truncated a DMA address to its 28 bits (QEMU said '" .. clamp
           .. "'): the device went to the wrong memory. Did you set the 28-bit DMA mask?")
  end
end

-- Why the IOMMU blocked the device, from the fault's address and kind and
-- the addresses the driver printed: a CPU physical address given to the
-- device, or a mapping whose direction forbids the access.
local function dmar_why(log, fault)
  local kind = fault:match("DMA (%a+)")
  local addr = tonumber(fault:match("fault addr 0x(%x+)") or fault:match("fault addr (%x+)") or "", 16)
  if not addr then return "" end
  local page = addr & ~0xfff
  for _, leg in ipairs({ "to", "from" }) do
    local dma, phys = log:match(leg .. "_device: dma=0x(%x+) phys=0x(%x+)")
    dma, phys = tonumber(dma or "", 16), tonumber(phys or "", 16)
    if phys and page == phys & ~0xfff and page ~= (dma or 0) & ~0xfff then
      return string.format(" (0x%x is the %s buffer's CPU physical address: behind an IOMMU the "
        .. "device reaches only the DMA address dma_map_single() returned, 0x%x. Program edu with "
        .. "the dma_addr_t, never virt_to_phys())", addr, leg .. "_device", dma or 0)
    end
    if dma and page == dma & ~0xfff then
      local want = leg == "to" and "DMA_TO_DEVICE (the device reads it)" or "DMA_FROM_DEVICE (the device writes it)"
      return string.format(" (the device's %s of the %s buffer at IOVA 0x%x was refused: a mapping's "
        .. "direction is its permission; this leg's buffer needs %s)", kind and kind:lower() or "access",
        leg .. "_device", dma, want)
    end
  end
  return string.format(" (0x%x is neither buffer's DMA address as your driver printed them: edu was "
    .. "given an address no mapping covers)", addr)
end

-- The device's memory, read by QEMU from the host: the pattern must be there.
local function landed(t, r, count)
  t:eq(t:phys(r.from_phys, count), pattern(count), string.format(
    "the %d bytes at from_device phys=0x%x, read by QEMU from the host", count, r.from_phys))
end

return {
  id = "ch6",
  number = 6,
  title = { en = "DMA and the IOMMU", ko = "DMA와 IOMMU" },
  text = { en = "en.md", ko = "ko.md" },
  module = "edu_dma",

  views = {
    { id = "streaming",
      title = { en = "A streaming round trip of 4095 bytes", ko = "4095바이트 스트리밍 왕복" },
      run = "echo 'streaming 4095' > " .. RUN .. " && cat " .. REPORT,
      highlight = "_device_%a+=0x" },
    { id = "coherent",
      title = { en = "The same through a coherent buffer", ko = "같은 일을 coherent 버퍼로" },
      run = "echo 'coherent 4095' > " .. RUN .. " && cat " .. REPORT,
      highlight = "_device_dma=0x" },
    { id = "iommu", profile = "iommu",
      title = { en = "The streaming round trip behind an IOMMU (q35)",
                ko = "IOMMU 뒤에서의 스트리밍 왕복 (q35)" },
      run = "echo 'streaming 4095' > " .. RUN .. " && cat " .. REPORT,
      highlight = "_device_%a+=0x" },
    { id = "interrupts",
      title = { en = "The DMA-done interrupts (MSI)", ko = "DMA 완료 인터럽트 (MSI)" },
      run = "echo 'streaming 64' > " .. RUN .. " && grep -e CPU -e edu_dma /proc/interrupts",
      highlight = "edu_dma" },
    { id = "probe",
      title = { en = "What the driver said at probe", ko = "드라이버가 probe 때 남긴 말" },
      run = "dmesg | grep 'edu_dma 0000'",
      highlight = "DMA mask 0x%x+" },
    { id = "lspci",
      title = { en = "edu with the driver bound", ko = "드라이버가 붙은 edu" },
      run = "lspci -v -d 1234:11e8",
      highlight = "bus master" },
  },

  quizzes = {
    { id = "iova-bits", kind = "number", profile = "iommu",
      question = {
        en = "In the iommu view, how many bits does to_device_dma need (the position of its highest 1 bit, counting from 1)?",
        ko = "iommu 뷰에서 to_device_dma는 몇 비트짜리 값인가요? (가장 높은 1 비트의 위치, 1부터 셈)" },
      answer = function(vm)
        local out = vm:run("echo 'streaming 4095' > " .. RUN .. " && cat " .. REPORT).out
        local v = tonumber(vm:match(out, "to_device_dma=0x(%x+)", "to_device_dma in the report"), 16)
        local bits = 0
        while v > 0 do v = v >> 1; bits = bits + 1 end
        return tostring(bits)
      end,
      explain = {
        en = "28, the width of edu's DMA mask: the IOMMU driver hands out IOVAs from the top of the mask down, wherever the buffer really is. The device only ever puts addresses it can express on the bus, and the IOMMU's tables translate them, so a 28-bit device can reach any page of RAM.",
        ko = "28, edu의 DMA 마스크 폭입니다. IOMMU 드라이버는 버퍼가 실제로 어디 있든 마스크 꼭대기부터 아래로 IOVA를 나눠 줍니다. 디바이스는 자기가 표현할 수 있는 주소만 버스에 싣고, 그 주소를 IOMMU 테이블이 번역하므로 28비트 디바이스도 RAM의 어느 페이지에나 닿을 수 있습니다." } },
    { id = "irqs-per-trip", kind = "number",
      question = {
        en = "How many interrupts does one streaming round trip of edu_dma take?",
        ko = "edu_dma의 스트리밍 왕복 한 번에는 인터럽트가 몇 번 필요할까요?" },
      answer = function(vm)
        return tonumber(vm:run("echo 'streaming 100' > " .. RUN .. " && cat " .. REPORT)
                        .out:match("\nirqs=(%d+)"))
      end,
      explain = {
        en = "Two: one DMA-done MSI per leg (RAM to edu, then edu to RAM). The driver starts a leg, sleeps on a completion, and the interrupt handler wakes it. (Measured just now: irqs= in the report.)",
        ko = "두 번입니다. 왕복의 각 구간(RAM→edu, edu→RAM)마다 DMA 완료 MSI가 하나씩 옵니다. 드라이버는 구간을 시작하고 completion에서 잠들며, 인터럽트 핸들러가 깨워 줍니다. (방금 잰 값: 리포트의 irqs=)" } },
    { id = "mask", kind = "text",
      question = {
        en = "Which DMA mask does edu_dma set in this lab VM? (hex, as the report's mask= shows it)",
        ko = "이 랩 VM에서 edu_dma가 설정한 DMA 마스크는 무엇인가요? (리포트의 mask= 처럼 16진수로)" },
      answer = function(vm)
        return vm:run("cat " .. REPORT).out:match("\nmask=(0x%x+)")
      end,
      explain = {
        en = "DMA_BIT_MASK(28) = 0xfffffff: edu's engine keeps only 28 bits of a RAM address, so it can reach the first 256 MiB of bus addresses.",
        ko = "DMA_BIT_MASK(28) = 0xfffffff입니다. edu의 DMA 엔진은 RAM 주소의 하위 28비트만 쓰므로 버스 주소 256 MiB까지만 닿습니다." } },
    { id = "bus-minus-phys", kind = "number",
      question = {
        en = "In the streaming view, subtract to_device_phys from to_device_dma. What is the difference in this lab VM? (a number)",
        ko = "streaming 뷰에서 to_device_dma에서 to_device_phys를 빼 보세요. 이 랩 VM에서 그 차이는 얼마인가요? (숫자)" },
      answer = function(vm)
        local out = vm:run("echo 'streaming 64' > " .. RUN .. " && cat " .. REPORT).out
        local dma = tonumber(out:match("\nto_device_dma=0x(%x+)"), 16)
        local phys = tonumber(out:match("\nto_device_phys=0x(%x+)"), 16)
        return dma - phys
      end,
      explain = {
        en = "0: the plain lab VM has no IOMMU (the report says iommu=no), so the bus address the DMA API returned in a dma_addr_t is the physical address itself. In the IOMMU profile the same run gives an IOVA below 2^28 that has nothing to do with the physical address.",
        ko = "0입니다. 기본 랩 VM에는 IOMMU가 없으므로(리포트의 iommu=no) DMA API가 dma_addr_t로 돌려준 버스 주소가 곧 물리 주소입니다. IOMMU 프로파일에서 같은 일을 하면 물리 주소와 전혀 상관없는, 2^28 아래의 IOVA가 나옵니다." } },
    { id = "dma-none", kind = "choice",
      question = {
        en = "A driver does not know yet whether the device will read or write a buffer. Which direction should it map it with?",
        ko = "디바이스가 버퍼를 읽을지 쓸지 드라이버가 아직 모릅니다. 어떤 방향으로 매핑해야 할까요?" },
      choices = { "DMA_NONE", "DMA_BIDIRECTIONAL", "DMA_TO_DEVICE",
                  { en = "Any: x86 ignores the direction", ko = "아무거나: x86은 방향을 무시한다" } },
      answer = 2,
      explain = {
        en = "DMA_BIDIRECTIONAL. DMA_NONE is a sentinel for debugging ('no direction set yet'); mapping with it trips a BUG_ON in the DMA API. And the direction is not ignored: behind an IOMMU it becomes the mapping's read/write permission, and on non-coherent CPUs it decides which caches are flushed or invalidated.",
        ko = "DMA_BIDIRECTIONAL입니다. DMA_NONE은 '아직 방향이 정해지지 않음'을 나타내는 디버깅용 표시일 뿐이고, 그 값으로 매핑하면 DMA API의 BUG_ON에 걸립니다. 방향이 무시되지도 않습니다. IOMMU 뒤에서는 매핑의 읽기/쓰기 권한이 되고, 캐시 일관성이 없는 CPU에서는 어느 캐시를 비우거나 무효화할지를 정합니다." } },
    { id = "contiguous", kind = "choice",
      question = {
        en = "When must a DMA buffer be physically contiguous?",
        ko = "DMA 버퍼가 물리적으로 연속이어야 하는 것은 언제일까요?" },
      choices = {
        { en = "Always: a device cannot do DMA otherwise", ko = "항상: 그렇지 않으면 디바이스가 DMA를 못 한다" },
        { en = "When one mapping must cover it without an IOMMU and the device has no scatter-gather", ko = "IOMMU가 없고 디바이스가 scatter-gather를 못 하는데 매핑 하나로 다뤄야 할 때" },
        { en = "Only behind an IOMMU", ko = "IOMMU 뒤에 있을 때만" },
        { en = "Never: the DMA API copies it", ko = "전혀: DMA API가 알아서 복사한다" },
      },
      answer = 2,
      explain = {
        en = "A device that takes one address and a length walks the bus linearly. Without an IOMMU the bus addresses are physical, so the pages must be neighbours; an IOMMU can make scattered pages look contiguous (the coherent run in the IOMMU profile shows it), and a scatter-gather device takes a list of pieces.",
        ko = "주소 하나와 길이만 받는 디바이스는 버스 주소를 차례로 훑습니다. IOMMU가 없으면 버스 주소가 곧 물리 주소이니 페이지들이 붙어 있어야 합니다. IOMMU는 흩어진 페이지를 연속인 것처럼 보이게 할 수 있고(IOMMU 프로파일의 coherent 실행이 그렇습니다), scatter-gather 디바이스는 조각 목록을 받습니다." } },
    { id = "dynamic", kind = "choice",
      question = {
        en = "In streaming DMA, when may the CPU read what the device wrote into a DMA_FROM_DEVICE buffer?",
        ko = "스트리밍 DMA에서 디바이스가 DMA_FROM_DEVICE 버퍼에 쓴 내용을 CPU는 언제 읽어도 될까요?" },
      choices = {
        { en = "As soon as the DMA-done interrupt arrives", ko = "DMA 완료 인터럽트가 오자마자" },
        { en = "After dma_unmap_single() (or dma_sync_single_for_cpu())", ko = "dma_unmap_single()(또는 dma_sync_single_for_cpu()) 뒤에" },
        { en = "Any time: the buffer is in RAM", ko = "언제든: 버퍼는 RAM에 있다" },
        { en = "Only through the dma_addr_t", ko = "dma_addr_t를 통해서만" },
      },
      answer = 2,
      explain = {
        en = "While mapped, the buffer belongs to the device. Unmapping (or syncing for the CPU) gives it back: on CPUs without coherent DMA that is when stale cache lines are invalidated, and behind an IOMMU the unmap also closes the device's window onto that memory. The CPU never dereferences a dma_addr_t.",
        ko = "매핑되어 있는 동안 버퍼는 디바이스의 것입니다. 언매핑(또는 CPU 쪽 sync)이 소유권을 CPU로 돌려줍니다. DMA 캐시 일관성이 없는 CPU에서는 이때 낡은 캐시 라인이 무효화되고, IOMMU 뒤에서는 디바이스가 그 메모리를 들여다보던 창도 닫힙니다. CPU는 dma_addr_t를 역참조하지 않습니다." } },
  },

  exercise = {
    id = "dma-roundtrip",
    kind = "module",
    title = { en = "dma_rt: a streaming DMA round trip through edu", ko = "dma_rt: edu를 거치는 스트리밍 DMA 왕복" },
    files = { "dma_rt.c" },
    hints = {
      { en = "For RAM -> edu: writeq(ram, bar + EDU_REG_DMA_SRC), writeq(EDU_DMA_BUF_ADDR, bar + EDU_REG_DMA_DST); the other way round for edu -> RAM. Then writeq(len, ... EDU_REG_DMA_COUNT) and writeq(EDU_DMA_START | EDU_DMA_IRQ | (to_ram ? EDU_DMA_TO_RAM : 0), ... EDU_REG_DMA_CMD); left = wait_for_completion_timeout(&rt->done, msecs_to_jiffies(DMA_RT_TIMEOUT_MS)).",
        ko = "RAM → edu는 writeq(ram, bar + EDU_REG_DMA_SRC), writeq(EDU_DMA_BUF_ADDR, bar + EDU_REG_DMA_DST)이고, edu → RAM은 그 반대입니다. 이어서 writeq(len, ... EDU_REG_DMA_COUNT), writeq(EDU_DMA_START | EDU_DMA_IRQ | (to_ram ? EDU_DMA_TO_RAM : 0), ... EDU_REG_DMA_CMD), 그리고 left = wait_for_completion_timeout(&rt->done, msecs_to_jiffies(DMA_RT_TIMEOUT_MS))." },
      { en = "to_dma = dma_map_single(dev, src, count, DMA_TO_DEVICE): the device only reads src. If dma_mapping_error(dev, to_dma), set ret = -ENOMEM and goto out. Never test the dma_addr_t against 0.",
        ko = "to_dma = dma_map_single(dev, src, count, DMA_TO_DEVICE): 디바이스는 src를 읽기만 합니다. dma_mapping_error(dev, to_dma)이면 ret = -ENOMEM; goto out. dma_addr_t를 0과 비교하지 마세요." },
      { en = "dma_unmap_single(dev, to_dma, count, DMA_TO_DEVICE), whether the leg worked or not.",
        ko = "구간이 성공했든 실패했든 dma_unmap_single(dev, to_dma, count, DMA_TO_DEVICE)." },
      { en = "from_dma = dma_map_single(dev, rt->dst, count, DMA_FROM_DEVICE): the device only writes it. Check with dma_mapping_error() as before.",
        ko = "from_dma = dma_map_single(dev, rt->dst, count, DMA_FROM_DEVICE): 디바이스는 쓰기만 합니다. 앞에서처럼 dma_mapping_error()로 확인하세요." },
      { en = "dma_unmap_single(dev, from_dma, count, DMA_FROM_DEVICE), before the loop that compares rt->dst.",
        ko = "rt->dst를 비교하는 루프보다 먼저 dma_unmap_single(dev, from_dma, count, DMA_FROM_DEVICE)." },
      { en = "pci_set_master(pdev). An MSI is a memory write by the device too: without bus mastering neither the DMA nor its interrupt happens.",
        ko = "pci_set_master(pdev). MSI도 디바이스가 하는 메모리 쓰기입니다. 버스 마스터링이 꺼져 있으면 DMA도, 그 인터럽트도 일어나지 않습니다." },
      { en = "ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(EDU_DMA_BITS)); on failure goto unmap. The default mask is 32 bits: behind an IOMMU the IOVAs would land above 2^28 and edu would truncate them.",
        ko = "ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(EDU_DMA_BITS)); 실패하면 goto unmap. 기본 마스크는 32비트라서, IOMMU 뒤에서는 IOVA가 2^28 위로 잡히고 edu가 그것을 잘라 버립니다." },
      { en = "if (count < 1 || count > EDU_DMA_MAX_COUNT) return -EINVAL; before pci_register_driver(). A transfer from 0x40000 must end below 0x41000 in QEMU before 8.2.1 (Debian 12's 7.2), so 4095 bytes at most: the limit every QEMU takes.",
        ko = "pci_register_driver() 전에 if (count < 1 || count > EDU_DMA_MAX_COUNT) return -EINVAL;. 8.2.1보다 오래된 QEMU(Debian 12의 7.2)에서는 0x40000에서 시작한 전송이 0x41000 전에 끝나야 하므로 최대 4095바이트이고, 이것이 모든 QEMU가 받는 한도입니다." },
    },
    checks = {
      addrlab.builds(),

      addrlab.sparse(),

      { name = "roundtrip", points = 3, timeout = 90,
        title = { en = "4095 bytes go to edu and back, one MSI per leg if it interrupts (no IOMMU)",
                  ko = "4095바이트가 edu에 갔다가 돌아오고, 인터럽트를 쓴다면 구간마다 MSI가 한 번 온다 (IOMMU 없음)" },
        run = function(t)
          local q = #t:qemu_log()
          t:insmod("count=4095")
          local r = outcome(t, 4095)
          no_clamping(t, q)
          t:eq(string.format("0x%x", r.to_dma), string.format("0x%x", r.to_phys),
               "to_device dma= versus phys= (without an IOMMU the DMA address is the physical address)")
          -- An interrupt per leg, or none at all for a driver that polls.
          local irqs = irq_count(t)
          if irqs ~= 0 then
            t:eq(irqs, 2, "interrupts in /proc/interrupts for dma_rt (one DMA-done MSI per leg)")
          end
          landed(t, r, 4095)
        end },

      { name = "roundtrip-iommu", points = 3, timeout = 120, profile = "iommu",
        title = { en = "the round trip works behind an IOMMU: IOVAs below 2^28, no DMAR fault",
                  ko = "IOMMU 뒤에서도 왕복이 된다: IOVA는 2^28 아래, DMAR 폴트 없음" },
        run = function(t)
          local q = #t:qemu_log()
          t:insmod("count=1000")
          no_clamping(t, q)
          local fault = t:dmesg():match("DMAR: %[DMA [^\n]*")
          if fault then
            t:fail("the IOMMU blocked the device: " .. fault .. dmar_why(t:dmesg(), fault))
          end
          local r = outcome(t, 1000)
          for _, leg in ipairs({ "to", "from" }) do
            local dma, phys = r[leg .. "_dma"], r[leg .. "_phys"]
            t:expect(dma < 0x10000000, string.format(
              "%s_device dma=0x%x is not below 2^28: edu keeps only 28 bits (set the DMA mask)", leg, dma))
            t:expect(dma ~= phys, string.format(
              "%s_device dma=0x%x equals phys: behind the IOMMU it should be an IOVA", leg, dma))
          end
          landed(t, r, 1000)
        end },

      { name = "checks-mappings", points = 1, timeout = 30,
        title = { en = "every dma_map_* is checked with dma_mapping_error() (read in the source)",
                  ko = "모든 dma_map_* 결과를 dma_mapping_error()로 확인한다 (소스에서 확인)" },
        run = function(t)
          -- This kernel has no CONFIG_DMA_API_DEBUG: an unchecked mapping
          -- cannot be seen at run time, so count the calls in the source.
          t:build() -- what does not build has no behaviour to read
          local src = addrlab.code(t:source("dma_rt.c"))
          local maps, checks = 0, 0
          for _ in src:gmatch("dma_map_single%s*%(") do maps = maps + 1 end
          for _ in src:gmatch("dma_map_page%s*%(") do maps = maps + 1 end
          for _ in src:gmatch("dma_mapping_error%s*%(") do checks = checks + 1 end
          t:expect(checks >= maps, string.format("dma_rt.c maps %d time%s (dma_map_single/dma_map_page) "
            .. "but calls dma_mapping_error() %d time%s: a mapping can fail (no IOVA space, a bounce "
            .. "buffer full), and a failed one is no address. Check each before giving it to the "
            .. "device. (Read in your source: this kernel is built without CONFIG_DMA_API_DEBUG, so a "
            .. "run cannot show an unchecked mapping)", maps, maps == 1 and "" or "s", checks,
            checks == 1 and "" or "s"))
        end },

      { name = "refuses-bad-count", points = 2, timeout = 90,
        title = { en = "count=4096 and count=0 are refused, and QEMU survives",
                  ko = "count=4096과 count=0은 거절되고 QEMU는 살아 있다" },
        run = function(t)
          t:insmod("count=1")	-- puts the module into the VM
          t:rmmod()
          for _, n in ipairs({ 4096, 0 }) do
            -- (A module that loads anyway is taken out again.)
            local r = t:run("insmod " .. KO .. " count=" .. n
                            .. "; s=$?; rmmod dma_rt 2>/dev/null; exit $s")
            t:expect(r.status ~= 0, "insmod dma_rt.ko count=" .. n .. " succeeded: it must fail with EINVAL"
                     .. (n == 0 and "" or " (count is 1 to EDU_DMA_MAX_COUNT, 4095: QEMU before 8.2.1 aborts on a "
                         .. "4096-byte transfer, and the driver must work on every QEMU)"))
            t:match(r.err, "Invalid argument", "insmod dma_rt.ko count=" .. n)
          end
        end },

      { name = "unloads", points = 2, timeout = 90,
        title = { en = "unloads cleanly: region, interrupt and module gone; loads again",
                  ko = "깨끗이 언로드된다: 영역, 인터럽트, 모듈이 사라지고 다시 로드된다" },
        run = function(t)
          for round = 1, 2 do
            t:insmod("count=100")
            t:rmmod()
            t:eq(t:run("grep -c dma_rt /proc/iomem /proc/interrupts /proc/modules").out,
                 "/proc/iomem:0\n/proc/interrupts:0\n/proc/modules:0\n",
                 "dma_rt lines left after rmmod, round " .. round)
          end
          local n = 0
          for _ in t:dmesg():gmatch("round trip ok: 100 bytes") do n = n + 1 end
          t:eq(n, 2, "round trips that worked in two loads")
          local bad = addrlab.complaint(t)
          t:expect(not bad, "the kernel complained: " .. tostring(bad))
        end },

      { name = "iommu-unmapped", points = 2, timeout = 120, profile = "iommu",
        title = { en = "after the round trip the device can no longer reach either buffer",
                  ko = "왕복이 끝난 뒤에는 디바이스가 어느 버퍼에도 닿지 못한다" },
        run = function(t)
          t:insmod("count=64")
          local r = outcome(t, 64)
          t:rmmod()
          -- Drive edu by hand, as a device gone astray would: read one byte
          -- at the first buffer's IOVA, write one at the second's.  Both
          -- mappings must be gone, so the IOMMU must stop both.
          local out = t:run(string.format([[
d=/sys/bus/pci/devices/0000:$(lspci -d 1234:11e8 | cut -d' ' -f1)
b=$(($(cut -d' ' -f1 $d/resource | head -n 1)))
cmd=$(setpci -s ${d#*0000:} COMMAND)
setpci -s ${d#*0000:} COMMAND=0x0006
dma() { devmem $((b + 0x80)) 64 $1; devmem $((b + 0x88)) 64 $2; devmem $((b + 0x90)) 64 1
  devmem $((b + 0x98)) 64 $3
  for i in $(seq 50); do [ $(($(devmem $((b + 0x98)) 64) & 1)) = 0 ] && break; sleep 0.1; done; }
dma 0x%x 0x40000 1
dma 0x40000 0x%x 3
sleep 0.5
setpci -s ${d#*0000:} COMMAND=$cmd
dmesg | grep 'DMAR: \[DMA' || true
]], r.to_dma, r.from_dma), { timeout = 60 }).out
          local function page(a) return string.format("0x%x", a & ~0xfff) end
          t:expect(out:find("DMA Read[^\n]*fault addr " .. page(r.to_dma)), string.format(
            "the device could still read the to_device buffer at IOVA 0x%x after the driver was gone: it was never unmapped (dma_unmap_single)",
            r.to_dma))
          t:expect(out:find("DMA Write[^\n]*fault addr " .. page(r.from_dma)), string.format(
            "the device could still write the from_device buffer at IOVA 0x%x after the driver was gone: it was never unmapped (dma_unmap_single)",
            r.from_dma))
        end },
    },
  },
}
