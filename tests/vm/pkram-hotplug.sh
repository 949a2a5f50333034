# Memory hotplug. Stage 1 boots with 256 MiB of the guest's RAM hidden
# (memmap=$, a hole at 256-512 MiB), hot-adds it as memory blocks 2 and 3
# through /sys/devices/system/memory/probe and onlines them; test_pkram
# saves node hp-0 into block 2 and node lru-0, a whole 4 MiB of block 3 in
# pages it put on the LRU like page cache, so nothing else of block 3 is
# used. Offlining block 3 must fail at once with
# EBUSY and a pkram: line naming lru-0 (without PKRAM's memory notifier
# offline_pages() retries migrating the pages PKRAM holds until a signal);
# after discarding lru-0 the same offline succeeds. Stage 2 boots without
# the hole (the e820 map kexec passes on is the firmware's): hp-0 arrives,
# offlining its block fails promptly, and it verifies in place. It saves
# node gone-0 there and kexecs with the hole again: stage 3 does not know
# that memory at boot, so it costs the node that uses it: a pkram: line
# names the range, gone-0 is refused as damaged (never read there; a node
# elsewhere would be offered, see pkram-corrupt.sh); the hole can then be
# hot-added and onlined as ordinary memory.
# vmtest-args: --mem 1G --append 'memmap=256M$0x10000000' --timeout 300 --add tests/vm/include/pkram-lib.sh
# expect: pass
. /root/pkram-lib.sh
mem=/sys/devices/system/memory
B2="range_start=0x10000000 range_end=0x18000000"
B3="range_start=0x18000000 range_end=0x20000000"

# offline_fails BLOCK: offlining must fail, with EBUSY, within 5 s
offline_fails() {
	t0=$(date +%s)
	if timeout 20 sh -c "echo offline >$mem/$1/state" 2>/tmp/offline.err; then
		vm-fail "$1 went offline though it holds preserved pages"
	fi
	t=$(($(date +%s) - t0))
	echo "pkram-test: offline $1 refused in ${t}s: $(cat /tmp/offline.err)"
	grep -q 'resource busy' /tmp/offline.err || vm-fail "offline $1: want EBUSY: $(cat /tmp/offline.err)"
	[ $t -le 5 ] || vm-fail "offline $1 took ${t}s to fail"
	[ "$(cat $mem/$1/state)" = online ] || vm-fail "$1 is $(cat $mem/$1/state)"
}

case $PKRAM_STAGE in
1)
	[ "$(cat $mem/block_size_bytes)" = 8000000 ] || vm-fail "block size $(cat $mem/block_size_bytes)"
	[ ! -e $mem/memory2 ] || vm-fail "memory2 exists before the hot-add"
	echo 0x10000000 >$mem/probe || vm-fail "cannot hot-add 0x10000000"
	echo 0x18000000 >$mem/probe || vm-fail "cannot hot-add 0x18000000"
	echo online_kernel >$mem/memory2/state || vm-fail "cannot online memory2"
	echo online_kernel >$mem/memory3/state || vm-fail "cannot online memory3"
	echo "pkram-test: memory2 $(cat $mem/memory2/valid_zones), memory3 $(cat $mem/memory3/valid_zones)"
	tp action=save prefix=hp seed=71 nodes=1 objs=3 max_order=0 max_bytes=5000 $B2
	tp action=save-lru prefix=lru $B3
	cat /sys/kernel/pkram/nodes
	offline_fails memory3
	line=$(dmesg | grep 'pkram: memory \[0x18000000-0x1fffffff\] holds pages of outgoing node lru-0: not offlined')
	[ -n "$line" ] || vm-fail "no pkram: line naming lru-0"
	echo lru-0 >/sys/kernel/pkram/discard || vm-fail "discard lru-0"
	echo offline >$mem/memory3/state || vm-fail "memory3 does not go offline after discarding lru-0"
	echo "pkram-test: memory3 offline after discarding lru-0"
	# the next kernel sees the hole as RAM from boot
	sed -i 's/memmap=[^ ]*//' /etc/vmtest/base_cmdline
	vm-kexec
	;;
2)
	no_pkram_errors
	grep -q memmap= /proc/cmdline && vm-fail "memmap= still on the command line"
	expect_node hp-0 in incoming
	[ -z "$(node_field lru-0 1)" ] || vm-fail "discarded lru-0 arrived"
	offline_fails memory2
	tp action=verify prefix=hp seed=71 nodes=1 objs=3 max_order=0 max_bytes=5000 $B2
	tp action=save prefix=gone seed=77 nodes=1 objs=3 max_order=0 max_bytes=5000 $B2
	vm-kexec 'memmap=256M$0x10000000'
	;;
3)
	line=$(dmesg | grep -E 'pkram: preserved memory \[0x1[0-9a-f]{7}-0x[0-9a-f]+\) is not memory this kernel knows at boot: nodes that use it are not offered')
	[ -n "$line" ] || vm-fail "no pkram: line about memory this kernel does not know: $(dmesg | grep pkram:)"
	echo "pkram-test: ${line#*] }"
	line=$(dmesg | grep 'pkram: node gone-0 is damaged (preserved memory this kernel does not know at boot)')
	[ -n "$line" ] || vm-fail "gone-0 not refused for unknown memory: $(dmesg | grep pkram:)"
	echo "pkram-test: ${line#*] }"
	[ -z "$(cat /sys/kernel/pkram/nodes)" ] || vm-fail "nodes offered: $(cat /sys/kernel/pkram/nodes)"
	echo 0x10000000 >$mem/probe || vm-fail "cannot hot-add the hole"
	echo online >$mem/memory2/state || vm-fail "cannot online the hole"
	vm-pass "hot-added memory preserved, offline refused while preserved, unknown memory costs only its node"
	;;
esac
