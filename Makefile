# nmimon: build the monitor image and ISO, run it, test it.
#   make          build/monitor.elf and build/monitor.iso
#   make run      boot it in QEMU, shell on this terminal (ACCEL=kvm|tcg, CONSOLE=picocom|pty,
#                 FIRMWARE=uefi: OVMF on q35 instead of SeaBIOS on pc)
#   make test     host unit tests + QEMU integration tests
#   make bench    performance figures (PEER=1: bench-peer too)
#   make bench-peer  the same figures for Linux perf in a guest, beside ours
#   make fuzz     libFuzzer on every portable parser and encoder, FUZZ_S seconds each (default 60)
#   make profile  record a workload under TCG -icount: build/profile.folded, build/profile.perf
#                 (WORK="work mix 1:1:3 2000" HZ=4000 to change what and how often)
#   make view     that profile (or FILE=some.folded) in speedscope, offline: build/view/index.html
#   make screenshot  docs/speedscope.png: make profile's page in headless Chromium
#   make lava     the monitor's LAVA job (lava/) run locally by lava-run under TCG
#   make mutate   mutation score of the test suite: N=40 SEED=1 JOBS=1 (build/mutate.txt);
#                 SKIP="name ..." leaves out tests that fail unmutated;
#                 MUTANT="key|file:line ..." TEST="name ...": those mutants against those tests

BUILD   := build
CC      := gcc
LD      := ld
HOSTCC  := gcc
PYTHON  := python3

# make profile: what to record and how often. -icount makes virtual time follow
# instructions, so the same build and settings give the same profile.
WORK    := work mix 7:2:1 3000
HZ      := 2000
ICOUNT  := 3

KERNEL_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-ffreestanding -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-fno-pic -fno-pie -mcmodel=small -mno-red-zone -mgeneral-regs-only \
	-fno-stack-protector -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
	-fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns \
	-fno-strict-aliasing -I.
KERNEL_ASFLAGS := -g -I. -Iarch/x86_64 -D__ASSEMBLY__
LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments \
	-T arch/x86_64/linker.ld

