# Allocation failures injected into PKRAM's save path (failslab and
# fail_page_alloc; test_pkram arms them only around its pkram_* calls, via
# make_it_fail and fail_nth). First every allocation of one save fails in
# turn (fail_nth = 1..N, N counted by a clean run); then rounds with varied
# probability, interval and times. Each save either succeeds or fails with
# -ENOMEM; a failed one leaves no node; /sys/kernel/debug/pkram/owned_pages
# (every page PKRAM holds for outgoing nodes) is back to exactly 0 after
# every failed or discarded save, and free memory is back within 2 MiB after
# all of them. Saves kept in a last round, made under injection too, verify
# byte for byte after a kexec, and the failed ones do not arrive.
# Some allocations made in the saving task are fault points that come and
# go from run to run and whose failure is ignored by design, so a fail_nth
# run can succeed: on the debug kernel, KASAN's stack depot (new pools for
# alloc/free stacks) and debugobjects (pool refills); on any kernel, SLUB's
# first attempt at a new slab when a cache runs empty (NOWARN, NORETRY; it
# tries again with the cache's minimum order and normal flags).
# stack_depot_disable=on and no_debug_objects turn the first two off (the
# test kernel does not know them; they change nothing there). A slab refill
# cannot be turned off, so a save that succeeds although its nth fault
# point was injected is tried once more with the same n: it must fail then
# (a refill exactly there twice in a row is not what a bug looks like: a
# swallowed failure of PKRAM's own would repeat), and at most a quarter of
# the points may need that.
# vmtest-args: --mem 1G --timeout 600 --append 'stack_depot_disable=on no_debug_objects' --add tests/vm/include/pkram-lib.sh
# expect: pass
. /root/pkram-lib.sh
dbg=/sys/kernel/debug
ARGS="nodes=1 objs=4 max_folios=12 max_order=3 max_bytes=9000"
ROUNDS=${ROUNDS:-30}

owned() { cat $dbg/pkram/owned_pages; }

# inject SLAB_PROB PAGE_PROB INTERVAL TIMES
inject() {
	for a in failslab fail_page_alloc; do
		echo Y >$dbg/$a/task-filter
		echo "${VERBOSE:-0}" >$dbg/$a/verbose
		echo N >$dbg/$a/ignore-gfp-wait
		echo "$3" >$dbg/$a/interval
		echo "$4" >$dbg/$a/times
	done
	echo N >$dbg/fail_page_alloc/ignore-gfp-highmem
	echo 0 >$dbg/fail_page_alloc/min-order
	echo "$1" >$dbg/failslab/probability
	echo "$2" >$dbg/fail_page_alloc/probability
}

# attempt PREFIX SEED [ARGS]: one save under injection; prints ok or enomem
attempt() {
	if modprobe test_pkram action=save prefix="$1" seed="$2" $ARGS failinject=1 $3 2>/dev/null; then
		rmmod test_pkram || vm-fail "rmmod"
		expect_node "$1-0" out saved
		echo ok
	else
		dmesg | grep -q "test_pkram: save $1-0 failed: -12" ||
			vm-fail "save $1-0 failed otherwise: $(dmesg | grep 'test_pkram:' | tail -2)"
		[ -z "$(node_field "$1-0" 1)" ] || vm-fail "failed save left node: $(node_field "$1-0" 0)"
		echo enomem
	fi
	dmesg | grep -q 'test_pkram: FAIL' && vm-fail "$(dmesg | grep 'test_pkram: FAIL')"
}

