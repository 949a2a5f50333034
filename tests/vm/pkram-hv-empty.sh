# Hyper-V deposit ledger: a kexec with nothing deposited creates no node;
# a kernel that is not a root partition leaves the node reserved (MemTotal
# is short by its pages) until it is discarded, which returns the pages.
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
	total0=$(meminfo MemTotal)
	echo hv-deposited >/sys/kernel/pkram/discard || vm-fail "discard failed"
	total1=$(meminfo MemTotal)
	echo "pkram-test: discard hv-deposited ($pages pages): MemTotal $total0 -> $total1 kB"
	[ $((total1 - total0)) -ge $((pages * 4)) ] ||
		vm-fail "discard returned $((total1 - total0)) kB, want >= $((pages * 4)) kB"
	[ -z "$(node_field hv-deposited 1)" ] || vm-fail "discarded node still listed"
	check_memtotal "stage 3, hv-deposited discarded"
	vm-pass "no node without deposits; non-root kernel keeps the node reserved until discarded"
	;;
esac
