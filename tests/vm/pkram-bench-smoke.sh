# A tiny run of the PKRAM benchmark (tests/bench/): 16 MiB in each layout,
# one node per layout, one kexec; the mixed layout is saved and loaded by
# two threads at once (the guest has 2 CPUs), so the parallel load of
# incoming, reserved pages runs here too. Checks that bench_pkram and the
# kernel print every number the bench collects, and that the load got
# every page back; no timing is asserted. (The
# finalize time is printed while the first kernel goes down, so only the
# host driver sees it.)
# vmtest-args: --mem 1G --timeout 300
# expect: pass
LAYOUTS="scattered thp mixed"

# threads LAYOUT: how many threads save and load it
threads() {
	[ "$1" = mixed ] && echo 2 || echo 1
}

# num LINE KEY: the number after KEY= in LINE
num() {
	echo "$1" | sed -n "s/.* $2=\([0-9][0-9]*\).*/\1/p"
}

# line REGEX: the one dmesg line matching REGEX, or fail
line() {
	found=$(dmesg | grep -E "$1" | tail -1)
	[ -n "$found" ] || vm-fail "no line matching '$1' in dmesg"
	echo "$found"
}

bench() {
	modprobe bench_pkram "$@" ||
		vm-fail "bench_pkram $* failed: $(dmesg | grep 'pkram-bench: FAIL' | tail -1)"
	rmmod bench_pkram
}

# check PHASE LAYOUT: a "pkram-bench: phase=PHASE layout=LAYOUT" line with
# 16 MiB and a time
check() {
	m=$(line "pkram-bench: phase=$1 layout=$2 ")
	[ "$(num "$m" bytes)" = 16777216 ] || vm-fail "$1/$2: wrong byte count: $m"
	[ "$(num "$m" pages)" = 4096 ] || vm-fail "$1/$2: wrong page count: $m"
	[ -n "$(num "$m" folios)" ] && [ -n "$(num "$m" ns)" ] || vm-fail "$1/$2: no number: $m"
	[ "$1" = copy ] || [ "$(num "$m" threads)" = "$(threads "$2")" ] ||
		vm-fail "$1/$2: not $(threads "$2") thread(s): $m"
	echo "pkram-test: $m"
}

case $PKRAM_STAGE in
1)
	[ "$(nproc)" -ge 2 ] || vm-fail "the guest has $(nproc) CPU: no parallel save"
	for lay in $LAYOUTS; do
		bench phase=save layout=$lay size_mb=16 seed=3 name=bench-$lay threads=$(threads $lay)
		check save $lay
		check copy $lay
		meta=$(awk -v n=bench-$lay '$2 == n { print $8 }' /sys/kernel/pkram/nodes)
		[ "${meta:-0}" -gt 0 ] || vm-fail "no meta pages for bench-$lay: $(cat /sys/kernel/pkram/nodes)"
	done
	vm-kexec
	;;
2)
	m=$(line 'pkram: [0-9]+ incoming node\(s\), [0-9]+ pages; early reservation took [0-9]+ us, validation [0-9]+ us')
	echo "pkram-test: $m"
	for lay in $LAYOUTS; do
		bench phase=load layout=$lay size_mb=16 seed=3 name=bench-$lay threads=$(threads $lay)
		check load $lay
	done
	vm-pass "bench numbers present for $LAYOUTS"
	;;
esac
