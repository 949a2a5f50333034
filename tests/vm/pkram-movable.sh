# ZONE_MOVABLE (movablecore=): folios saved from movable memory are
# preserved as copies in non-movable pages, not pinned (test_pkram checks
# PKRAM holds no reference and then clears the original, so only a copy
# taken at save time can verify); a PKRAM_DATA_inplace object refuses them
# with -EADDRNOTAVAIL and a pkram: line; after kexec every byte, order and
# index is back and no preserved folio is in ZONE_MOVABLE.
# vmtest-args: --mem 1G --append movablecore=384M --timeout 300 --add tests/vm/include/pkram-lib.sh
# expect: pass
. /root/pkram-lib.sh
case $PKRAM_STAGE in
1)
	grep -q 'zone *Movable' /proc/zoneinfo || vm-fail "no ZONE_MOVABLE"
	tp action=save prefix=mv seed=61 nodes=2 movable=1
	dmesg | grep 'test_pkram: saved mv-'
	dmesg | grep -q 'pkram: saving copies of folios in movable or CMA memory' ||
		vm-fail "no copy of a movable folio logged"
	tp action=movable-inplace
	line=$(dmesg | grep -E 'pkram: node movable-inplace: folio at 0x[0-9a-f]+ is in movable or CMA memory and the object is inplace: refused')
	[ -n "$line" ] || vm-fail "no refusal of an inplace movable folio logged"
	echo "pkram-test: ${line#*] }"
	[ -z "$(node_field movable-inplace 1)" ] || vm-fail "movable-inplace left a node"
	vm-kexec
	;;
2)
	no_pkram_errors
	tp action=verify prefix=mv seed=61 nodes=2 movable=1
	vm-pass "movable folios preserved as copies outside ZONE_MOVABLE"
	;;
esac
