# Hyper-V deposit ledger through three kexecs: the same pages are carried
# along, pages deposited between kexecs are added, and each kernel finds
# every page intact and out of its page allocator.
# vmtest-args: --mem 1G --timeout 400 --append hv_deposit_ledger.root=1 --add tests/vm/include/pkram-lib.sh
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

# pfns FILE: every pfn of an extents file, one a line
pfns() {
	awk '{ for (i = 0; i < $2; i++) print $1 + i }' "$1"
}

# keep_set: the pfns of the previous stage are all still in the ledger
keep_set() {
	pfns /root/hv-extents.prev >/tmp/old
	pfns $LEDGER/extents >/tmp/new
	missing=$(awk 'NR == FNR { a[$1]; next } !($1 in a)' /tmp/new /tmp/old | wc -l)
	[ "$missing" -eq 0 ] || vm-fail "$missing pfns of the last kernel are not in the ledger"
}

echo "pkram-test: stage $PKRAM_STAGE: ledger: $(tr '\n' ' ' <$LEDGER/status)"
case $PKRAM_STAGE in
1)
	tph action=deposit calls=2 pages=511
	;;
2 | 3)
	no_pkram_errors
	keep_set
	tph action=verify expect=$(cat /root/hv-expect) exhaust=0
	tph action=deposit calls=2 pages=300
	;;
4)
	no_pkram_errors
	keep_set
	tph action=verify expect=$(cat /root/hv-expect)
	[ "$(ledger pages)" = 2222 ] || vm-fail "ledger holds $(ledger pages) pages, want 2222"
	vm-pass "3 kexecs: 2222 deposited pages carried and verified"
	;;
esac
ledger pages >/root/hv-expect
cp $LEDGER/extents /root/hv-extents.prev
vm-kexec
