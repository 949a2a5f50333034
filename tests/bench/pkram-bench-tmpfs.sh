# The tmpfs rows of `make bench` (issue 14), run by
# tests/bench/run-bench-memfd.sh (BENCH_KIND=tmpfs) for one size and
# layout; not a make check scenario. /root/bench.env sets SIZE_MB and
# LAYOUT (4k, thp or tree). Stage 1 mounts a tmpfs kept by name, fills it,
# times the copy baselines, loads the next kernel and says "kexec now"
# right before kexec -e, so the host can time the downtime from there to
# the new kernel's userspace. Stage 2 times the mount that gets the tree
# back, the first byte, and reading all of it.
. /root/bench.env
mkdir -p /mnt/bench
case $PKRAM_STAGE in
1)
	tmpfs-bench save /mnt/bench "$SIZE_MB" "$LAYOUT" || vm-fail "tmpfs-bench save"
	grep -E 'ShmemHugePages|Shmem:' /proc/meminfo | sed 's/^/pkram-bench: meminfo /'
	VM_KEXEC_NOEXEC=1 vm-kexec
	echo "pkram-bench: kexec now"
	kexec -e -x
	vm-fail "kexec -e returned"
	;;
2)
	dmesg | grep -E 'pkram: (reserved|.*incoming node|tmpfs:)' | sed 's/^/pkram-bench: dmesg /'
	tmpfs-bench load /mnt/bench "$SIZE_MB" "$LAYOUT" || vm-fail "tmpfs-bench load"
	grep -E 'ShmemHugePages|Shmem:' /proc/meminfo | sed 's/^/pkram-bench: meminfo /'
	vm-pass "tmpfs bench size_mb=$SIZE_MB layout=$LAYOUT"
	;;
esac
