# make demo: a short guided tour. Lines starting with "DEMO:" are what the
# host shows (plus vmtest progress). PKRAM specifics get filled in later.
# vmtest-args: --mem 1G --timeout 300
# vmtest-skip: run by `make demo`, not by `make check`
say() { echo "DEMO: $*"; }
case $PKRAM_STAGE in
1)
	say "stage 1: booted kernel $(uname -r) in $(cut -d' ' -f1 /proc/uptime)s of guest uptime"
	say "memory: $(awk '/MemTotal/ {print $2 " kB total"}' /proc/meminfo)"
	echo "hello from the first kernel" >/root/note
	say "wrote /root/note; now kexec'ing into the same bzImage (kexec_file_load)"
	vm-kexec
	;;
2)
	say "stage 2: running on the kexec'd kernel (cmdline has vmtest.stage=2)"
	say "/root/note still reads: '$(cat /root/note)' (the harness carries the rootfs over)"
	say "done"
	vm-pass
	;;
esac
