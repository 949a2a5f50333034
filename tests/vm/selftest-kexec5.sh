# vmtest harness self-test: five consecutive kexecs (kexec_file_load),
# stage numbering 1..6 and state carried in the rootfs; passes at stage 6.
# vmtest-args: --mem 1G --timeout 400
# expect: pass
echo "stage $PKRAM_STAGE"
# every stage appends its number; stage N must see 1..N-1 already there
echo "$PKRAM_STAGE" >>/root/stages
want=$(seq 1 "$PKRAM_STAGE" | tr '\n' ' ')
got=$(tr '\n' ' ' </root/stages)
[ "$got" = "$want" ] || vm-fail "stage bookkeeping: got '$got', want '$want'"
grep -q "vmtest.stage=" /proc/cmdline || [ "$PKRAM_STAGE" = 1 ] ||
	vm-fail "no vmtest.stage= on the command line at stage $PKRAM_STAGE"
case $PKRAM_STAGE in
[1-5]) vm-kexec ;;
6) vm-pass "6 boots, 5 kexecs" ;;
*) vm-fail "unexpected stage $PKRAM_STAGE" ;;
esac
