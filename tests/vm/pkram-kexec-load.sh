# kexec_load (kexec-tools, `pkramctl kexec-load`) with KASLR on: three
# rounds with 512 MiB of scattered order-0 pages in a 2 GiB guest, then one
# with 85 % of RAM in 2 MiB folios; every page is verified. kexec-tools
# places segments knowing nothing of PKRAM and the decompressor must keep
# the kernel off preserved memory through pkram= alone.
# vmtest-args: --mem 2G --timeout 900 --add tests/vm/include/pkram-lib.sh --add build/pkramctl/pkramctl:/usr/bin/pkramctl
# expect: pass
. /root/pkram-lib.sh
grep -q nokaslr /proc/cmdline && vm-fail "KASLR must be on"
export VM_KEXEC_PKRAMCTL=1

# bench ARGS...: run bench_pkram once
bench() {
	echo "bench_pkram: modprobe $*"
	modprobe bench_pkram "$@" || vm-fail "bench_pkram $* failed (dmesg: $(dmesg | grep 'pkram-bench: FAIL' | tail -1))"
	rmmod bench_pkram || vm-fail "rmmod bench_pkram failed"
}

s=$PKRAM_STAGE
echo "pkram-test: stage $s: $(dmesg | grep -E 'pkram: (reserved|.*incoming node)' | tr '\n' ' ')"
[ "$s" -gt 1 ] && no_pkram_errors
case $s in
1|2|3)
	if [ "$s" -gt 1 ]; then
		tp action=verify-scatter prefix=s$((s - 1)) seed=$((40 + s - 1)) scatter_mb=512
	fi
	tp action=scatter prefix=s$s seed=$((40 + s)) scatter_mb=512
	vm-kexec
	;;
4)
	tp action=verify-scatter prefix=s3 seed=43 scatter_mb=512
	total=$(($(meminfo MemTotal) / 1024))
	mb=$((total * 85 / 100))
	echo "pkram-test: saving $mb MiB of $total MiB in 2 MiB folios"
	echo $mb >/root/thp-mb
	bench phase=save layout=thp size_mb=$mb verify=1 name=thp
	vm-kexec
	;;
5)
	bench phase=load layout=thp size_mb=$(cat /root/thp-mb) verify=1 name=thp
	vm-pass "kexec_load: 3 x 512 MiB scattered and $(cat /root/thp-mb) MiB in 2 MiB folios verified"
	;;
esac
