#!/bin/bash
# PKRAM benchmark (issue #7): for each size and layout, boot the test kernel
# in QEMU, save one node with bench_pkram, kexec, load it; collect every
# number into build/bench/bench.csv, print a table and draw
# build/bench/bench.png (gnuplot, if installed).
#
# Env: BENCH_SIZES   MiB, default "0 256 1024 2048 4096" (4096: a 9 GiB guest)
#      BENCH_LAYOUTS default "scattered thp mixed"
#      BENCH_SEED    default 1
#      BENCH_THREADS threads of the size/layout matrix, default 1
#      BENCH_MEM     guest MiB, default size * 2 + 1024
#      BENCH_COPY_RUNS  runs of the copy baseline per guest after a first,
#                    cold one, default 5 (1-9): copy_ns is their median,
#                    copy_min_ns/copy_max_ns the fastest and slowest;
#                    copy_cold_ns the first run, into pages the guest had
#                    not written yet (under TCG each costs the host a page
#                    fault: several times the copy itself)
#      BENCH_SPEEDUP extra runs SIZE:LAYOUT:THREADS, default
#                    "1024:scattered:2 1024:thp:2 1024:mixed:2": save and
#                    load with several threads (guests have 2 CPUs; compare
#                    with the threads=1 row of the same size and layout)
#      BENCH_OUT     default build/bench
#      KERNEL        kernel tree (make bench: build/linux-bench, built without
#                    lock/VM debugging; default build/linux)
#      MODROOT       its modules (make bench: build/modroot-bench; default
#                    build/modroot)
#
# Per run the guest gets size*2 + 1 GiB of memory (the copy baseline needs
# a second copy) and tsc_early_khz=<host TSC kHz> tsc=reliable: under TCG
# the guest cannot calibrate its TSC (which runs at the host rate) and
# would otherwise time in 10 ms jiffies.
#
# meta_node is the node's metadata pages (/sys/kernel/pkram/nodes), meta_total
# the kernel's count at kexec (all nodes, plus range list, superblock, avoid
# page). reserve_us is empty when the kernel printed 0 (TSC rate unknown).
#
# Downtime: vmtest's stdout is timestamped on the host line by line; the
# downtime is the host time from the first kernel's "pkram: preserving ..."
# line (printed in the kexec path, devices already shut down) to the new
# kernel's "vmtest: stage 2: running" line (its userspace is up). It
# includes booting a kernel under TCG, so compare it with size 0.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$REPO/build
KTREE=${KERNEL:-$BUILD/linux}
MODS=${MODROOT:-$BUILD/modroot}
OUT=${BENCH_OUT:-$BUILD/bench}
SIZES=${BENCH_SIZES:-0 256 1024 2048 4096}
LAYOUTS=${BENCH_LAYOUTS:-scattered thp mixed}
SEED=${BENCH_SEED:-1}
THREADS=${BENCH_THREADS:-1}
COPY_RUNS=${BENCH_COPY_RUNS:-5}
SPEEDUP=${BENCH_SPEEDUP-1024:scattered:2 1024:thp:2 1024:mixed:2}
VMTEST=$REPO/tests/vm/vmtest
CSV=$OUT/bench.csv

mkdir -p "$OUT"
# a snapshot of the kernel and its modules: others may rebuild meanwhile
rm -rf "$OUT/kernel"; mkdir -p "$OUT/kernel"
flock /tmp/pkram-build.lock sh -c 'cp "$1/arch/x86/boot/bzImage" "$2/" && cp -a "$3" "$2/modroot"' \
	sh "$KTREE" "$OUT/kernel" "$MODS" || exit 2
gcc -O2 -o "$OUT/tsc-khz" "$REPO/tests/bench/tsc-khz.c" || exit 2
khz=$("$OUT/tsc-khz")
echo "bench: kernel $KTREE ($(grep -q '^CONFIG_PROVE_LOCKING=y' "$KTREE/.config" && echo 'lockdep on: times inflated' || echo 'no lock debugging')); host TSC $khz kHz; sizes $SIZES MiB; layouts $LAYOUTS; results in $OUT"

COLS=size_mb,layout,threads,folios,pages,save_ns,copy_ns,finalize_us,reserve_us,validate_us,load_ns,meta_node,meta_total,ranges,downtime_ms,copy_min_ns,copy_max_ns,copy_cold_ns
echo "$COLS" >"$CSV"

