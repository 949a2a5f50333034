# PKRAM: build and test entry points. `make help` lists them.
SHELL := /bin/bash
REPO := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD := $(REPO)/build
KDIR := $(BUILD)/linux
VMTEST := $(REPO)/tests/vm/vmtest

.PHONY: help deps userspace vmprog kernel kernel-debug kernel-bench check check-debug demo bench bench-memfd bench-tmpfs bench-scale fuzz clean distclean \
	series series-check series-bisect

help:
	@echo 'PKRAM targets:'
	@echo '  make deps          install build/test packages (apt-get; needs root or sudo)'
	@echo '  make kernel        assemble build/linux (base tarball + patches/ + overlay),'
	@echo '                     configure (tinyconfig + kernel/configs/pkram.config), build'
	@echo '                     bzImage + modules, install modules into build/modroot'
	@echo '  make check         make kernel, then unit tests, KUnit and every tests/vm/*.sh'
	@echo '                     scenario; ends with "N passed, N failed"; logs in build/logs/'
	@echo '  make demo          make kernel, then run tests/vm/demo.sh and show its DEMO: lines'
	@echo '  make fuzz          fuzz the incoming-handover parser (mm/pkram/boot.c) in userspace'
	@echo '                     for FUZZ_SECONDS (default 150); seeds from real handovers;'
	@echo '                     fails on any crash (tests/fuzz/README)'
	@echo '  make bench         time PKRAM against copying (build/bench/); bench-memfd: only'
	@echo '                     the /dev/liveupdate memfd rows; bench-tmpfs: only the kept tmpfs rows'
	@echo '  make bench-scale   boot.c natively on generated 16 GiB-1 TiB handovers:'
	@echo '                     reservation and validation per phase (build/bench/scale.txt;'
	@echo '                     BENCH_SCALE_ARGS, e.g. "-r 3 100 1024")'
	@echo '  make kernel-debug  same as kernel, in build/linux-debug with pkram-debug.config (KASAN)'
	@echo '  make check-debug   make check against the debug kernel'
	@echo '  make series        write build/series/: the patch series against the base tree'
	@echo '                     (git format-patch, cover letter), from scripts/series.map'
	@echo '  make series-check  make series, git am it onto a pristine base, checkpatch'
	@echo '                     --strict every patch, build at the first PKRAM patch, the'
	@echo '                     middle and the end (~5 min; run before landing)'
	@echo '  make series-bisect same, building every patch from the first PKRAM one'
	@echo '  make clean         remove build/ except the extracted kernel tree (build/linux*)'
	@echo '  make distclean     remove build/ entirely'
	@echo 'Other: tests/vm/vmtest --help (run one scenario), KDIR=build/linux for modules:'
	@echo '  make -C build/linux M=$$PWD/mymod modules'

# Every target that needs packages depends on this: it installs only what is
# missing (says what), and costs about a second when nothing is.
deps:
	@$(REPO)/scripts/deps.sh

# One kernel build at a time, whoever starts it (make check, a developer).
kernel: deps
	@mkdir -p $(BUILD) && flock $(BUILD)/.kernel.lock $(REPO)/scripts/build-kernel.sh

kernel-debug: deps
	@mkdir -p $(BUILD) && flock $(BUILD)/.kernel.lock $(REPO)/scripts/build-kernel.sh debug

# what make bench times: no lockdep or DEBUG_VM (kernel/configs/pkram-bench.config)
kernel-bench: deps
	@mkdir -p $(BUILD) && flock $(BUILD)/.kernel.lock $(REPO)/scripts/build-kernel.sh bench

# the debug kernel is for step (e) of run-check.sh; CHECK_SKIP_DEBUG=1 skips both
check: kernel $(if $(filter 1,$(CHECK_SKIP_DEBUG)),,kernel-debug) pkramctl vmprog
	@$(REPO)/tests/run-check.sh

check-debug: kernel-debug pkramctl vmprog
	@BUILD=$(BUILD) KERNEL=$(BUILD)/linux-debug $(REPO)/tests/run-check.sh

# build/pkramctl/pkramctl, which scenarios and the demo put into the guest
pkramctl: deps
	@$(MAKE) -s -C $(REPO)/tools/pkramctl

