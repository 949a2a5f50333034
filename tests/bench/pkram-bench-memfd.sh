# The memfd rows of `make bench` (issue 13), run by
# tests/bench/run-bench-memfd.sh for one size and layout; not a make check
# scenario. /root/bench.env sets SIZE_MB and LAYOUT (4k or thp).
# Stage 1 builds a memfd, times the copy baseline and PRESERVE_FD, loads
# the next kernel, and then says "kexec now" right before kexec -e, so the
# host can time the downtime from there to the new kernel's userspace.
# Stage 2 times opening /dev/liveupdate (restoring the memfd), retrieving
# it to its first byte, and reading all of it.
. /root/bench.env
case $PKRAM_STAGE in
1)
	luo-bench save "$SIZE_MB" "$LAYOUT" || vm-fail "luo-bench save"
	grep -E 'ShmemHugePages|Shmem:' /proc/meminfo | sed 's/^/pkram-bench: meminfo /'
	VM_KEXEC_NOEXEC=1 vm-kexec
	echo "pkram-bench: kexec now"
	kexec -e -x
	vm-fail "kexec -e returned"
	;;
2)
	dmesg | grep -E 'pkram: (reserved|.*incoming node|live update)' | sed 's/^/pkram-bench: dmesg /'
	luo-bench load "$SIZE_MB" || vm-fail "luo-bench load"
	grep -E 'ShmemHugePages|Shmem:' /proc/meminfo | sed 's/^/pkram-bench: meminfo /'
	vm-pass "memfd bench size_mb=$SIZE_MB layout=$LAYOUT"
	;;
esac