# parse LOG SIZE LAYOUT THREADS: one CSV row from a timestamped serial log
parse() {
	awk -v size="$2" -v layout="$3" -v threads="$4" '
	function num(key,   r) {  # the number after " key=" in $0
		if (match($0, " " key "=[0-9]+")) return substr($0, RSTART + length(key) + 2, RLENGTH - length(key) - 2)
		return ""
	}
	/pkram-bench: phase=save / { save = num("ns"); folios = num("folios"); pages = num("pages") }
	/pkram-bench: phase=copy / { copy = num("ns"); cmin = num("min_ns"); cmax = num("max_ns"); ccold = num("cold_ns") }
	/pkram-bench: phase=load / { load = num("ns") }
	/pkram-bench: phase=meta / && meta == "" { meta = num("meta") }
	/pkram: preserving .* finalized in / {
		match($0, /metadata pages/); s = substr($0, 1, RSTART - 1); n = split(s, w, " "); meta_k = w[n]
		match($0, /pages in [0-9]+ range/); ranges = substr($0, RSTART + 9, RLENGTH - 15)
		match($0, /finalized in [0-9]+ us/); fin = substr($0, RSTART + 13, RLENGTH - 16)
		t_fin = $1
	}
	/pkram: [0-9]+ incoming node.*early reservation took/ && res == "" {
		match($0, /took [0-9]+ us/); res = substr($0, RSTART + 5, RLENGTH - 8)
		if (res == 0) res = "n/a"
		match($0, /validation [0-9]+ us/); val = substr($0, RSTART + 11, RLENGTH - 14)
	}
	/vmtest: stage 2: running/ && t_up == "" { t_up = $1 }
	END {
		down = (t_fin != "" && t_up != "") ? sprintf("%.0f", (t_up - t_fin) * 1000) : ""
		printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", size, layout, threads, folios, pages,
			save, copy, fin, res, val, load, meta, meta_k, ranges, down, cmin, cmax, ccold
	}' "$1"
}

# run SIZE LAYOUT THREADS: one boot-save-kexec-load cycle, one CSV row
fails=0
run() {
	local size=$1 layout=$2 threads=$3 tag=$1-$2-$3 s=$SECONDS rc
	local env=$OUT/env-$tag log=$OUT/log-$tag.log mem=${BENCH_MEM:-$(($1 * 2 + 1024))}M

	printf 'SIZE_MB=%s\nLAYOUT=%s\nSEED=%s\nTHREADS=%s\nCOPY_RUNS=%s\n' "$size" "$layout" \
		"$SEED" "$threads" "$COPY_RUNS" >"$env"
	printf 'bench: size %5s MiB %-9s threads %s mem %6s ... ' "$size" "$layout" "$threads" "$mem"
	"$VMTEST" --kernel "$OUT/kernel/bzImage" --modroot "$OUT/kernel/modroot" --mem "$mem" \
		--smp 2 --timeout $((300 + size / 2)) --idle-timeout 240 \
		--append "tsc_early_khz=$khz tsc=reliable" \
		--add "$env:/root/bench.env" "$REPO/tests/bench/pkram-bench.sh" 2>"$OUT/err-$tag.log" |
		while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done >"$log"
	rc=${PIPESTATUS[0]}
	if [ "$rc" != 0 ]; then
		echo "FAIL (rc $rc, $((SECONDS - s))s; see $log, $OUT/err-$tag.log)"
		fails=$((fails + 1))
		return
	fi
	parse "$log" "$size" "$layout" "$threads" >>"$CSV"
	echo "done ($((SECONDS - s))s)"
}

for size in $SIZES; do
	for layout in $LAYOUTS; do
		run "$size" "$layout" "$THREADS"
	done
done
for x in $SPEEDUP; do
	IFS=: read -r size layout threads <<<"$x"
	run "$size" "$layout" "$threads"
done

"$REPO/tests/bench/table.sh" "$CSV" | tee "$OUT/bench.txt"
if command -v gnuplot >/dev/null; then
	"$REPO/tests/bench/plot.sh" "$CSV" "$OUT/bench.png" && echo "bench: plot $OUT/bench.png"
else
	echo "bench: gnuplot not installed: no plot (make deps installs gnuplot-nox)"
fi
[ $fails = 0 ] || { echo "bench: $fails run(s) failed"; exit 1; }
