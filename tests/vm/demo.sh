# make demo: preserve two named nodes across a real kexec and get them back,
# and a service's state kept in a memfd through /dev/liveupdate.
# Lines starting with "DEMO:" are what the host shows.
# vmtest-args: --mem 1G --timeout 300 --add build/pkramctl/pkramctl:/usr/bin/pkramctl --add build/vmprog/demo-service:/usr/bin/demo-service
# vmtest-skip: run by `make demo`, not by `make check`
say() { echo "DEMO: $*"; }
show() { "$@" 2>&1 | while IFS= read -r l; do say "    $l"; done; }
kb() { awk -v f="$1:" '$1 == f { print $2 }' /proc/meminfo; }
verify_args="prefix=demo seed=2026 nodes=2 objs=4"
case $PKRAM_STAGE in
1)
	say "first kernel: $(uname -r), $(kb MemTotal) kB of RAM"
	say "test_pkram saves two nodes: folios of orders 0..10 filled from a seeded"
	say "generator, each with its index, plus byte streams of 0 B to 256 KiB"
	modprobe test_pkram action=save $verify_args || vm-fail "save failed"
	rmmod test_pkram
	say "a service builds 128 MiB of state and keeps it in a memfd through"
	say "/dev/liveupdate (the live-update interface of mainline Linux):"
	demo-service start 128 || vm-fail "the service could not keep its state"
	say "pkramctl list, before kexec:"
	show pkramctl list
	kb MemTotal >/root/memtotal
	say "kexec (kexec_file_load); the kernel adds $(cat /sys/kernel/pkram/cmdline) itself"
	vm-kexec
	;;
2)
	say "second kernel, $(cut -d' ' -f1 /proc/uptime)s after start"
	say "early boot: $(dmesg | sed -n 's/.*\(pkram: reserved.*\)/\1/p')"
	say "pkramctl list, after kexec:"
	show pkramctl list
	modprobe test_pkram action=verify $verify_args ||
		vm-fail "verification failed: $(dmesg | grep 'test_pkram: FAIL')"
	rmmod test_pkram
	say "the service starts again in the new kernel and asks for its state:"
	demo-service resume 128 || vm-fail "the service did not get its state back"
	dmesg | sed -n 's/.*test_pkram: \(verified .*\)/\1/p' | while read -r l; do
		say "$l: every byte, order and index OK"
	done
	say "pkramctl list, after loading:"
	show pkramctl list
	say "MemTotal: $(cat /root/memtotal) kB before, $(kb MemTotal) kB now (all memory back)"
	vm-pass "demo done"
	;;
esac
