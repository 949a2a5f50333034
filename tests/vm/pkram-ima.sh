# kexec_file_load with IMA: PKRAM's step comes before IMA's, so the command
# line IMA measures (policy: KEXEC_CMDLINE) carries the pkram= the next
# kernel gets, and IMA's measurement-list segment is placed with PKRAM's
# snapshot of preserved memory in force. The nodes saved before the load
# arrive intact.
# vmtest-args: --mem 1G --timeout 300 --add tests/vm/include/pkram-lib.sh
# expect: pass
. /root/pkram-lib.sh
SEC=/sys/kernel/security

case $PKRAM_STAGE in
1)
	mkdir -p $SEC && mount -t securityfs securityfs $SEC || vm-fail "no securityfs"
	[ -d $SEC/ima ] || vm-fail "no IMA in this kernel"
	echo "measure func=KEXEC_CMDLINE template=ima-buf" >$SEC/ima/policy ||
		vm-fail "cannot load the IMA policy"
	tp action=save prefix=m seed=61 nodes=2
	VM_KEXEC_NOEXEC=1 vm-kexec
	# the measured command line (ima-buf: the buffer in hex, last field)
	hex=$(awk '$5 == "kexec-cmdline" { print $NF }' $SEC/ima/ascii_runtime_measurements | tail -1)
	[ -n "$hex" ] || vm-fail "no kexec-cmdline measurement: $(cat $SEC/ima/ascii_runtime_measurements)"
	measured=$(printf '%b' "$(echo "$hex" | sed 's/../\\x&/g')")
	echo "pkram-test: IMA measured: $measured"
	want=$(cat /sys/kernel/pkram/cmdline)
	case " $measured " in
	*" $want "*) ;;
	*) vm-fail "the measured command line lacks $want: $measured" ;;
	esac
	kexec -e -x
	vm-fail "kexec -e returned"
	;;
2)
	no_pkram_errors
	tp action=verify prefix=m seed=61 nodes=2
	vm-pass "IMA measured the command line with pkram=; the nodes arrived"
	;;
esac
