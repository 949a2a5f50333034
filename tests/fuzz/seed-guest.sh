# Guest side of tests/fuzz/mk-corpus.sh, not a make check scenario (it is
# not in tests/vm/): three kexecs, each with nodes of another shape saved
# and test_pkram action=dumpseed loaded, so that every handover's metadata
# pages are printed as "pkram-seed:" lines; and the RAM map, so that the
# seed gets the memory it came from.
# vmtest-args: --mem 512M --timeout 600 --add tests/vm/include/pkram-lib.sh
. /root/pkram-lib.sh

iomem() {
	grep -E 'System RAM|Kernel (code|data|bss)' /proc/iomem |
		sed 's/^ */pkram-seed-iomem: /'
}

discard() {	# discard the nodes named $1-*
	for n in $(awk -v p="$1-" 'index($2, p) == 1 { print $2 }' /sys/kernel/pkram/nodes); do
		echo "$n" >/sys/kernel/pkram/discard || vm-fail "discard $n"
	done
}

arrived() {	# the previous handover was taken whole: node $1 is offered
	no_pkram_errors
	[ -n "$(node_field "$1" 1)" ] || vm-fail "node $1 did not arrive"
}

dumpseed() {
	iomem
	modprobe test_pkram action=dumpseed || vm-fail "test_pkram action=dumpseed"
	vm-kexec
}

case $PKRAM_STAGE in
1)	# folios of every order, short byte streams
	tp action=save prefix=a seed=1 nodes=3 objs=4 max_folios=24 max_bytes=9000
	dumpseed ;;
2)	# many order-0..2 folios: long link pages and runs
	arrived a-2
	discard a
	tp action=save prefix=b seed=2 nodes=2 objs=6 max_folios=400 max_order=2 max_bytes=4096
	dumpseed ;;
3)	# scattered pages (many ranges) next to small nodes
	arrived b-1
	discard b
	tp action=scatter prefix=s seed=3 scatter_mb=1
	tp action=save prefix=c seed=3 nodes=4 objs=3 max_folios=6 max_order=0 max_bytes=100
	dumpseed ;;
4)	arrived c-3
	arrived s-scatter
	vm-pass "seeds dumped" ;;
esac
