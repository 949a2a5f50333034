# Hyper-V deposit ledger: a kexec with nothing deposited creates no node;
# a kernel that is not a root partition leaves the node reserved: discard
# (by name or --all-unclaimed) refuses it, since its pages are the
# hypervisor's, and the next root partition kernel takes it.
# vmtest-args: --mem 1G --timeout 300 --append hv_deposit_ledger.root=1 --add tests/vm/include/pkram-lib.sh
# expect: pass
. /root/pkram-lib.sh
LEDGER=/sys/kernel/debug/hv_deposit_ledger

ledger() {
	awk -v f="$1" '$1 == f { print $2 }' $LEDGER/status
}

tph() {
	echo "test_pkram_hv: modprobe $*"
	modprobe test_pkram_hv "$@" || vm-fail "test_pkram_hv $* failed (dmesg: $(dmesg | grep 'test_pkram_hv: FAIL' | tail -1))"
	rmmod test_pkram_hv || vm-fail "rmmod test_pkram_hv failed"
}

echo "pkram-test: stage $PKRAM_STAGE: ledger: $(tr '\n' ' ' <$LEDGER/status)"
case $PKRAM_STAGE in
1)
	record_memtotal
	[ "$(ledger pages)" = 0 ] || vm-fail "ledger not empty at first boot"
	vm-kexec
	;;
2)
	no_pkram_errors
	dmesg | grep -q 'hv_deposit_ledger: no incoming hv-deposited node' ||
		vm-fail "expected no incoming node"
	[ -z "$(node_field hv-deposited 1)" ] || vm-fail "empty ledger created a node"
	dmesg | grep -q 'pkram: preserving' && vm-fail "something was preserved"
	check_memtotal "stage 2, nothing deposited"
	tph action=deposit calls=4 pages=511
	vm-kexec hv_deposit_ledger.root=0
	;;
3)
	no_pkram_errors
	[ "$(ledger root)" = 0 ] || vm-fail "hv_deposit_ledger.root=0 not honoured"
	[ "$(ledger pages)" = 0 ] || vm-fail "a non-root kernel loaded the ledger"
	expect_node hv-deposited in incoming
	pages=$(node_field hv-deposited 6)
	[ "$pages" = 2044 ] || vm-fail "node holds $pages pages, want 2044"
	# the pages are the hypervisor's: never discarded, not even by root
	total0=$(meminfo MemTotal)
	if echo hv-deposited >/sys/kernel/pkram/discard 2>/dev/null; then
		vm-fail "hv-deposited was discarded: its pages are the hypervisor's"
	fi
	echo --all-unclaimed >/sys/kernel/pkram/discard || vm-fail "--all-unclaimed failed"
	expect_node hv-deposited in incoming
	total1=$(meminfo MemTotal)
	[ "$total1" = "$total0" ] || vm-fail "MemTotal $total0 -> $total1 kB: deposited pages freed"
	dmesg | grep -q "pkram: node hv-deposited holds memory that is not the kernel's" ||
		vm-fail "no pkram: line for the refused discard"
	echo "pkram-test: hv-deposited ($pages pages) refused by discard and kept by --all-unclaimed"
	# carried over until a root partition kernel takes it
	vm-kexec hv_deposit_ledger.root=1
	;;
4)
	no_pkram_errors
	dmesg | grep -q 'hv_deposit_ledger: kept 2044 deposited pages' ||
		vm-fail "ledger not loaded: $(dmesg | grep hv_deposit_ledger)"
	[ -z "$(node_field hv-deposited 1)" ] || vm-fail "hv-deposited still listed"
	vm-pass "no node without deposits; a non-root kernel keeps the deposited pages reserved, undiscardable, for the next root kernel"
	;;
esac
