# pkramctl against a real PKRAM kernel, across one kexec: list and
# list --json agree with /sys/kernel/pkram/nodes; the outgoing layout
# snapshot dumped right before the kexec and the incoming one after it
# describe the same nodes, objects and physical ranges (show --snapshot
# --ranges, direction and state aside); show reads the live snapshot the
# same way; discard NAME and discard --all-unclaimed give the memory back;
# show of a node that is gone exits 1. A read of nodes that has started is
# not torn by another reader and a save meanwhile.
# vmtest-args: --mem 1G --timeout 150 --add tests/vm/include/pkram-lib.sh --add tests/vm/include/pkramctl-lib.sh --add build/pkramctl/pkramctl:/usr/bin/pkramctl
# expect: pass
. /root/pkram-lib.sh
. /root/pkramctl-lib.sh
[ -d /sys/kernel/pkram ] || vm-fail "no /sys/kernel/pkram"
command -v pkramctl >/dev/null || vm-fail "pkramctl is not in the guest"
NODES="a-0 a-1"
echo "pkramctl-test: stage $PKRAM_STAGE"
case $PKRAM_STAGE in
1)
	tp action=save prefix=a seed=1 nodes=2
	# a read that has started sees one snapshot, whatever other readers
	# and savers do meanwhile
	cat /sys/kernel/pkram/nodes >/root/nodes.before
	exec 3</sys/kernel/pkram/nodes
	dd bs=16 count=1 <&3 >/root/nodes.torn 2>/dev/null
	tp action=save prefix=t seed=2 nodes=1
	cat /sys/kernel/pkram/nodes >/dev/null
	dd bs=4096 <&3 >>/root/nodes.torn 2>/dev/null
	exec 3<&-
	cmp -s /root/nodes.before /root/nodes.torn ||
		vm-fail "a read of nodes mixed two snapshots: $(tr "\n" "/" </root/nodes.torn)"
	echo t-0 >/sys/kernel/pkram/discard || vm-fail "discard t-0"
	cp /sys/kernel/pkram/nodes /root/nodes.1
	cat /root/nodes.1
	[ "$(wc -l </root/nodes.1)" -eq 2 ] || vm-fail "want 2 nodes: $(cat /root/nodes.1)"
	check_list out saved
	pctl show a-0 --ranges >/root/show-live.txt
	grep -q '^object 0:' /root/show-live.txt || vm-fail "show a-0: no object 0"
	pctl dump --outgoing -o /root/out.dtb
	echo "pkramctl-test: out.dtb is $(wc -c </root/out.dtb) bytes; one 64 MiB read() of outgoing.dtb gets $(dd if=/sys/kernel/pkram/outgoing.dtb bs=64M count=1 2>/dev/null | wc -c)"
	vm-kexec
	;;
2)
	no_pkram_errors
	check_list in incoming
	# the same counts as before the kexec (columns 4-8 of nodes)
	for n in $NODES; do
		was=$(awk -v n="$n" '$2 == n { print $4, $5, $6, $7, $8 }' /root/nodes.1)
		now=$(awk -v n="$n" '$2 == n { print $4, $5, $6, $7, $8 }' /sys/kernel/pkram/nodes)
		[ "$was" = "$now" ] || vm-fail "node $n: counts were '$was', now '$now'"
	done
	pctl dump --incoming -o /root/in.dtb
	echo "pkramctl-test: in.dtb is $(wc -c </root/in.dtb) bytes"
	for n in $NODES; do
		layout "$n" /root/out.dtb >/root/$n.out.txt
		layout "$n" /root/in.dtb >/root/$n.in.txt
		nr=$(grep -c '^    0x' /root/$n.in.txt)
		echo "pkramctl-test: $n: $(grep -c '^object ' /root/$n.in.txt) objects, $nr ranges"
		[ "$nr" -gt 0 ] || vm-fail "$n: no ranges in in.dtb"
		cmp -s /root/$n.out.txt /root/$n.in.txt ||
			vm-fail "$n: layout differs: $(diff /root/$n.out.txt /root/$n.in.txt | head -n 8)"
		# show without --snapshot reads incoming.dtb itself
		pctl show "$n" --ranges | grep -v -e '^direction:' -e '^state:' >/root/$n.live.txt
		cmp -s /root/$n.live.txt /root/$n.in.txt ||
			vm-fail "$n: show --ranges differs from in.dtb: $(diff /root/$n.live.txt /root/$n.in.txt | head -n 8)"
		grep -q "^state:          incoming" /root/$n.in.txt && vm-fail "layout() kept the state"
	done
	pctl show a-1 --snapshot /root/in.dtb | grep -q '^state:          incoming$' ||
		vm-fail "in.dtb: a-1 is not incoming"
	pctl show a-1 --snapshot /root/out.dtb | grep -q '^state:          saved$' ||
		vm-fail "out.dtb: a-1 is not saved"
	# discard NAME: reserved memory returns, MemTotal rises
	discard_check a-0 a-0
	[ -z "$(node_field a-0 1)" ] || vm-fail "a-0 still listed after discard"
	discard_check a-1 --all-unclaimed
	[ -z "$(cat /sys/kernel/pkram/nodes)" ] || vm-fail "nodes left: $(cat /sys/kernel/pkram/nodes)"
	pctl list | grep -q '^(no nodes)$' || vm-fail "list: want (no nodes)"
	[ "$(pkramctl list --json)" = "[]" ] || vm-fail "list --json: want []"
	pkramctl show a-1 >/root/gone.out 2>/root/gone.err
	rc=$?
	[ $rc -eq 1 ] || vm-fail "show of a discarded node: exit $rc, want 1"
	grep -q 'no node named a-1' /root/gone.err || vm-fail "show a-1: $(cat /root/gone.err)"
	pkramctl show gone --ranges 2>/dev/null
	rc=$?
	[ $rc -eq 1 ] || vm-fail "show of a node never saved: exit $rc, want 1"
	vm-pass "pkramctl list, dump, show --snapshot --ranges, discard across a kexec"
	;;
esac
