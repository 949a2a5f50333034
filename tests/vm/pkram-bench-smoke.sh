# A tiny run of the PKRAM benchmark (tests/bench/): 16 MiB in each layout,
# one node per layout, one kexec. Checks that bench_pkram and the kernel
# print every number the bench collects; no timing is asserted. (The
# finalize time is printed while the first kernel goes down, so only the
# host driver sees it.)
# vmtest-args: --mem 1G --timeout 300
# expect: pass
LAYOUTS="scattered thp mixed"

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
	echo "pkram-test: $m"
}

case $PKRAM_STAGE in
1)
	for lay in $LAYOUTS; do
		bench phase=save layout=$lay size_mb=16 seed=3 name=bench-$lay
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
		bench phase=load layout=$lay size_mb=16 seed=3 name=bench-$lay
		check load $lay
	done
	vm-pass "bench numbers present for $LAYOUTS"
	;;
esac
