# Data-loss paths of issue 17, across one kexec:
# - a kexec load that fails after its segments were checked leaves the bans
#   of the image that is really loaded (debugfs kexec_bans unchanged), so
#   folios saved afterwards in that image's destinations are preserved as
#   copies and come back intact;
# - a node with an inplace object (memory that is not the kernel's, like
#   the Hyper-V deposit ledger's) is never discarded after kexec, neither
#   by name nor by --all-unclaimed; its owner still loads all of it.
# RAM at 512-640 MiB is hidden at boot (memmap=$) and hot-added as block 4
# after the first saves: image A is loaded with kexec_load into its lower
# half (kexec-tools --mem-min/--mem-max), while kexec's own page
# allocations come from the top of the block, freed last when it was
# onlined, so A's destinations hold free pages for test_pkram to save.
# vmtest-args: --mem 1G --append 'memmap=128M$0x20000000' --timeout 300 --add tests/vm/include/pkram-lib.sh --add build/pkramctl/pkramctl:/usr/bin/pkramctl --add build/vmprog/kexec-fail-load:/usr/bin/kexec-fail-load
# expect: pass
. /root/pkram-lib.sh
BANS=/sys/kernel/debug/pkram/kexec_bans
BLOCK=$((4 << 20))	# MAX_PAGE_ORDER block: test_pkram's range unit

case $PKRAM_STAGE in
1)
	tp action=save prefix=h seed=31 nodes=2 inplace=1
	tp action=save prefix=u seed=32 nodes=1
	# hot-added after those saves: nothing preserved in block 4
	mem=/sys/devices/system/memory
	echo 0x20000000 >$mem/probe || vm-fail "cannot hot-add block 4"
	echo online_kernel >$mem/memory4/state || vm-fail "cannot online memory4"
	sed -i 's/memmap=[^ ]*//' /etc/vmtest/base_cmdline
	# image A, loaded into block 4 but not run yet
	VM_KEXEC_LEGACY=1 VM_KEXEC_NOEXEC=1 \
	VM_KEXEC_EXTRA="--mem-min=0x20000000 --mem-max=0x23ffffff" \
		vm-kexec "$(cat /sys/kernel/pkram/cmdline)"
	cp $BANS /root/bans.A
	echo "pkram-test: A's destinations:"; cat /root/bans.A
	[ -s /root/bans.A ] || vm-fail "no bans after loading A"
	# a second load that fails after the segment checks: A stays loaded
	kexec-fail-load "$(awk 'NR == 1 { print $1 }' /root/bans.A)" ||
		vm-fail "the failing kexec_load did not fail with EFAULT"
	cmp -s $BANS /root/bans.A ||
		vm-fail "bans changed by a failed load: $(cat $BANS)"
	# save folios inside A's largest destination: they must become copies
	best=0
	while read -r s e; do
		s=$(((s + BLOCK - 1) / BLOCK * BLOCK))
		e=$((e / BLOCK * BLOCK))
		if [ $((e - s)) -gt $best ]; then best=$((e - s)); rs=$s; re=$e; fi
	done </root/bans.A
	[ $best -gt 0 ] || vm-fail "no 4 MiB block inside A's destinations"
	echo "pkram-test: saving k-0 in [$rs, $re)"
	tp action=save prefix=k seed=33 nodes=1 max_order=0 range_start=$rs range_end=$re
	dmesg | grep -q 'pkram: saving copies of folios in loaded kexec segments' ||
		vm-fail "folios in A's destinations were not saved as copies"
	kexec -e -x
	vm-fail "kexec -e returned"
	;;
2)
	no_pkram_errors
	tp action=verify prefix=k seed=33 nodes=1 max_order=0
	echo "pkram-test: k-0 verified: folios saved in A's destinations survived A's copy"

	# h-0/h-1 hold memory that is not the kernel's
	expect_node h-0 in incoming
	if pkramctl discard h-0 2>/root/discard.err; then
		vm-fail "pkramctl discard h-0 succeeded"
	fi
	cat /root/discard.err
	grep -q "not the kernel's" /root/discard.err ||
		vm-fail "discard h-0: unclear refusal: $(cat /root/discard.err)"
	pkramctl discard --all-unclaimed || vm-fail "discard --all-unclaimed failed"
	[ -z "$(node_field u-0 1)" ] || vm-fail "u-0 not discarded by --all-unclaimed"
	expect_node h-0 in incoming
	expect_node h-1 in incoming
	dmesg | grep -q "pkram: node h-1 holds memory that is not the kernel's: kept" ||
		vm-fail "--all-unclaimed did not say it kept h-1"
	# the owner loads all of it
	tp action=verify prefix=h seed=31 nodes=2 inplace=1
	[ -z "$(cat /sys/kernel/pkram/nodes)" ] || vm-fail "nodes left: $(cat /sys/kernel/pkram/nodes)"
	vm-pass "bans follow the loaded image; foreign memory is never discarded"
	;;
esac
