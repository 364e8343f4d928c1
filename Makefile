# addrlab - top-level build.  Everything built lands under build/.
#
#   make            build the tools, the guest image and the modules
#   make run        install missing packages, build, open the workbook
#   make check      install missing packages, build, run every test
#   make check-debian13  the whole make check again in a Debian 13 root (on Debian 12)
#   make image      the grading image addrlab:TAG and :latest (podman; Debian's archive only)
#   make bench      install missing packages, build, print the benchmarks
#   make fuzz       install missing packages, run each fuzz target FUZZ_SECONDS
#   make check SAN=1  the unit and VM suites built with ASan+UBSan in build-san/
#   make install    PREFIX=/usr/local DESTDIR=
#   make clean
#
# KVER=V picks the guest kernel (default: the distribution's own, see
# scripts/kver.sh).  make check also tests a second kernel series when one is
# installed (6.12 on Debian 12: the set-up installs it), in build-V/.

# SAN=1: our host programs and tests built with AddressSanitizer and
# UndefinedBehaviorSanitizer, in a build folder of their own.
ifeq ($(SAN),1)
B        := build-san
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
else
B        := build
SAN_FLAGS :=
endif
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= gcc
CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-unused-parameter
ALL_CFLAGS = -std=c11 $(WARN) $(CFLAGS) $(SAN_FLAGS) -Ivm -Igrader $(LUA_CFLAGS) -MMD -MP
JANSSON_LIBS := -ljansson
CUNIT_LIBS   := -lcunit
# Debian's liblua5.4-dev (spelled out: pkg-config may not be there before deps).
LUA_CFLAGS   := -I/usr/include/lua5.4
LUA_LIBS     := -llua5.4 -lm

VM_SRCS  := vm/proto.c vm/vm.c vm/boot.c vm/snapshot.c
VM_OBJS  := $(VM_SRCS:%.c=$(B)/obj/%.o)
VM_LIB   := $(B)/lib/libaddrlab-vm.a
GRADER_SRCS := grader/lrt.c grader/lpattern.c grader/lesson.c grader/landlock.c grader/sandbox.c grader/build.c grader/check.c grader/report.c grader/clean.c grader/paths.c grader/exercise.c grader/lint.c grader/gradebook.c grader/workdir.c grader/memcg.c grader/kbuild.c
GRADER_LIB  := $(B)/lib/libaddrlab-grader.a