KERNEL_SRCS := $(wildcard arch/x86_64/*.c arch/x86_64/*.S monitor/*.c monitor/*/*.c profiler/*.c cmds/*.c)
KERNEL_OBJS := $(patsubst %,$(BUILD)/obj/%.o,$(KERNEL_SRCS))

# Portable code that host unit tests compile unchanged.
PORTABLE_SRCS := monitor/lib/fmt.c monitor/shell/line_edit.c monitor/shell/parse.c \
	monitor/lib/symbols.c monitor/lib/status.c monitor/mem/frame_bitmap.c monitor/nmi/nmi_account.c \
	monitor/debug/step_plan.c monitor/debug/insn.c monitor/acpi/acpi.c monitor/shell/console_port.c \
	monitor/gdb/gdb_packet.c monitor/gdb/gdb_regs.c monitor/gdb/target_xml.c \
	profiler/crc32.c profiler/sample_ring.c profiler/aggregate.c profiler/pmu.c \
	arch/x86_64/paging_walk.c
PORTABLE_SRCS += monitor/acpi/madt.c monitor/acpi/hpet_table.c
UNIT_SRCS := $(wildcard tests/unit/*.c)
HOST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -I. -fsanitize=address,undefined \
	-fno-sanitize-recover=all

.PHONY: all run picocom test unit integration bench bench-peer profile view screenshot deps lava \
	mutate clean fuzz fuzz-replay
all: $(BUILD)/monitor.elf $(BUILD)/monitor.iso

$(BUILD)/obj/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(KERNEL_ASFLAGS) -MMD -MP -c $< -o $@

# The symbol table is generated from the linked image itself: link once with
# an empty table, then twice with the table of the previous link. The second
# and third links have the same layout (same symbols, same table size), so
# the table of the final image describes the final image; the cmp checks it.
$(BUILD)/monitor.elf: $(KERNEL_OBJS) arch/x86_64/linker.ld tools/gensyms.sh \
		tools/check_debug_path.py tools/debug_path_exits.txt
	@mkdir -p $(BUILD)
	@echo "  LD      $@ (3 links for the symbol table)"
	@sh tools/gensyms.sh - > $(BUILD)/ksyms0.S
	@$(CC) -Wa,--fatal-warnings -c $(BUILD)/ksyms0.S -o $(BUILD)/ksyms0.o
	@$(LD) $(LDFLAGS) -o $(BUILD)/link0.elf $(KERNEL_OBJS) $(BUILD)/ksyms0.o
	@sh tools/gensyms.sh $(BUILD)/link0.elf > $(BUILD)/ksyms1.S
	@$(CC) -Wa,--fatal-warnings -c $(BUILD)/ksyms1.S -o $(BUILD)/ksyms1.o
	@$(LD) $(LDFLAGS) -o $(BUILD)/link1.elf $(KERNEL_OBJS) $(BUILD)/ksyms1.o
	@sh tools/gensyms.sh $(BUILD)/link1.elf > $(BUILD)/ksyms2.S
	@$(CC) -Wa,--fatal-warnings -c $(BUILD)/ksyms2.S -o $(BUILD)/ksyms2.o
	@$(LD) $(LDFLAGS) -o $@.tmp $(KERNEL_OBJS) $(BUILD)/ksyms2.o
	@sh tools/gensyms.sh $@.tmp | cmp -s - $(BUILD)/ksyms2.S || \
		{ echo "symbol table did not converge"; exit 1; }
	@$(PYTHON) tools/check_debug_path.py $@.tmp
	@mv $@.tmp $@

# The ISO's copy has no debug sections: GRUB loads every section of a multiboot2
# ELF, and under OVMF one layout failed to read (.debug_info at file offset
# 0x28000: "failure reading sector 0x2600 from cd0"); the monitor reads none of them.
$(BUILD)/monitor.iso: $(BUILD)/monitor.elf tools/grub.cfg
	@rm -rf $(BUILD)/iso && mkdir -p $(BUILD)/iso/boot/grub
	@objcopy --strip-debug $(BUILD)/monitor.elf $(BUILD)/iso/boot/monitor.elf
	@cp tools/grub.cfg $(BUILD)/iso/boot/grub/grub.cfg
	@echo "  ISO     $@"
	@test -d /usr/lib/grub/x86_64-efi || \
		{ echo "GRUB's EFI build is missing: make deps (grub-efi-amd64-bin)"; exit 1; }
	@grub-mkrescue -o $@ $(BUILD)/iso 2> $(BUILD)/grub-mkrescue.log || \
		{ cat $(BUILD)/grub-mkrescue.log; exit 1; }

deps:
	@sh tools/ensure-deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	$(PYTHON) tools/qemu.py run $(if $(ACCEL),--accel $(ACCEL)) $(if $(CONSOLE),--console $(CONSOLE)) \
		$(if $(FIRMWARE),--firmware $(FIRMWARE))

picocom:
	@$(MAKE) --no-print-directory run CONSOLE=picocom

$(BUILD)/unit_tests: $(UNIT_SRCS) $(PORTABLE_SRCS) $(wildcard monitor/*/*.h profiler/*.h tests/unit/*.h arch/x86_64/*.h)
	@mkdir -p $(BUILD)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $(UNIT_SRCS) $(PORTABLE_SRCS)

# The decoder's objdump oracle (tests/integration/test_dis.py) runs this.
$(BUILD)/insn_walk: tests/host/insn_walk.c monitor/debug/insn.c monitor/debug/insn.h
	@mkdir -p $(BUILD)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ tests/host/insn_walk.c monitor/debug/insn.c

unit: $(BUILD)/unit_tests
	$(BUILD)/unit_tests

test: deps
	@$(MAKE) --no-print-directory all $(BUILD)/unit_tests fuzz-replay
	$(PYTHON) tests/run_tests.py $(if $(ACCEL),--accel $(ACCEL)) $(if $(ONLY),--only $(ONLY))

bench: deps
	@$(MAKE) --no-print-directory all
	$(PYTHON) tools/bench.py
	@$(if $(PEER),$(MAKE) --no-print-directory bench-peer,true)

# The peer's workload: monitor/work/work_mix.c as a static Linux program, compiled
# with the monitor's code-generation flags (only those for a freestanding
# kernel dropped), so perf samples the instructions our profiler samples;
# tools/bench_peer.py compares the disassembly before it measures.
PEER_CFLAGS := $(filter-out -ffreestanding -nostdinc -isystem \
	$(shell $(CC) -print-file-name=include),$(KERNEL_CFLAGS)) -static -no-pie

$(BUILD)/peer/work_mix: tools/peer/work_mix_main.c monitor/work/work_mix.c monitor/work/work_mix.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(HOSTCC) $(PEER_CFLAGS) -o $@ tools/peer/work_mix_main.c monitor/work/work_mix.c

# Downloads Debian's kernel, perf and busybox once (build/peer/); never part of test.
bench-peer: deps
	@$(MAKE) --no-print-directory all $(BUILD)/peer/work_mix
	$(PYTHON) tools/bench_peer.py

profile: deps
	@$(MAKE) --no-print-directory all
	$(PYTHON) tools/profcap.py --boot --accel tcg --icount $(ICOUNT) \
		--run "prof record hz=$(HZ) callchain $(WORK)" --format folded,perf -o $(BUILD)/profile
	@echo "flame graph: make view (speedscope, offline), or flamegraph.pl $(BUILD)/profile.folded" \
		"> profile.svg (https://github.com/brendangregg/FlameGraph)"

# tools/view.py installs speedscope with npm into build/speedscope/ on first use
FILE    := $(BUILD)/profile.folded
view:
	@sh tools/ensure-deps.sh view
	@$(PYTHON) tools/view.py $(FILE)

screenshot:
	@sh tools/ensure-deps.sh view browser
	@$(MAKE) --no-print-directory profile
	@$(PYTHON) tools/view.py --no-open $(BUILD)/profile.folded
	@$(PYTHON) tools/browser.py file://$(CURDIR)/$(BUILD)/view/index.html docs/speedscope.png

# Fuzzing the portable code (README.md, "Fuzzing"). Each harness builds two
# ways: with clang's libFuzzer for make fuzz (FUZZ_S seconds a target), and
# with gcc and replay_main.c, so make test replays the checked-in corpus
# (tests/fuzz/corpus/TARGET/) under ASan and UBSan without clang.
FUZZ_S       := 60
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_DEPS    := $(PORTABLE_SRCS) tests/fuzz/fuzz.h $(wildcard monitor/*/*.h profiler/*.h)
FUZZ_CC      := clang-14
FUZZ_CFLAGS  := -std=gnu11 -O1 -g -Wall -Wextra -Werror -I. \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

$(BUILD)/fuzz/replay/%: tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c $(FUZZ_DEPS)
	@mkdir -p $(dir $@)
	@echo "  REPLAY  $@"
	@$(HOSTCC) $(HOST_CFLAGS) -o $@ $< tests/fuzz/replay_main.c $(PORTABLE_SRCS) -lz

$(BUILD)/fuzz/bin/%: tests/fuzz/fuzz_%.c $(FUZZ_DEPS)
	@mkdir -p $(dir $@)
	@echo "  FUZZER  $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(PORTABLE_SRCS) -lz

fuzz-replay: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/replay/%)

fuzz:
	@sh tools/ensure-deps.sh fuzz
	@$(MAKE) --no-print-directory $(FUZZ_TARGETS:%=$(BUILD)/fuzz/bin/%)
	$(PYTHON) tools/fuzz.py --seconds $(FUZZ_S) $(FUZZ_TARGETS)

# Installs lava-dispatcher when missing (as root; tools/ensure-lava.sh).
lava: deps
	@sh tools/ensure-lava.sh
	@$(MAKE) --no-print-directory all
	$(PYTHON) tools/lava.py run

# Each mutant builds and runs the suite in its own copy of the tree
# (build/mutate/tree<j>), so this tree's build is not touched.
N       := 40
SEED    := 1
JOBS    := 1
mutate: deps
	@$(MAKE) --no-print-directory all $(BUILD)/unit_tests
	$(PYTHON) tools/mutate.py --n $(N) --seed $(SEED) --jobs $(JOBS) $(foreach s,$(SKIP),--skip $(s)) \
		$(foreach m,$(MUTANT),--only $(m)) $(foreach t,$(TEST),--tests $(t))

clean:
	rm -rf $(BUILD)

-include $(KERNEL_OBJS:.o=.d)
