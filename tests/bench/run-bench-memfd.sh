#!/bin/bash
# The memfd rows of `make bench` (issue 13), and with BENCH_KIND=tmpfs the
# tmpfs rows (issue 14): for each size and layout, boot the bench kernel,
# keep one memfd through /dev/liveupdate (or a tmpfs mounted with
# -o pkram=bench), kexec, get it back; every number into
# build/bench/KIND.csv, the table and the ratios (all from this one run)
# into build/bench/KIND.txt.
#
# Env: BENCH_KIND           memfd (default) or tmpfs
#      BENCH_MEMFD_SIZES    MiB, default "0 256 1024 2048 4096" (memfd),
#                           "0 2048" (tmpfs); 0: nothing preserved, the
#                           downtime baseline
#      BENCH_MEMFD_LAYOUTS  default "4k thp" (4 KiB folios; 2 MiB folios);
#                           tmpfs: "4k thp tree" (tree: 10,000 files)
#      BENCH_OUT, KERNEL, MODROOT as for run-bench.sh
#      BENCH_PROFILE=1      also the kernel's tick profile of the save
#                           (stage 1, from PRESERVE_FD to kexec) and of
#                           the load (stage 2) per function, as "kprof:"
#                           lines in the log (tests/vm/prog/kprof.c)
#
# Phases (ms): preserve = CREATE_SESSION + PRESERVE_FD (tmpfs: the first
# mount); save = the saver in the reboot path (the kernel's "sessions
# saved in" or "tmpfs:bench saved in" line); finalize, reserve, validate =
# PKRAM's lines; open = opening /dev/liveupdate in the new kernel, which
# restores the memfd into a page cache (tmpfs: the mount, which builds the
# tree); first = RETRIEVE_SESSION + RETRIEVE_FD + mmap + the first byte
# (tmpfs: open + the first byte of the first file);
# read = reading all of it (one word per cache line). PKRAM = preserve +
# save + finalize + reserve + validate + open + first; copy = memcpy of the
# same bytes into memory touched before (best of 3; copy_max the worst);
# ratio = PKRAM / copy. copy_new = one memcpy into a new memfd of the
# same folio size, its pages allocated by the copy (tmpfs: writing the
# same files into a plain tmpfs) - what restoring state from a copy costs
# a service - and ratio_n = PKRAM / copy_new. downtime = host time from
# "kexec now" (right before kexec -e) to the new kernel's userspace,
# timestamped on the host, and extra = downtime minus that of size 0 in
# the same layout; own = save + finalize + reserve + validate, PKRAM's own
# share of the downtime, also per GiB.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$REPO/build
KTREE=${KERNEL:-$BUILD/linux}
MODS=${MODROOT:-$BUILD/modroot}
OUT=${BENCH_OUT:-$BUILD/bench}
KIND=${BENCH_KIND:-memfd}
case $KIND in
memfd)	SIZES=${BENCH_MEMFD_SIZES:-0 256 1024 2048 4096}
	LAYOUTS=${BENCH_MEMFD_LAYOUTS:-4k thp}
	PROG=luo-bench ;;
tmpfs)	SIZES=${BENCH_MEMFD_SIZES:-0 2048}
	LAYOUTS=${BENCH_MEMFD_LAYOUTS:-4k thp tree}
	PROG=tmpfs-bench ;;
*)	echo "bench: BENCH_KIND=$KIND: memfd or tmpfs" >&2; exit 2 ;;
esac
VMTEST=$REPO/tests/vm/vmtest
CSV=$OUT/$KIND.csv

mkdir -p "$OUT/memfd-kernel"
flock /tmp/pkram-build.lock sh -c 'cp "$1/arch/x86/boot/bzImage" "$2/" && rm -rf "$2/modroot" && cp -a "$3" "$2/modroot"' \
	sh "$KTREE" "$OUT/memfd-kernel" "$MODS" || exit 2
make -s -C "$REPO/tests/vm/prog" || exit 2
gcc -O2 -o "$OUT/tsc-khz" "$REPO/tests/bench/tsc-khz.c" || exit 2
khz=$("$OUT/tsc-khz")
echo "bench-$KIND: kernel $KTREE; sizes $SIZES MiB; layouts $LAYOUTS; results in $OUT/$KIND.{csv,txt}"

echo "size_mb,layout,preserve_ns,save_us,finalize_us,reserve_us,validate_us,open_ns,first_ns,read_ns,copy_ns,copy_max_ns,downtime_ms,copy_new_ns" >"$CSV"

parse() {
	awk -v size="$2" -v layout="$3" '
	function num(key) {
		if (match($0, " " key "=[0-9]+")) return substr($0, RSTART + length(key) + 2, RLENGTH - length(key) - 2)
		return ""
	}
	function after(re, skip,   s) { if (match($0, re)) { s = substr($0, RSTART + skip); return s + 0 } return "" }
	/pkram-bench: phase=copy / { copy = num("ns"); cmax = num("max_ns") }
	/pkram-bench: phase=copy_(memfd|new) / { cmem = num("ns") }
	/pkram-bench: phase=preserve / { pres = num("ns") }
	/pkram-bench: phase=open / { open = num("ns") }
	/pkram-bench: phase=first / { first = num("ns") }
	/pkram-bench: phase=read / { rd = num("ns") }
	/pkram: (live update: sessions|tmpfs:[^ ]+) saved in / && save == "" { save = after("saved in [0-9]+", 9) }
	/pkram: preserving .* finalized in / && fin == "" { fin = after("finalized in [0-9]+", 13) }
	/pkram: [0-9]+ incoming node.*early reservation took/ && res == "" {
		res = after("took [0-9]+", 5); val = after("validation [0-9]+", 11)
	}
	/pkram-bench: kexec now/ && t0 == "" { t0 = $1 }
	/vmtest: stage 2: running/ && t1 == "" { t1 = $1 }
	END {
		down = (t0 != "" && t1 != "") ? sprintf("%.0f", (t1 - t0) * 1000) : ""
		printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", size, layout, pres, save, fin, res, val,
			open, first, rd, copy, cmax, down, cmem
	}' "$1"
}

