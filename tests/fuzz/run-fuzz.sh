#!/bin/bash
# make fuzz / make check (d): build the harness, make the seed corpus from
# real handovers if build/fuzz/corpus is empty (needs the kernel), replay
# the corpus and tests/fuzz/regressions/ under ASan+UBSan, then fuzz
# mm/pkram/boot.c for FUZZ_SECONDS (default 150). Exits 1 on any crash,
# sanitizer report or violated invariant, leaving the input in
# build/fuzz/crashes/. The last line is
#   fuzz: N executions in S s (R/s), corpus C inputs, no crash
set -uo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$REPO/build/fuzz
SECS=${FUZZ_SECONDS:-150}
HDR=288				# sizeof(struct fuzz_hdr)
PAGES=${FUZZ_MAX_PAGES:-96}	# -max_len: this many [phys][page] records
LOG=$OUT/fuzz.log
REGS=()
[ -d "$REPO/tests/fuzz/regressions" ] && REGS=("$REPO/tests/fuzz/regressions")

make -s -C "$REPO/tests/fuzz" || { echo "fuzz: harness build failed" >&2; exit 2; }
# seeds again when the code that writes the format changed since
stamp=$OUT/corpus/.made
if [ -z "$(ls "$OUT/corpus" 2>/dev/null)" ] ||
   [ -n "$(find "$REPO/mm/pkram" "$REPO/include/linux/pkram.h" "$REPO/include/linux/pkram" \
	   -newer "$stamp" \( -name internal.h -o -name handover.c -o -name stream.c \
	   -o -name core.c -o -name meta.c -o -name pkram.h -o -name abi.h \) 2>/dev/null)" ]; then
	"$REPO/tests/fuzz/mk-corpus.sh" "$OUT/corpus" && touch "$stamp" || exit 2
fi
"$OUT/replay-incoming" "$OUT/corpus" "${REGS[@]}" ||
	{ echo "fuzz: replay of the corpus or a regression input failed" >&2; exit 1; }

mkdir -p "$OUT/work" "$OUT/crashes"
maxlen=$((HDR + PAGES * (8 + 4096)))
start=$SECONDS
"$OUT/fuzz-incoming" -max_total_time="$SECS" -max_len="$maxlen" -timeout=10 \
	-rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$OUT/crashes/" \
	"$OUT/work" "$OUT/corpus" "${REGS[@]}" >"$LOG" 2>&1
rc=$?
secs=$((SECONDS - start))
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOG" | tail -n1)
grep '^stat::number_of_executed_units' "$LOG" | tail -n1
if [ $rc -ne 0 ] || [ -z "$execs" ] ||
   grep -qE 'ERROR: (libFuzzer|AddressSanitizer)|runtime error:|INVARIANT VIOLATED' "$LOG"; then
	echo "fuzz: FAILED (exit $rc) after ${execs:-?} executions, log $LOG" >&2
	grep -m1 -E 'INVARIANT VIOLATED|ERROR: |runtime error:|deadly signal' "$LOG" >&2
	grep -m12 -E '^ +#[0-9]+ .* in ' "$LOG" | grep -vE 'fuzzer::|libc|_start' >&2
	grep -m1 'Test unit written to' "$LOG" >&2
	echo "fuzz: replay it with build/fuzz/replay-incoming FILE (FUZZ_VERBOSE=1 shows boot.c's messages);" \
		"a real parser bug's input belongs in tests/fuzz/regressions/" >&2
	exit 1
fi
corpus=$(find "$OUT/work" -type f | wc -l)
echo "fuzz: $execs executions in ${secs} s ($((execs / (secs ? secs : 1)))/s), corpus $corpus inputs, no crash"