# static guest programs of the kexec scenarios: build/vmprog/
vmprog: deps
	@$(MAKE) -s -C $(REPO)/tests/vm/prog

# userspace helpers some scenarios --add (tests/unit/Makefile also builds build/pkramctl/)
userspace: deps
	@if [ -f $(REPO)/tests/unit/Makefile ]; then $(MAKE) -s -C $(REPO)/tests/unit >/dev/null; fi

# demo.sh's "# vmtest-args:" header is honoured, as in make check
demo: kernel pkramctl vmprog
	@cd $(REPO) && eval "args=($$(sed -n 's/^#[[:space:]]*vmtest-args:[[:space:]]*//p' tests/vm/demo.sh | tr '\n' ' '))" && \
	$(VMTEST) "$${args[@]}" --log $(BUILD)/logs/demo.log --show '^(DEMO:|vmtest:)' tests/vm/demo.sh

# issue #7: PKRAM save/finalize/reserve/load cost vs copying, per size and
# layout; build/bench/bench.{csv,txt,png}. BENCH_SIZES, BENCH_LAYOUTS: see
# tests/bench/run-bench.sh. Installs gnuplot-nox if gnuplot is missing.
# Then the memfd rows of issue 13 (bench-memfd): /dev/liveupdate, per size and
# folio layout, against memcpy; build/bench/memfd.{csv,txt}; and the tmpfs
# rows of issue 14 (bench-tmpfs): a tmpfs kept by name, 2 GiB in 4 KiB and
# 2 MiB folios and in 10,000 files; build/bench/tmpfs.{csv,txt}.
bench: kernel-bench vmprog
	@command -v gnuplot >/dev/null || $(REPO)/scripts/deps.sh
	@KERNEL=$(BUILD)/linux-bench MODROOT=$(BUILD)/modroot-bench $(REPO)/tests/bench/run-bench.sh
	@KERNEL=$(BUILD)/linux-bench MODROOT=$(BUILD)/modroot-bench $(REPO)/tests/bench/run-bench-memfd.sh
	@BENCH_KIND=tmpfs KERNEL=$(BUILD)/linux-bench MODROOT=$(BUILD)/modroot-bench $(REPO)/tests/bench/run-bench-memfd.sh

bench-memfd: kernel-bench vmprog
	@KERNEL=$(BUILD)/linux-bench MODROOT=$(BUILD)/modroot-bench $(REPO)/tests/bench/run-bench-memfd.sh

bench-tmpfs: kernel-bench vmprog
	@BENCH_KIND=tmpfs KERNEL=$(BUILD)/linux-bench MODROOT=$(BUILD)/modroot-bench $(REPO)/tests/bench/run-bench-memfd.sh

# issue 15: mm/pkram/boot.c natively, on handovers of 16 GiB to 1 TiB that
# tests/scale/scale.c writes into 4 TiB of fake physical memory; needs no
# kernel build (libfdt-dev stands in for the kernel tree's libfdt)
bench-scale: deps
	@$(MAKE) -s -C $(REPO)/tests/scale
	@mkdir -p $(BUILD)/bench && set -o pipefail && \
	$(BUILD)/scale/bench-scale $(BENCH_SCALE_ARGS) | tee $(BUILD)/bench/scale.txt

# issue #6: libFuzzer over mm/pkram/boot.c; the seed corpus is made once, from
# handovers of the test kernel (build/fuzz/corpus)
fuzz: kernel
	@$(REPO)/tests/fuzz/run-fuzz.sh

# issue #12: PKRAM as a mainline-style series against the base tree
# (build/series/), made from the working tree as it is; see README
series: deps
	@$(REPO)/scripts/make-series.sh

# builds take the kernel lock themselves, one build point at a time
series-check: series
	@$(REPO)/scripts/series-check.sh

series-bisect: series
	@$(REPO)/scripts/series-check.sh --bisect

clean:
	rm -rf $(BUILD)/vmtest $(BUILD)/logs $(BUILD)/modroot $(BUILD)/modroot-debug
	@for t in $(BUILD)/linux $(BUILD)/linux-debug; do \
		if [ -f $$t/Makefile ]; then echo "make -C $$t clean"; $(MAKE) -s -C $$t clean; fi; done

distclean:
	rm -rf $(BUILD)
