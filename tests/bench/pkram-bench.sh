# PKRAM benchmark scenario (issue #7), run by tests/bench/run-bench.sh for
# one size and layout; not a make check scenario (it is not in tests/vm/).
# /root/bench.env (written by the host driver) sets SIZE_MB, LAYOUT, SEED,
# THREADS, COPY_RUNS.
# Stage 1 saves one node with bench_pkram (timing the save loop, then the
# copy baseline) and kexecs; the kernel prints the finalize time on the way
# out. Stage 2 prints the early reservation/validation line and loads the
# node (timing the load loop). Every number is a "pkram-bench:" or "pkram:"
# line on the console, which the host driver parses.
. /root/bench.env
args="size_mb=$SIZE_MB layout=$LAYOUT seed=$SEED threads=${THREADS:-1} name=bench"
save_args="copy_runs=${COPY_RUNS:-5}"

bench() {
	echo "pkram-bench: modprobe bench_pkram $*"
	modprobe bench_pkram "$@" ||
		vm-fail "bench_pkram $* failed: $(dmesg | grep 'pkram-bench: FAIL' | tail -1)"
	rmmod bench_pkram
}

case $PKRAM_STAGE in
1)
	bench phase=save $args $save_args
	# dir name state objects folios pages bytes meta_pages
	awk '$2 == "bench" { print "pkram-bench: node " $0 }' /sys/kernel/pkram/nodes
	awk '$2 == "bench" { print "pkram-bench: phase=meta pages=" $6 " meta=" $8 }' \
		/sys/kernel/pkram/nodes
	echo "pkram-bench: kexec now"
	vm-kexec
	;;
2)
	dmesg | grep -E 'pkram: (reserved|.*incoming node)' | sed 's/^/pkram-bench: dmesg /'
	bench phase=load $args
	vm-pass "bench size_mb=$SIZE_MB layout=$LAYOUT"
	;;
esac