fails=0
for size in $SIZES; do
	for layout in $LAYOUTS; do
		tag=$KIND-$size-$layout; env=$OUT/env-$tag; log=$OUT/log-$tag.log
		mem=$((size * 2 + 1024))M; s=$SECONDS
		printf 'KIND=%s\nSIZE_MB=%s\nLAYOUT=%s\nPROFILE=%s\n' "$KIND" "$size" "$layout" \
			"${BENCH_PROFILE:-}" >"$env"
		printf 'bench-%s: size %5s MiB %-4s mem %6s ... ' "$KIND" "$size" "$layout" "$mem"
		"$VMTEST" --kernel "$OUT/memfd-kernel/bzImage" --modroot "$OUT/memfd-kernel/modroot" \
			--mem "$mem" --smp 2 --timeout $((300 + size / 2)) --idle-timeout 240 \
			--append "tsc_early_khz=$khz tsc=reliable${BENCH_PROFILE:+ profile=2}" \
			--add "$env:/root/bench.env" --add "$BUILD/vmprog/$PROG:/usr/bin/$PROG" \
			--add "$BUILD/vmprog/kprof:/usr/bin/kprof" \
			"$REPO/tests/bench/pkram-bench-state.sh" 2>"$OUT/err-$tag.log" |
			while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done >"$log"
		if [ "${PIPESTATUS[0]}" != 0 ]; then
			echo "FAIL ($((SECONDS - s))s; see $log, $OUT/err-$tag.log)"
			fails=$((fails + 1))
			continue
		fi
		parse "$log" "$size" "$layout" >>"$CSV"
		echo "done ($((SECONDS - s))s)"
	done
done

awk -F, '
function ms(x) { return x == "" ? "-" : sprintf("%.2f", x / 1e6) }
function v(x) { return x == "" ? 0 : x }
NR == 1 { next }
{
	n++; sz[n] = $1; ly[n] = $2
	p[n, "preserve"] = v($3); p[n, "save"] = v($4) * 1000; p[n, "finalize"] = v($5) * 1000
	p[n, "reserve"] = v($6) * 1000; p[n, "validate"] = v($7) * 1000; p[n, "open"] = v($8)
	p[n, "first"] = v($9); p[n, "read"] = v($10); copy[n] = $11; cmax[n] = $12; down[n] = $13
	cmem[n] = $14
	if ($1 == 0) base[$2] = $13
}
END {
	printf "%7s %-4s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s %11s %8s %10s %8s %8s %8s %8s %9s\n",
		"size_MB", "lay", "preserve", "save", "finalize", "reserve", "validate", "open", "first",
		"read", "PKRAM", "copy", "copy_max", "ratio", "copy_new", "ratio_n", "down_ms", "extra",
		"own_ms", "own/GiB"
	for (i = 1; i <= n; i++) {
		tot = p[i, "preserve"] + p[i, "save"] + p[i, "finalize"] + p[i, "reserve"] + p[i, "validate"] + p[i, "open"] + p[i, "first"]
		own = p[i, "save"] + p[i, "finalize"] + p[i, "reserve"] + p[i, "validate"]
		ratio = (copy[i] > 0) ? sprintf("%.4f", tot / copy[i]) : "-"
		ratio_m = (cmem[i] > 0) ? sprintf("%.4f", tot / cmem[i]) : "-"
		extra = (down[i] != "" && base[ly[i]] != "") ? down[i] - base[ly[i]] : "-"
		pg = sz[i] > 0 ? sprintf("%.2f", own / 1e6 / (sz[i] / 1024)) : "-"
		printf "%7s %-4s %9s %9s %9s %9s %9s %9s %9s %9s %9s %9s %11s %8s %10s %8s %8s %8s %8s %9s\n",
			sz[i], ly[i], ms(p[i, "preserve"]), ms(p[i, "save"]), ms(p[i, "finalize"]),
			ms(p[i, "reserve"]), ms(p[i, "validate"]), ms(p[i, "open"]), ms(p[i, "first"]),
			ms(p[i, "read"]), ms(tot), ms(copy[i]), ms(cmax[i]), ratio, ms(cmem[i]), ratio_m,
			down[i], extra, ms(own), pg
		key[ly[i], sz[i]] = i
	}
	printf "\nscaling 4096 MiB / 1024 MiB, per phase (target <= 4.4):\n"
	split("preserve save finalize reserve validate open first read", ph, " ")
	for (l in base) {
		a = key[l, 1024]; b = key[l, 4096]
		if (!a || !b) continue
		printf "%-4s", l
		for (k = 1; k <= 8; k++)
			printf " %s %s", ph[k], (p[a, ph[k]] > 0) ? sprintf("%.2f", p[b, ph[k]] / p[a, ph[k]]) : "-"
		printf "\n"
	}
}' "$CSV" | tee "$OUT/$KIND.txt"
[ $fails = 0 ] || { echo "bench-$KIND: $fails run(s) failed"; exit 1; }
