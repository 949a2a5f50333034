# The memfd and tmpfs rows of `make bench` (issues 13 and 14), run by
# tests/bench/run-bench-memfd.sh for one kind, size and layout; not a make
# check scenario. /root/bench.env sets KIND (memfd: luo-bench, one memfd
# kept through /dev/liveupdate; tmpfs: tmpfs-bench, a tmpfs mounted with
# -o pkram=bench on /mnt/bench), SIZE_MB and LAYOUT.
# Stage 1 builds the state, times the copy baselines (and PRESERVE_FD or
# the first mount), loads the next kernel, and then says "kexec now" right
# before kexec -e, so the host can time the downtime from there to the new
# kernel's userspace. Stage 2 times getting the state back (opening
# /dev/liveupdate, or the mount), its first byte, and reading all of it.
. /root/bench.env
case $KIND in
memfd) bench() { luo-bench "$1" "$SIZE_MB" "$LAYOUT"; } ;;
tmpfs) mkdir -p /mnt/bench
       bench() { tmpfs-bench "$1" /mnt/bench "$SIZE_MB" "$LAYOUT"; } ;;
*) vm-fail "KIND=$KIND" ;;
esac
case $PKRAM_STAGE in
1)
	[ -z "$PROFILE" ] || kprof reset
	bench save || vm-fail "$KIND bench save"
	grep -E 'ShmemHugePages|Shmem:' /proc/meminfo | sed 's/^/pkram-bench: meminfo /'
	VM_KEXEC_NOEXEC=1 vm-kexec
	[ -z "$PROFILE" ] || kprof top 25
	echo "pkram-bench: kexec now"
	kexec -e -x
	vm-fail "kexec -e returned"
	;;
2)
	dmesg | grep -E 'pkram: (reserved|.*incoming node|live update|tmpfs:)' | sed 's/^/pkram-bench: dmesg /'
	[ -z "$PROFILE" ] || kprof reset
	bench load || vm-fail "$KIND bench load"
	[ -z "$PROFILE" ] || kprof top 40
	grep -E 'ShmemHugePages|Shmem:' /proc/meminfo | sed 's/^/pkram-bench: meminfo /'
	vm-pass "$KIND bench size_mb=$SIZE_MB layout=$LAYOUT"
	;;
esac
