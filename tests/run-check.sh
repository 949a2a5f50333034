#!/bin/bash
# make check: run every test of the project against the built kernel
# (build/linux, build/modroot; `make check` builds them first).
#   (a) userspace unit tests: `make -C tests/unit` if tests/unit/Makefile
#       exists, then every executable file named test_* under tests/unit/
#       or build/unit/ (where tests/unit/Makefile puts its binaries); then
#       memblock's own userspace tests, tools/testing/memblock of the kernel
#       tree, with those of memblock_reserve_sorted() (one line; the build
#       takes the kernel lock, tests/memblock/ stands in for liburcu);
#   (b) KUnit: one vmtest boot with kunit.enable=1, the log parsed by the
#       kernel's tools/testing/kunit/kunit.py parse; one result per test case;
#   (c) every tests/vm/*.sh scenario, run with tests/vm/vmtest; header
#       comments in the scenario:
#         # vmtest-args: ARGS      extra vmtest options (shell words)
#         # expect: pass|fail      expected outcome (default pass)
#         # expect-match: REGEX    with expect: fail, the vmtest failure reason
#                                  must match REGEX (ERE); a timeout never
#                                  counts as an expected failure
#         # vmtest-skip: REASON    not run by make check
#   (d) fuzz: tests/fuzz/run-fuzz.sh, libFuzzer over the incoming-handover
#       parser (mm/pkram/boot.c) for CHECK_FUZZ_SECONDS (default 120); the
#       seed corpus is made from real handovers the first time (one boot);
#       then a smoke run of bench-scale (tests/scale/): boot.c natively on
#       generated 4 and 16 GiB handovers, which must be taken whole.
# Logs go to build/logs/. Prints one PASS/FAIL line per test and ends with
# "N passed, N failed"; exits 1 if anything failed.
# Env: KERNEL=TREE tests that kernel tree (default build/linux);
#      CHECK_FILTER=REGEX runs only scenarios whose file name matches (and
#      (d) only if "fuzz" or "scale" matches);
#      CHECK_IDLE_TIMEOUT=SEC (default 120) vmtest --idle-timeout for every boot;
#      CHECK_SKIP_UNIT=1 / CHECK_SKIP_KUNIT=1 / CHECK_SKIP_FUZZ=1 skip (a) / (b) / (d);
#      CHECK_SKIP_DEBUG=1 skips (e), the debug pass (also skipped with
#      CHECK_FILTER or without build/linux-debug); CHECK_DEBUG_SCENARIOS=REGEX
#      chooses its scenarios.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$REPO/build}
KTREE=${KERNEL:-$BUILD/linux}          # kernel tree to test (make check-debug: build/linux-debug)
LOGS=${LOGS:-$BUILD/logs}
VMTEST=$REPO/tests/vm/vmtest
[ "$KTREE" = "$BUILD/linux" ] || LOGS=$LOGS-$(basename "$KTREE")
BZIMAGE=$KTREE/arch/x86/boot/bzImage
[ -f "$BZIMAGE" ] || { echo "run-check: no $BZIMAGE (make kernel)" >&2; exit 2; }
mkdir -p "$LOGS"
rm -f "$LOGS"/*.log "$LOGS"/*.json "$LOGS"/*.err 2>/dev/null
cd "$REPO"   # relative paths in "# vmtest-args:" are relative to the repo
# a silent console for this long fails a scenario (a scenario's own
# "# vmtest-args: --idle-timeout N" overrides it)
IDLE=${CHECK_IDLE_TIMEOUT:-120}
passed=0; failed=0; skipped=0; failures=()
t0=$(date +%s)

# CHECK_PREFIX: put before every result name (the debug pass, (e), uses it)
result() {  # result PASS|FAIL|SKIP NAME SECONDS|"" [DETAIL]
	local detail=${4:+: $4} secs=${3:+${3}s} name=${CHECK_PREFIX:-}$2
	printf '%-4s %-44s %5s%s\n' "$1" "$name" "$secs" "$detail"
	case $1 in
	PASS) passed=$((passed + 1)) ;;
	SKIP) skipped=$((skipped + 1)) ;;
	*) failed=$((failed + 1)); failures+=("$name") ;;
	esac
}

# ------------------------------------------------------------- (a) unit tests
if [ "${CHECK_SKIP_UNIT:-0}" != 1 ] && [ -d "$REPO/tests/unit" ]; then
	if [ -f "$REPO/tests/unit/Makefile" ]; then
		s=$SECONDS
		if ! make -C "$REPO/tests/unit" >"$LOGS/unit-build.log" 2>&1; then
			result FAIL unit:build $((SECONDS - s)) "see $LOGS/unit-build.log"
		fi
	fi
	while IFS= read -r t; do
		name=unit:$(basename "$t")
		s=$SECONDS
		if (cd "$(dirname "$t")" && timeout 300 "$t") >"$LOGS/$name.log" 2>&1; then
			result PASS "$name" $((SECONDS - s))
		else
			result FAIL "$name" $((SECONDS - s)) "see $LOGS/$name.log"
			tail -n 20 "$LOGS/$name.log" | sed 's/^/  | /'
		fi
	done < <(find "$REPO/tests/unit" "$BUILD/unit" -type f -name 'test_*' -perm -u+x \
			! -name '*.[cho]' 2>/dev/null | sort)

	# every overlay file and patch in one commit of `make series`
	s=$SECONDS
	if "$REPO/scripts/make-series.sh" --check-map >"$LOGS/unit:series-map.log" 2>&1; then
		result PASS unit:series-map $((SECONDS - s))
	else
		result FAIL unit:series-map $((SECONDS - s)) "see $LOGS/unit:series-map.log"
		grep ERROR "$LOGS/unit:series-map.log" | head -n 5 | sed 's/^/  | /'
	fi

	s=$SECONDS
	mlog=$LOGS/unit:memblock.log
	mdir=$KTREE/tools/testing/memblock
	# the binary aborts at the first failed check: its stderr says which
	if ! CFLAGS="-I$REPO/tests/memblock" flock "$BUILD/.kernel.lock" \
			make -C "$mdir" -j2 >"$mlog" 2>&1; then
		result FAIL unit:memblock $((SECONDS - s)) "build failed, see $mlog"
	elif ! (cd "$mdir" && timeout 300 ./main -v) >>"$mlog" 2>&1; then
		result FAIL unit:memblock $((SECONDS - s)) "see $mlog"
		grep -E '^not ok|Assertion|ERROR' "$mlog" | head -n 5 | sed 's/^/  | /'
	else
		n=$(grep -c '^ok ' "$mlog")
		ns=$(grep -c '^ok .*: memblock_reserve_sorted: ' "$mlog")
		if [ "$ns" -eq 0 ]; then
			result FAIL unit:memblock $((SECONDS - s)) "no memblock_reserve_sorted() checks ran, see $mlog"
		else
			result PASS unit:memblock $((SECONDS - s)) "$n checks, $ns of memblock_reserve_sorted()"
		fi
	fi
fi

# ------------------------------------------------------------- (b) KUnit
if [ "${CHECK_SKIP_KUNIT:-0}" != 1 ]; then
	s=$SECONDS
	klog=$LOGS/kunit.log
	"$VMTEST" --kernel "$BZIMAGE" --append "kunit.enable=1" --timeout 600 --idle-timeout "$IDLE" --log "$klog" --show '' \
		"$REPO/tests/vm/lib/kunit-boot.sh" 2>"$LOGS/kunit.vmtest.err" >/dev/null
	vrc=$?
	python3 "$KTREE/tools/testing/kunit/kunit.py" parse --json="$LOGS/kunit.json" \
		"$klog" >"$LOGS/kunit.parse.log" 2>&1
	prc=$?
	n=0; nfail=0
	if [ -s "$LOGS/kunit.json" ]; then
		while IFS=$'\t' read -r st name; do
			n=$((n + 1))
			case $st in
			PASS) result PASS "kunit:$name" "" ;;
			SKIP) result SKIP "kunit:$name" "" ;;
			*) result FAIL "kunit:$name" "" "$st, see $klog"; nfail=$((nfail + 1)) ;;
			esac
		done < <(python3 "$REPO/tests/kunit-summary.py" "$LOGS/kunit.json")
	fi
	if [ $vrc -ne 0 ]; then
		result FAIL kunit:boot $((SECONDS - s)) "$(head -n1 "$LOGS/kunit.vmtest.err")"
		sed -n '2,30p' "$LOGS/kunit.vmtest.err"
	elif [ $n -eq 0 ]; then
		result FAIL kunit:parse $((SECONDS - s)) "no KUnit test cases found, see $LOGS/kunit.parse.log"
	elif [ $prc -ne 0 ] && [ $nfail -eq 0 ]; then
		result FAIL kunit:parse $((SECONDS - s)) "kunit.py parse reported failure: $(grep -m1 'Testing complete' "$LOGS/kunit.parse.log")"
	fi
	if [ $n -gt 0 ]; then
		echo "     kunit: $n test cases, boot+run $((SECONDS - s))s ($(grep -m1 -o 'Ran .*' "$LOGS/kunit.parse.log" | sed 's/\x1b\[[0-9;]*m//g'))"
	fi
fi

# ------------------------------------------------------------- (c) scenarios
header() {  # header FILE KEY: value of "# KEY: value" lines (joined)
	sed -n "s/^#[[:space:]]*$2:[[:space:]]*//p" "$1" | tr '\n' ' ' | sed 's/[[:space:]]*$//'
}
for sc in "$REPO"/tests/vm/*.sh; do
	[ -f "$sc" ] || continue
	name=$(basename "$sc" .sh)
	if [ -n "${CHECK_FILTER:-}" ] && ! [[ $name =~ $CHECK_FILTER ]]; then continue; fi
	[ -n "$(header "$sc" vmtest-skip)" ] && continue
	expect=$(header "$sc" expect); expect=${expect:-pass}
	args=$(header "$sc" vmtest-args)
	eval "vargs=($args)"
	s=$SECONDS
	"$VMTEST" --kernel "$BZIMAGE" --idle-timeout "$IDLE" "${vargs[@]}" --log "$LOGS/vm-$name.log" --show '' "$sc" 2>"$LOGS/vm-$name.err" >/dev/null
	rc=$?
	why=$(head -n1 "$LOGS/vm-$name.err" | sed 's/^vmtest: //')
	case "$expect:$rc" in
	pass:0) result PASS "vm:$name" $((SECONDS - s)) ;;
	fail:1)
		m=$(header "$sc" expect-match)
		if [[ $why == *": timeout after"* ]]; then
			result FAIL "vm:$name" $((SECONDS - s)) "expected a failure, got a timeout"
		elif [ -n "$m" ] && ! [[ $why =~ $m ]]; then
			result FAIL "vm:$name" $((SECONDS - s)) "failed, but not as expected (/$m/): $why"
		else
			result PASS "vm:$name" $((SECONDS - s)) "failed as expected (${why#FAIL })"
		fi ;;
	pass:*) result FAIL "vm:$name" $((SECONDS - s)) "$why"
		sed -n '2,30p' "$LOGS/vm-$name.err" ;;
	fail:0) result FAIL "vm:$name" $((SECONDS - s)) "expected a failure, but it passed" ;;
	*) result FAIL "vm:$name" $((SECONDS - s)) "exit $rc (expect: $expect): $why"
		sed -n '2,30p' "$LOGS/vm-$name.err" ;;
	esac
done

# ------------------------------------------------------------- (d) fuzz
# with CHECK_FILTER, only if it matches "fuzz" (CHECK_FILTER=fuzz: only this)
if [ "${CHECK_SKIP_FUZZ:-0}" != 1 ] &&
   { [ -z "${CHECK_FILTER:-}" ] || [[ fuzz =~ $CHECK_FILTER ]]; }; then
	s=$SECONDS
	flog=$LOGS/fuzz.log
	if FUZZ_SECONDS=${CHECK_FUZZ_SECONDS:-120} \
			"$REPO/tests/fuzz/run-fuzz.sh" >"$flog" 2>&1; then
		result PASS fuzz:incoming $((SECONDS - s)) "$(tail -n1 "$flog" | sed 's/^fuzz: //')"
	else
		result FAIL fuzz:incoming $((SECONDS - s)) "see $flog"
		grep -E '^fuzz:|INVARIANT|ERROR|runtime error|^ +#' "$flog" | head -n 20 | sed 's/^/  | /'
	fi
fi

# --------------------------------------------------- (d) bench-scale smoke
# The finalize side and boot.c natively on generated 4 and 16 GiB handovers
# of every layout, and on 16 GiB of scattered pages with an eighth of the
# data spare (the gap budget must still cover every gap): each must be
# reserved in at most 4096 memblock regions ("over" fails), offered whole,
# and give every gap page back (tests/scale/scale.c); no timing is checked
if [ "${CHECK_SKIP_FUZZ:-0}" != 1 ] &&
   { [ -z "${CHECK_FILTER:-}" ] || [[ scale =~ $CHECK_FILTER ]]; }; then
	s=$SECONDS
	slog=$LOGS/scale.log
	if make -s -C "$REPO/tests/scale" >"$slog" 2>&1 &&
	   "$BUILD/scale/bench-scale" 4 16 >>"$slog" 2>&1 &&
	   "$BUILD/scale/bench-scale" -l scattered -s 8 16 >>"$slog" 2>&1 &&
	   ! grep -q ' over$' "$slog"; then
		result PASS scale:smoke $((SECONDS - s)) \
			"$(grep -c ' ok$' "$slog") handovers reserved and offered whole"
	else
		result FAIL scale:smoke $((SECONDS - s)) "see $slog"
		grep -vE '^ *[0-9]+ .* ok$' "$slog" | head -n 20 | sed 's/^/  | /'
	fi
fi

# ------------------------------------------------------------- (e) debug pass
# The KASAN + lockdep + DEBUG_PAGEALLOC kernel (make kernel-debug, which make
# check builds) over KUnit and the scenarios that exercise the risky paths:
# this script again, with KERNEL=build/linux-debug, results named debug:...
DEBUG_SCENARIOS=${CHECK_DEBUG_SCENARIOS:-'^pkram-(kexec3|corrupt|dataloss|faultinject|hv-kexec|kexec-refuse|liveupdate|tmpfs|scatter)$'}
if [ "${CHECK_SKIP_DEBUG:-0}" != 1 ] && [ "$KTREE" = "$BUILD/linux" ] &&
   [ -z "${CHECK_FILTER:-}" ] && [ -f "$BUILD/linux-debug/arch/x86/boot/bzImage" ]; then
	dlog=$LOGS/debug-pass.txt
	CHECK_PREFIX=debug: KERNEL=$BUILD/linux-debug BUILD=$BUILD CHECK_SKIP_UNIT=1 \
		CHECK_SKIP_FUZZ=1 CHECK_SKIP_DEBUG=1 CHECK_FILTER=$DEBUG_SCENARIOS \
		"$0" >"$dlog" 2>&1
	grep -E '^(PASS|FAIL|SKIP) ' "$dlog"
	grep -E '^  \| ' "$dlog" | head -n 40
	dpassed=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$dlog")
	dfailed=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$dlog")
	if [ -z "$dpassed" ]; then
		result FAIL debug:pass "" "no summary; see $dlog"
	else
		passed=$((passed + dpassed))
		failed=$((failed + dfailed))
		[ "$dfailed" -gt 0 ] && failures+=($(sed -n 's/.*; failed: //p' "$dlog"))
	fi
fi

echo "check: $(( $(date +%s) - t0 ))s, logs in $LOGS${failures[*]:+; failed: ${failures[*]}}"
[ "$skipped" -gt 0 ] && echo "($skipped skipped tests are counted neither as passed nor as failed)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
