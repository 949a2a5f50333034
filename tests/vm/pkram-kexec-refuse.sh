# A kexec that cannot keep what was promised is refused, the system keeps
# running with nothing changed, and a later kexec keeps every byte:
# - a saver (test_pkram action=saver) that fails: /sys/kernel/pkram/
#   kexec_check fails with its error, then `kexec -e` itself fails (reboot()
#   returns the error) and the system goes on: the nodes saved before are
#   still saved, the saver's are gone, owned_pages is as before, new saves
#   work;
# - every allocation of the preparation (the Hyper-V ledger's saver, the
#   finalize bitmap, range list and superblock) failed in turn (fail-nth on the task writing kexec_check): the write
#   fails with ENOMEM or succeeds (an allocation with a fallback), and each
#   time owned_pages and the nodes are as before;
# - then the kexec goes through and every node verifies, the saver's too;
#   its state changes after the handover was prepared (a reboot notifier),
#   so it runs again after device_shutdown() and the node only that rerun
#   saves arrives as well.
# vmtest-args: --mem 1G --timeout 600 --add tests/vm/include/pkram-lib.sh --add build/vmprog/fail-nth:/usr/bin/fail-nth
# expect: pass
. /root/pkram-lib.sh
dbg=/sys/kernel/debug
ARGS="nodes=2 objs=3 max_folios=10 max_order=3 max_bytes=9000"
owned() { cat $dbg/pkram/owned_pages; }
nodes() { awk '{ print $1, $2, $3 }' /sys/kernel/pkram/nodes | sort; }

case $PKRAM_STAGE in
1)
	tp action=save prefix=a seed=11 $ARGS
	echo 1 >/sys/kernel/pkram/kexec_check || vm-fail "kexec_check failed with nothing wrong"
	# the saver's first two runs fail (after saving its nodes)
	modprobe test_pkram action=saver prefix=s seed=12 $ARGS saver_fails=2 ||
		vm-fail "cannot register the test saver"
	owned0=$(owned); nodes0=$(nodes)
	if echo 1 >/sys/kernel/pkram/kexec_check 2>/tmp/err; then
		vm-fail "kexec_check passed with a failing saver"
	fi
	grep -q 'Input/output error' /tmp/err || vm-fail "kexec_check: $(cat /tmp/err)"
	dmesg | grep -q 'pkram: saver test_pkram failed (-5)' || vm-fail "no saver failure logged"

	VM_KEXEC_NOEXEC=1 vm-kexec
	if kexec -e -x; then
		vm-fail "kexec -e returned success"
	fi
	line=$(dmesg | grep 'pkram: kexec refused' | tail -1)
	[ -n "$line" ] || vm-fail "no 'kexec refused' line"
	echo "pkram-test: kexec -e refused and returned: ${line#*] }"
	[ "$(nodes)" = "$nodes0" ] || vm-fail "nodes changed by a refused kexec: $(nodes)"
	[ "$(owned)" = "$owned0" ] || vm-fail "owned_pages $owned0 -> $(owned) after a refused kexec"
	[ -z "$(node_field s-0 1)" ] || vm-fail "the failed saver's node s-0 stayed"
	rmmod test_pkram || vm-fail "rmmod test_pkram (the saver)"
	tp action=save prefix=b seed=13 $ARGS
	owned0=$(owned); nodes0=$(nodes)

	# every allocation of the preparation fails in turn
	fail_nth_armed
	n=1; nomem=0; ok=0
	while :; do
		r=$(fail-nth $n write /sys/kernel/pkram/kexec_check 1) || vm-fail "fail-nth: $r"
		echo "pkram-test: fault point $n: $r"
		case $r in
		*injected=0) break ;;
		ret=0*) ok=$((ok + 1)) ;;
		ret=ENOMEM*) nomem=$((nomem + 1)) ;;
		*) vm-fail "fault point $n: kexec_check $r" ;;
		esac
		[ "$(owned)" = "$owned0" ] || vm-fail "fault point $n ($r): owned_pages $owned0 -> $(owned)"
		[ "$(nodes)" = "$nodes0" ] || vm-fail "fault point $n ($r): nodes changed: $(nodes)"
		n=$((n + 1))
		[ $n -le 2000 ] || vm-fail "more than 2000 fault points"
	done
	echo "pkram-test: $((n - 1)) fault points in preparing a kexec: $nomem refused with ENOMEM, $ok passed (a fallback), owned_pages and nodes unchanged each time"
	[ $nomem -ge 3 ] || vm-fail "only $nomem of $((n - 1)) injected faults refused the preparation"
	echo 1 >/sys/kernel/pkram/kexec_check || vm-fail "kexec_check fails after the fault injection"
	# the saver again, succeeding now: its nodes go with the kexec; its
	# state "changes" in a reboot notifier, after the handover was
	# prepared, so it runs again after device_shutdown() and adds s-2
	modprobe test_pkram action=saver prefix=s seed=12 $ARGS saver_changed=1 ||
		vm-fail "cannot register the test saver"
	vm-kexec
	;;
2)
	no_pkram_errors
	tp action=verify prefix=a seed=11 $ARGS
	tp action=verify prefix=b seed=13 $ARGS
	# s-2 is saved only by the rerun after devices were shut down
	tp action=verify prefix=s seed=12 $ARGS nodes=3
	[ -z "$(cat /sys/kernel/pkram/nodes)" ] || vm-fail "nodes left: $(cat /sys/kernel/pkram/nodes)"
	vm-pass "refused kexec kept everything; the retry kept every byte"
	;;
esac
