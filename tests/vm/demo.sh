# make demo: preserve two named nodes across a real kexec and get them back,
# and a service's state kept in a memfd through /dev/liveupdate and in a
# tmpfs kept by name (mount -o pkram=NAME).
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
	say "a service keeps its journal in a tmpfs that PKRAM keeps by name:"
	say "    mount -t tmpfs -o pkram=demo-journal tmpfs /var/lib/demo"
	mkdir -p /var/lib/demo
	mount -t tmpfs -o pkram=demo-journal tmpfs /var/lib/demo ||
		vm-fail "mount -o pkram=demo-journal"
	say "and builds 128 MiB of state that it keeps in a memfd through"
	say "/dev/liveupdate (the live-update interface of mainline Linux):"
	demo-service start 128 /var/lib/demo ||
		vm-fail "the service could not keep its state"
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
	say "the service starts again in the new kernel, mounts its journal's"
	say "tmpfs by name and asks for its state:"
	mkdir -p /var/lib/demo
	t0=$(cut -d' ' -f1 /proc/uptime)
	mount -t tmpfs -o pkram=demo-journal tmpfs /var/lib/demo ||
		vm-fail "mount -o pkram=demo-journal"
	t1=$(cut -d' ' -f1 /proc/uptime)
	say "mounted, with the journal's 64 MiB back in place, in $(awk "BEGIN { print ($t1 - $t0) * 1000 }") ms (/proc/uptime: 10 ms steps)"
	demo-service resume 128 /var/lib/demo ||
		vm-fail "the service did not get its state back"
	dmesg | sed -n 's/.*test_pkram: \(verified .*\)/\1/p' | while read -r l; do
		say "$l: every byte, order and index OK"
	done
	say "pkramctl list, after loading:"
	show pkramctl list
	say "MemTotal: $(cat /root/memtotal) kB before, $(kb MemTotal) kB now (all memory back)"
	vm-pass "demo done"
	;;
esac
