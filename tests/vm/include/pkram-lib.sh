# Shell helpers for PKRAM vmtest scenarios; copied into the guest as
# /root/pkram-lib.sh by `--add tests/vm/include/pkram-lib.sh`.

# meminfo FIELD: the value in kB
meminfo() {
	awk -v f="$1:" '$1 == f { print $2 }' /proc/meminfo
}

# free_kb: free memory in kB, including pages on per-cpu free lists (which
# MemFree leaves out until they are drained)
free_kb() {
	pcp=$(awk '$1 == "count:" { s += $2 } END { print s + 0 }' /proc/zoneinfo)
	echo $(($(meminfo MemFree) + pcp * 4))
}

# tp ARGS...: run the test module once (it does its work in init)
tp() {
	echo "test_pkram: modprobe $*"
	modprobe test_pkram "$@" || vm-fail "test_pkram $* failed (dmesg: $(dmesg | grep 'test_pkram: FAIL' | tail -1))"
	rmmod test_pkram || vm-fail "rmmod test_pkram failed"
}

# node_field NAME COLUMN: a column of /sys/kernel/pkram/nodes for one node
#   columns: 1 dir 2 name 3 state 4 objects 5 folios 6 pages 7 bytes 8 meta
node_field() {
	awk -v n="$1" -v c="$2" '$2 == n { print $c }' /sys/kernel/pkram/nodes
}

# expect_node NAME DIR STATE
expect_node() {
	line=$(awk -v n="$1" '$2 == n' /sys/kernel/pkram/nodes)
	[ -n "$line" ] || vm-fail "node $1 missing; nodes: $(cat /sys/kernel/pkram/nodes)"
	set -- "$1" "$2" "$3" $line
	[ "$4" = "$2" ] && [ "$6" = "$3" ] ||
		vm-fail "node $1: want $2 $3, got: $line"
}

# hash_kb: kB of the boot-time hash tables (dentry, inode, mount, ...):
# they are sized from the free memory at mm init, so a boot with memory
# reserved early gets smaller ones and a larger MemTotal
hash_kb() {
	dmesg | sed -n 's/.*hash table entries: [0-9]* (order: [0-9-]*, \([0-9]*\) bytes.*/\1/p' |
		awk '{ s += $1 } END { print int(s / 1024) }'
}

# record_memtotal: remember MemTotal of a boot with nothing preserved
record_memtotal() {
	meminfo MemTotal >/root/memtotal.kb
	hash_kb >/root/hash.kb
}

# check_memtotal WHAT: MemTotal within 1 MiB of the recorded one, once the
# difference in boot-time hash table sizes is taken out
check_memtotal() {
	want=$(cat /root/memtotal.kb)
	got=$(meminfo MemTotal)
	h0=$(cat /root/hash.kb 2>/dev/null || echo 0) h1=$(hash_kb)
	h=0; [ "$h0" -gt 0 ] && [ "$h1" -gt 0 ] && h=$((h0 - h1))
	d=$((got - h - want)); [ "$d" -lt 0 ] && d=$((-d))
	echo "pkram-test: MemTotal $got kB, first boot $want kB, hash tables $h kB smaller ($1)"
	[ "$d" -le 1024 ] || vm-fail "MemTotal $got kB differs from $want kB by $d kB, $h kB of hash tables aside ($1)"
}

# no_pkram_errors: the kernel logged no pkram error
no_pkram_errors() {
	if dmesg | grep -E 'pkram: .*(invalid|damaged|nothing is preserved|not preserved|fail)'; then
		vm-fail "pkram logged an error"
	fi
}

# fail_nth_armed: let fail-nth (tests/vm/prog/fail-nth.c) fail every slab and page
# allocation of the task, sleeping or not, whatever its order
fail_nth_armed() {
	for a in failslab fail_page_alloc; do
		echo 0 >/sys/kernel/debug/$a/probability
		echo N >/sys/kernel/debug/$a/ignore-gfp-wait
		echo 0 >/sys/kernel/debug/$a/verbose
		echo -1 >/sys/kernel/debug/$a/times
	done
	echo 0 >/sys/kernel/debug/fail_page_alloc/min-order
	echo N >/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem
}