# The workbook: main.c and cmd_*.c are the front end (option parsing and
# screens); every other tui/*.c is a library module the unit tests link too.
ADDRLAB_SRCS := tui/main.c $(sort $(wildcard tui/cmd_*.c))
TUI_SRCS     := $(filter-out $(ADDRLAB_SRCS),$(sort $(wildcard tui/*.c)))
TUI_LIB      := $(B)/lib/libaddrlab-tui.a
TUI_LIBS     := -lncursesw -lcmark -lpthread
# Every tests/unit/test_NAME.c defines register_NAME_tests(); the runner
# calls them all (build/tests/unit_suites.h is generated from the file names).
UNIT_SUITES  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_SRCS    := tests/unit/runner.c $(UNIT_SUITES) vm/guest/request.c
# Every tests/vm/test_NAME.c defines register_NAME_tests(); the runner
# calls them all (build/tests/vm_suites.h is generated from the file names).
VMTEST_SUITES := $(sort $(wildcard tests/vm/test_*.c))
VMTEST_SRCS  := tests/vm/runner.c tests/vm/common.c $(VMTEST_SUITES)

# Fuzzing (make fuzz): each tests/fuzz/NAME.c is a libFuzzer target
# build/fuzz/NAME built by clang with the sources it reaches, its seeds in
# tests/fuzz/corpus/NAME/ and maybe a dictionary tests/fuzz/NAME.dict.
FUZZ_CC ?= $(shell for c in clang clang-16 clang-15 clang-14; do \
		command -v $$c >/dev/null 2>&1 && { echo $$c; break; }; done)
FUZZ_SECONDS ?= 300
FUZZ_CHECK_SECONDS ?= 5
FUZZ_JOBS ?= 1
FUZZ_CFLAGS := -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer -Wall -Wno-unused-parameter
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/*.c))
FUZZ_BINS := $(FUZZ_TARGETS:%=$(B)/fuzz/%)

FUZZ_SRCS_host_frames  := vm/proto.c
FUZZ_SRCS_agent_frames := vm/proto.c vm/guest/request.c
FUZZ_SRCS_lesson       := grader/lesson.c grader/lrt.c grader/lpattern.c
FUZZ_LIBS_lesson       := $(LUA_LIBS)
FUZZ_SRCS_md           := tui/md.c tui/text.c
FUZZ_LIBS_md           := -lcmark

BINS := $(B)/bin/addrlab $(B)/bin/addrlab-grade
GUEST := $(B)/guest/vmlinux $(B)/guest/initrd.cpio $(B)/guest/kver
KMOD_SRCS := $(wildcard kmod/*.c)
KMODS := $(KMOD_SRCS:kmod/%.c=$(B)/kmod/%.ko)
# Guest tools: each kmod/tools/NAME.c is a static program, /usr/bin/NAME in the guest.
TOOL_SRCS := $(wildcard kmod/tools/*.c)
TOOLS := $(TOOL_SRCS:kmod/tools/%.c=$(B)/guest/tools/%)
TESTKO := $(B)/tests/kmod/vmtest.ko

.PHONY: all deps run check check-debian13 image bench fuzz fuzz-build install clean sparse _run _check _check_kernel _check_san _bench _fuzz _image FORCE
.DEFAULT_GOAL := all

all: $(BINS) $(GUEST) $(B)/exercises/.stamp $(B)/tests/unit-tests $(B)/tests/vm-tests $(TESTKO) $(B)/tests/physprobe $(B)/bench/bench-vm $(B)/bench/bench-grade $(B)/bench/bench-tui

# ---- the two commands, and their set-up ----

deps:
	@scripts/deps.sh

# Re-enter make after deps: what we build depends on what deps installed.
run: deps
	@$(MAKE) --no-print-directory _run
ifeq ($(SAN),1)
check: deps
	@$(MAKE) --no-print-directory _check_san
else
check: deps
	@$(MAKE) --no-print-directory _check
endif
bench: deps
	@$(MAKE) --no-print-directory _bench
# Debian 13 (kernel 6.12, QEMU 10) in a debootstrap root: a fresh copy of
# this tree, its own set-up, then make check there.
check-debian13:
	scripts/debian13-check.sh check
# The grading image (podman import of a debootstrapped root; scripts/image.sh
# says what goes in): the programs, the guest and the skeletons, never the
# reference solutions.  Rebuilt only when one of its inputs changed.
image: deps
	@$(MAKE) --no-print-directory _image
fuzz: deps
	@$(MAKE) --no-print-directory _fuzz

_run: all
	$(B)/bin/addrlab

_check: all $(FUZZ_BINS)
	@echo "== sparse on the chapter modules"
	@$(MAKE) --no-print-directory sparse
	@echo "== unit tests"
	$(B)/tests/unit-tests
	tests/scripts-test.sh
	@echo "== fuzz targets, briefly (make fuzz runs them for longer)"
	tests/fuzz/run.sh $(B)/fuzz $(FUZZ_CHECK_SECONDS)
	@echo "== lab VM integration tests"
	$(B)/tests/vm-tests
	@echo "== the workbook on a terminal (tmux screen tests)"
	tests/tui/screen-tests.sh $(B)
	@echo "== lessons: lint (reference full marks, skeleton not, every mutant rejected)"
	$(B)/bin/addrlab-grade lint -j 2
	@if [ "$${ADDRLAB_CONTAINER_TESTS:-1}" = 0 ]; then echo "== containers: not here (ADDRLAB_CONTAINER_TESTS=0)"; \
	 else echo "== the grading image in podman containers (make image first)"; tests/containers.sh $(B); fi
	@k=$$(scripts/kver.sh --second); \
	 if [ -z "$$k" ]; then echo "== no second kernel series installed: tested on $$(cat $(B)/kver) only"; \
	 else echo "== kernel $$k: sparse, the chapter modules' VM suites, every reference solution"; \
	   $(MAKE) --no-print-directory B=build-$$k KVER=$$k _check_kernel; fi

_image: $(BINS) $(GUEST) $(B)/exercises/.stamp
	scripts/image.sh $(B)

# The same tree on a second kernel (B=build-V KVER=V): what depends on the
# kernel's API.  Mutants stay on the default kernel (lint above).
_check_kernel: $(BINS) $(GUEST) $(B)/exercises/.stamp $(B)/tests/vm-tests $(TESTKO) $(B)/tests/physprobe
	@$(MAKE) --no-print-directory sparse
	$(B)/tests/vm-tests ch1 ch2 ch3 ch4 ch5 ch6
	tests/references.sh $(B)

# The sanitizer build (SAN=1): the unit suite, then the VM suites (all, or
# those whose names contain one of VM_SUITES).  Only our own programs are
# instrumented: QEMU, bwrap and the static guest programs are not.
_check_san: $(B)/tests/unit-tests $(B)/tests/vm-tests $(BINS) $(GUEST) $(TESTKO) $(B)/tests/physprobe $(B)/exercises/.stamp
	@echo "== unit tests, then lab VM integration tests (ASan, UBSan)"
	@$(B)/tests/unit-tests; unit=$$?; $(B)/tests/vm-tests $(VM_SUITES); vm=$$?; \
	 [ $$unit = 0 ] && [ $$vm = 0 ]

# Every figure is measured even when an earlier one misses its target;
# the exit status says whether all were met.
_bench: all
	@$(B)/bench/bench-tui; tui=$$?; $(B)/bench/bench-vm; vm=$$?; \
	 $(B)/bench/bench-grade; grade=$$?; bench/containers.sh $(B); ctr=$$?; \
	 [ $$tui = 0 ] && [ $$vm = 0 ] && [ $$grade = 0 ] && [ $$ctr = 0 ]

# ---- host programs ----

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(VM_LIB): $(VM_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(GRADER_LIB): $(GRADER_SRCS:%.c=$(B)/obj/%.o)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(TUI_LIB): $(TUI_SRCS:%.c=$(B)/obj/%.o)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/bin/addrlab: $(ADDRLAB_SRCS:%.c=$(B)/obj/%.o) $(TUI_LIB) $(GRADER_LIB) $(VM_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $^ $(TUI_LIBS) $(JANSSON_LIBS) $(LUA_LIBS) -lsqlite3

$(B)/bin/addrlab-grade: $(B)/obj/grader/main.o $(B)/obj/grader/cli.o $(B)/obj/grader/batch.o $(B)/obj/grader/new.o $(B)/obj/grader/bundle.o $(GRADER_LIB) $(VM_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $^ $(JANSSON_LIBS) $(LUA_LIBS) -lsqlite3 -lzip

$(B)/tests/unit_suites.h: FORCE
	@mkdir -p $(@D)
	@new=$$(for f in $(UNIT_SUITES:tests/unit/test_%.c=%); do echo "SUITE($$f)"; done); \
	 [ "$$(cat $@ 2>/dev/null)" = "$$new" ] || echo "$$new" >$@

$(B)/obj/tests/unit/runner.o: $(B)/tests/unit_suites.h
$(B)/obj/tests/unit/%.o: ALL_CFLAGS += -I$(B)/tests -Itui

$(B)/tests/unit-tests: $(UNIT_SRCS:%.c=$(B)/obj/%.o) $(TUI_LIB) $(GRADER_LIB) $(VM_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $^ $(TUI_LIBS) $(JANSSON_LIBS) $(LUA_LIBS) -lsqlite3 $(CUNIT_LIBS)

$(B)/tests/vm_suites.h: FORCE
	@mkdir -p $(@D)
	@new=$$(for f in $(VMTEST_SUITES:tests/vm/test_%.c=%); do echo "SUITE($$f)"; done); \
	 [ "$$(cat $@ 2>/dev/null)" = "$$new" ] || echo "$$new" >$@

$(B)/obj/tests/vm/runner.o: $(B)/tests/vm_suites.h
$(B)/obj/tests/vm/%.o: ALL_CFLAGS += -I$(B)/tests -Ikmod

$(B)/tests/vm-tests: $(VMTEST_SRCS:%.c=$(B)/obj/%.o) $(VM_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $^ $(JANSSON_LIBS) $(CUNIT_LIBS)

$(B)/bench/bench-vm: $(B)/obj/bench/bench_vm.o $(VM_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $^ $(JANSSON_LIBS)

$(B)/bench/bench-grade: $(B)/obj/bench/bench_grade.o $(GRADER_LIB) $(VM_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $^ $(JANSSON_LIBS) $(LUA_LIBS) -lsqlite3

$(B)/bench/bench-tui: $(B)/obj/bench/bench_tui.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $^ -lutil

# A static guest-side helper for the tests: physical addresses of a file's pages.
$(B)/tests/physprobe: tests/vm/physprobe.c
	@mkdir -p $(@D)
	$(CC) -std=c11 $(WARN) -O2 -static -o $@ $<

# The students' skeletons, generated from the reference solutions' step
# markers (so the two never drift): build/exercises/ID/FILE.
$(B)/exercises/.stamp: $(B)/bin/addrlab-grade $(B)/guest/kver $(wildcard lessons/*/lesson.lua) $(wildcard exercises/*/solution/*)
	@mkdir -p $(@D)
	$(B)/bin/addrlab-grade skeleton $(@D)
	@touch $@

# ---- the guest ----

# The kernel version, re-checked on every run; the file changes (and so
# rebuilds the guest) only when the version does.
$(B)/kver: FORCE
	@mkdir -p $(@D)
	@v=$$(scripts/kver.sh $(KVER)) || exit 1; \
	 [ "$$(cat $@ 2>/dev/null)" = "$$v" ] || echo "$$v" >$@

$(B)/guest/agent: vm/guest/agent.c vm/guest/request.c vm/guest/request.h vm/proto.c vm/proto.h
	@mkdir -p $(@D)
	$(CC) -std=c11 $(WARN) -O2 -static -o $@ vm/guest/agent.c vm/guest/request.c vm/proto.c

# The kernel the guest runs, beside the image: the grader builds against it.
$(B)/guest/kver: $(B)/kver
	@mkdir -p $(@D)
	cp $< $@

$(B)/guest/vmlinux: $(B)/kver scripts/extract-vmlinux.sh
	@mkdir -p $(@D)
	scripts/extract-vmlinux.sh /boot/vmlinuz-$$(cat $(B)/kver) $@

$(B)/guest/tools/%: kmod/tools/%.c $(wildcard kmod/*.h)
	@mkdir -p $(@D)
	$(CC) -std=c11 $(WARN) -O2 -Ikmod -static -o $@ $<

$(B)/guest/initrd.cpio: $(B)/kver $(B)/guest/agent vm/guest/mkimage.sh $(KMODS) $(TOOLS)
	vm/guest/mkimage.sh $@ $$(cat $(B)/kver) $(B)/guest/agent $(KMODS) --bin $(TOOLS)

# ---- kernel modules, built against the packaged headers ----
# Kbuild writes next to the sources, so each module folder is mirrored
# under build/ with symlinks and built there.
define kbuild
	@mkdir -p $(2)
	@for f in $(1)/*.c $(1)/*.h $(1)/Kbuild; do [ -e "$$f" ] && ln -sf $(CURDIR)/$$f $(2)/; done; true
	$(MAKE) -s -C /usr/src/linux-headers-$$(cat $(B)/kver) M=$(CURDIR)/$(2) $(3) modules
endef

ifneq ($(KMODS),)
$(KMODS) &: $(KMOD_SRCS) $(wildcard kmod/*.h) kmod/Kbuild $(B)/kver
	$(call kbuild,kmod,$(B)/kmod,W=1)
endif

# sparse over every chapter module (C=2 checks even up-to-date files); any
# warning fails.  The modules are examples students copy: they stay clean.
sparse: $(B)/kver
ifneq ($(KMODS),)
	@mkdir -p $(B)/sparse
	@for f in kmod/*.c kmod/*.h kmod/Kbuild; do ln -sf $(CURDIR)/$$f $(B)/sparse/; done
	@$(MAKE) -s -C /usr/src/linux-headers-$$(cat $(B)/kver) M=$(CURDIR)/$(B)/sparse C=2 modules >$(B)/sparse.log 2>&1 || { cat $(B)/sparse.log; exit 1; }
	@if grep -E 'warning|error' $(B)/sparse.log | grep -v 'Skipping BTF'; then \
		echo "sparse: the chapter modules must be sparse-clean (log: $(B)/sparse.log)"; exit 1; \
	 else echo "sparse: $(words $(KMOD_SRCS)) modules clean"; fi
endif

$(TESTKO): tests/vm/kmod/vmtest.c tests/vm/kmod/Kbuild kmod/edu.h $(B)/kver
	$(call kbuild,tests/vm/kmod,$(B)/tests/kmod,W=1)

# ---- fuzzing (the variables are above) ----

.SECONDEXPANSION:
$(B)/fuzz/%: tests/fuzz/%.c $$(FUZZ_SRCS_$$*) $(wildcard vm/*.h vm/guest/*.h grader/*.h tui/*.h tests/fuzz/*.h)
	@mkdir -p $(@D)
	@[ -n "$(FUZZ_CC)" ] || { echo "fuzz: no clang found; install it: make deps"; exit 1; }
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Ivm -Igrader -Itui $(LUA_CFLAGS) -o $@ $< $(FUZZ_SRCS_$*) $(FUZZ_LIBS_$*)

fuzz-build: $(FUZZ_BINS)

_fuzz: $(FUZZ_BINS)
	tests/fuzz/run.sh $(B)/fuzz $(FUZZ_SECONDS) $(FUZZ_JOBS)

# ---- install ----

SHARE = $(DESTDIR)$(PREFIX)/share/addrlab

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(SHARE)/guest $(SHARE)/include
	install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(GUEST) $(SHARE)/guest/
	install -m 644 kmod/*.h $(SHARE)/include/
	@for d in lessons exercises templates; do [ -d $$d ] && cp -r $$d $(SHARE)/ || true; done

clean:
	rm -rf $(B) build-[0-9]*

FORCE:

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
