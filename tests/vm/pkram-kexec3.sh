# PKRAM across three kexecs (kexec_file_load, KASLR on): each stage verifies
# every byte, order and index the previous one saved, and saves a new set; a
# node nobody claims is carried through two kexecs; MemTotal after loading
# everything is that of a boot with nothing preserved; discard frees memory;
# a pkram_saver saves its nodes in the reboot path.
# vmtest-args: --mem 1G --timeout 600 --add tests/vm/include/pkram-lib.sh
# expect: pass
. /root/pkram-lib.sh
[ -d /sys/kernel/pkram ] || vm-fail "no /sys/kernel/pkram"
grep -q nokaslr /proc/cmdline && vm-fail "KASLR must be on"
echo "pkram-test: stage $PKRAM_STAGE: $(cat /sys/kernel/pkram/cmdline)"
case $PKRAM_STAGE in
1)
	record_memtotal
	tp action=save prefix=s1 seed=101 nodes=3
	tp action=save prefix=d seed=7 nodes=1
	expect_node s1-0 out saved
	cat /sys/kernel/pkram/nodes
	vm-kexec
	;;
2)
	no_pkram_errors
	dmesg | grep -q 'pkram: reserved' || vm-fail "no early reservation logged"
	expect_node s1-2 in incoming
	expect_node d-0 in incoming
	tp action=verify prefix=s1 seed=101 nodes=3
	[ -z "$(node_field s1-0 1)" ] || vm-fail "loaded node s1-0 still listed"
	# discard: the node's memory returns to the page allocator; it was
	# reserved, so MemTotal rises by at least its data and metadata pages
	total0=$(meminfo MemTotal)
	free0=$(free_kb)
	pages=$(($(node_field d-0 6) + $(node_field d-0 8)))
	echo d-0 >/sys/kernel/pkram/discard || vm-fail "discard d-0 failed"
	total1=$(meminfo MemTotal)
	free1=$(free_kb)
	echo "pkram-test: discard d-0 (>= $pages pages): MemTotal $total0 -> $total1 kB, free $free0 -> $free1 kB"
	[ $((total1 - total0)) -ge $((pages * 4)) ] ||
		vm-fail "discard returned $((total1 - total0)) kB, want >= $((pages * 4)) kB"
	[ $((free1 - free0)) -ge $((pages * 3)) ] ||
		vm-fail "free memory rose by $((free1 - free0)) kB only, want ~$((pages * 4)) kB"
	[ -z "$(node_field d-0 1)" ] || vm-fail "discarded node still listed"
	check_memtotal "stage 2, everything loaded or discarded"
	tp action=save prefix=s2 seed=202 nodes=2 objs=6
	tp action=save prefix=carry seed=303 nodes=1 max_order=2
	vm-kexec
	;;
3)
	no_pkram_errors
	tp action=verify prefix=s2 seed=202 nodes=2 objs=6
	expect_node carry-0 in incoming
	tp action=save prefix=s3 seed=404 nodes=4 objs=2 max_bytes=2000000
	# saved by a pkram_saver in the reboot path: stays loaded until kexec
	modprobe test_pkram action=saver prefix=late seed=505 nodes=2 ||
		vm-fail "cannot register the saver"
	[ -z "$(node_field late-0 1)" ] || vm-fail "saver ran before kexec"
	vm-kexec
	;;
4)
	no_pkram_errors
	tp action=verify prefix=s3 seed=404 nodes=4 objs=2 max_bytes=2000000
	tp action=verify prefix=carry seed=303 nodes=1 max_order=2
	tp action=verify prefix=late seed=505 nodes=2
	[ -z "$(cat /sys/kernel/pkram/nodes)" ] || vm-fail "nodes left: $(cat /sys/kernel/pkram/nodes)"
	check_memtotal "stage 4, everything loaded"
	vm-pass "3 kexecs, every node verified"
	;;
esac