case $PKRAM_STAGE in
1)
	[ -d $dbg/failslab ] && [ -d $dbg/fail_page_alloc ] || vm-fail "no fault injection in debugfs"
	[ "$(owned)" = 0 ] || vm-fail "owned_pages $(owned) before any save"
	# warm up module loading and slab caches, then take the baseline
	tp action=save prefix=warm seed=1 $ARGS
	echo warm-0 >/sys/kernel/pkram/discard
	[ "$(owned)" = 0 ] || vm-fail "owned_pages $(owned) after a discard"
	free0=$(free_kb)
	# every allocation of one save fails in turn
	VERBOSE=1 inject 0 0 1 0
	attempt fcount 500 fail_nth=1000000 >/dev/null
	points=$(dmesg | sed -n 's/.*test_pkram: fault points: //p' | tail -1)
	echo fcount-0 >/sys/kernel/pkram/discard
	[ "$points" -gt 5 ] || vm-fail "only $points fault points in a save"
	# A save may pass fewer fault points than the counting run did: a
	# slab refill or a debug allocation (KASAN's stack depot) happens in
	# one run and not the next. A save that succeeds is a bug only if its
	# nth fault point was reached, i.e. it reports n or more points.
	n=1; short=0
	while [ $n -le "$points" ]; do
		r=$(attempt fn$n 500 fail_nth=$n)
		case $r in
		*enomem) ;;
		*ok)
			got=$(dmesg | sed -n 's/.*test_pkram: fault points: //p' | tail -1)
			echo fn$n-0 >/sys/kernel/pkram/discard || vm-fail "discard fn$n-0"
			short=$((short + 1))
			if [ "$got" -ge $n ]; then
				# injected, yet saved: a slab refill took it? once more
				r=$(attempt fr$n 500 fail_nth=$n)
				case $r in
				*enomem) echo "pkram-test: fail_nth=$n: a refill took the fault once; the retry failed" ;;
				*) vm-fail "fail_nth=$n of $points: the save did not fail, twice: $r ($got fault points passed)" ;;
				esac
			fi ;;
		*) vm-fail "fail_nth=$n of $points: $r" ;;
		esac
		[ "$(owned)" = 0 ] || vm-fail "fail_nth=$n: owned_pages $(owned) after a failed save"
		n=$((n + 1))
	done
	[ $short -le $((points / 4)) ] || vm-fail "$short of $points saves did not fail at their fault point"
	echo "pkram-test: each of the $points allocations of a save failed in turn: ENOMEM, no node, owned_pages 0 ($short did not fail at first: fewer points, or a slab refill took the fault)"
	ok=0; bad=0; i=0
	probs="100 50 25 10 50 100"; intervals="1 2 3 1 5 1 8"; times="1 2 3 -1"
	while [ $i -lt "$ROUNDS" ]; do
		i=$((i + 1))
		set -- $probs; shift $((i % 6)); p=$1
		set -- $intervals; shift $((i % 7)); iv=$1
		set -- $times; shift $((i % 4)); t=$1
		case $((i % 3)) in
		0) inject "$p" 0 "$iv" "$t" ;;
		1) inject 0 "$p" "$iv" "$t" ;;
		2) inject "$p" "$p" "$iv" "$t" ;;
		esac
		r=$(attempt fa$i $((1000 + i)))
		case $r in
		*ok) ok=$((ok + 1)); echo fa$i-0 >/sys/kernel/pkram/discard || vm-fail "discard fa$i-0" ;;
		*enomem) bad=$((bad + 1)) ;;
		*) vm-fail "round $i: $r" ;;
		esac
		[ "$(owned)" = 0 ] || vm-fail "round $i (p=$p interval=$iv times=$t): owned_pages $(owned) after a ${r##* } save"
	done
	inject 0 0 1 0
	free1=$(free_kb)
	echo "pkram-test: $ROUNDS rounds: $ok saved, $bad failed with ENOMEM; owned_pages 0 after each; free $free0 -> $free1 kB"
	[ $ok -gt 0 ] && [ $bad -gt 0 ] || vm-fail "want both outcomes: $ok saved, $bad failed"
	# KASAN's quarantine holds freed objects back (up to 1/32 of RAM):
	# there only owned_pages, above, is exact
	slack=2048
	dmesg | grep -q 'KernelAddressSanitizer initialized' && slack=$((32 * 1024))
	[ $((free0 - free1)) -le $slack ] || vm-fail "free memory $((free0 - free1)) kB lower after $ROUNDS rounds"
	[ -z "$(cat /sys/kernel/pkram/nodes)" ] || vm-fail "nodes left: $(cat /sys/kernel/pkram/nodes)"
	# last round: keep what saves, verify it after the kexec
	: >/root/kept
	for i in 1 2 3 4 5 6 7 8 9 10; do
		o0=$(owned)
		case $i in
		1|2) inject 0 0 1 0; r=$(attempt fb$i $((2000 + i))) ;;
		3|4|5|6) inject 0 0 1 0; r=$(attempt fb$i $((2000 + i)) fail_nth=$((i * 2))) ;;
		*) inject 20 20 $((i % 4 + 1)) 1; r=$(attempt fb$i $((2000 + i))) ;;
		esac
		case $r in *ok) echo "fb$i $((2000 + i))" >>/root/kept ;; esac
		[ "${r##* }" = ok ] || [ "$(owned)" = "$o0" ] ||
			vm-fail "fb$i: owned_pages $o0 -> $(owned) after a failed save"
	done
	inject 0 0 1 0
	kept=$(wc -l </root/kept)
	echo "pkram-test: kept $kept of 10: $(cut -d' ' -f1 /root/kept | tr '\n' ' ')"
	[ "$kept" -lt 10 ] || vm-fail "nothing failed in the last round"
	vm-kexec
	;;
2)
	no_pkram_errors
	n=0
	while read -r p s; do
		tp action=verify prefix="$p" seed="$s" $ARGS
		n=$((n + 1))
	done </root/kept
	[ -z "$(cat /sys/kernel/pkram/nodes)" ] || vm-fail "nodes that failed to save arrived: $(cat /sys/kernel/pkram/nodes)"
	[ "$(owned)" = 0 ] || vm-fail "owned_pages $(owned) with nothing saved"
	vm-pass "$n saves made under fault injection verified after kexec"
	;;
esac
