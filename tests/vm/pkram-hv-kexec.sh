# Hyper-V deposit ledger across one kexec (test_pkram_hv plays the
# hypervisor): every deposited page is out of the new kernel's page
# allocator (nearly all free memory is allocated and none of it is a
# deposited page) and its ownership pattern is intact, although the pages
# were unmapped, so PKRAM never read them.
# vmtest-args: --mem 1G --timeout 300 --append hv_deposit_ledger.root=1 --add tests/vm/include/pkram-lib.sh
# expect: pass
. /root/pkram-lib.sh
LEDGER=/sys/kernel/debug/hv_deposit_ledger

# ledger FIELD: a line of the ledger's status
ledger() {
	awk -v f="$1" '$1 == f { print $2 }' $LEDGER/status
}

# tph ARGS...: run the hypervisor stand-in once
tph() {
	echo "test_pkram_hv: modprobe $*"
	modprobe test_pkram_hv "$@" || vm-fail "test_pkram_hv $* failed (dmesg: $(dmesg | grep 'test_pkram_hv: FAIL' | tail -1))"
	rmmod test_pkram_hv || vm-fail "rmmod test_pkram_hv failed"
}

echo "pkram-test: stage $PKRAM_STAGE: ledger: $(tr '\n' ' ' <$LEDGER/status)"
[ "$(ledger root)" = 1 ] || vm-fail "hv_deposit_ledger.root=1 not honoured"
case $PKRAM_STAGE in
1)
	tph action=deposit calls=8 pages=511
	tph action=verify expect=4088 exhaust=0
	cp $LEDGER/extents /root/hv-extents.1
	vm-kexec
	;;
2)
	no_pkram_errors
	dmesg | grep -q 'hv_deposit_ledger: kept 4088 deposited pages' ||
		vm-fail "ledger not loaded: $(dmesg | grep hv_deposit_ledger)"
	[ -z "$(node_field hv-deposited 1)" ] || vm-fail "hv-deposited still listed"
	cmp -s $LEDGER/extents /root/hv-extents.1 ||
		vm-fail "extents differ after kexec"
	[ "$(ledger chunks)" -ge 8 ] || vm-fail "chunks: $(ledger chunks)"
	tph action=verify expect=4088
	vm-pass "4088 deposited pages kept out of the allocator across kexec"
	;;
esac
