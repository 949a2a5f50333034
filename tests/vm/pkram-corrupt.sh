# Bad handovers, one boot each: a flipped bit in a node page, in a link
# page, in the range list, in the superblock; a superblock of an unknown
# format version; pkram= pointing at a zeroed page, random bytes, 0, an
# unaligned address, beyond RAM and the kernel image; and a superblock that
# was already consumed, or only read by a boot that never got to consume it,
# presented again; and a flipped bit in the data of an object saved with
# PKRAM_DATA_csum, caught after the node was carried over one more kexec
# unloaded (the carried node keeps its checksum); and a node whose data
# lies in memory the next kernel does not know at boot (memmap=), which
# costs only that node. Every boot must reach
# userspace with a clear pkram: line, deliver every undamaged node (verified
# byte for byte), never offer a damaged one, and never crash or warn.
# Damage is done by test_pkram after the old kernel wrote the handover (a
# test-only hook), or by pointing kexec_load's pkram= at a page it planted.
# vmtest-args: --mem 1G --timeout 600 --add tests/vm/include/pkram-lib.sh
# expect: pass
. /root/pkram-lib.sh

# refused STAGE-NAME: the whole handover was refused and nothing offered
refused() {
	line=$(dmesg | grep -E 'pkram: .*(nothing is preserved|nothing was preserved|ignoring pkram=)')
	[ -n "$line" ] || vm-fail "$1: no refusal logged: $(dmesg | grep 'pkram:')"
	echo "pkram-test: $1 refused: ${line#*] }"
	[ -z "$(cat /sys/kernel/pkram/nodes)" ] || vm-fail "$1: nodes offered: $(cat /sys/kernel/pkram/nodes)"
}

# damaged NODE: that node was refused, with a message (by name when its
# own page is intact, by address when it is not)
damaged() {
	line=$(dmesg | grep -E "pkram: node ($1|page 0x[0-9a-f]*) is damaged")
	[ -n "$line" ] || vm-fail "no damage logged for $1: $(dmesg | grep 'pkram:')"
	echo "pkram-test: ${line#*] }"
	[ -z "$(node_field "$1" 1)" ] || vm-fail "damaged node $1 offered"
}

# legacy_kexec ADDR: kexec_load with pkram=ADDR
legacy_kexec() {
	VM_KEXEC_LEGACY=1 vm-kexec "pkram=$1"
}

plant() {
	modprobe test_pkram action=plant kind="$1" || vm-fail "plant $1"
	dmesg | sed -n "s/.*test_pkram: planted $1 at \(0x[0-9a-f]*\).*/\1/p" | tail -1
}

case $PKRAM_STAGE in
1)
	tp action=save prefix=a seed=11 nodes=2
	modprobe test_pkram action=corrupt target=node seed=1
	vm-kexec
	;;
2)
	# remember this handover's superblock, to present it again later
	sed -n 's/.*pkram=\(0x[0-9a-f]*\).*/\1/p' /proc/cmdline >/root/stale-sb
	damaged a-0
	tp action=verify prefix=a seed=11 nodes=2 first=1
	tp action=save prefix=b seed=12 nodes=2
	modprobe test_pkram action=corrupt target=link seed=2
	vm-kexec
	;;
3)
	damaged b-0
	tp action=verify prefix=b seed=12 nodes=2 first=1
	tp action=save prefix=c seed=13 nodes=1
	modprobe test_pkram action=corrupt target=ranges seed=3
	vm-kexec
	;;
4)
	refused "range list bit flip"
	tp action=save prefix=d seed=14 nodes=1
	modprobe test_pkram action=corrupt target=compat
	vm-kexec
	;;
5)
	dmesg | grep -Eq 'superblock is "linux,pkram-v9", this kernel reads "linux,pkram-v[0-9]+"' ||
		vm-fail "unknown version not named: $(dmesg | grep 'pkram:')"
	refused "unknown format version"
	tp action=save prefix=e seed=15 nodes=1
	modprobe test_pkram action=corrupt target=sb seed=5
	vm-kexec
	;;
6)
	# a flipped superblock bit is refused, or (in padding) harmless
	if [ -n "$(cat /sys/kernel/pkram/nodes)" ]; then
		tp action=verify prefix=e seed=15 nodes=1
		echo "pkram-test: superblock bit flip was harmless; e-0 verified"
	else
		refused "superblock bit flip"
	fi
	legacy_kexec "$(plant zero)"
	;;
7)
	refused "zeroed superblock page"
	legacy_kexec "$(plant random)"
	;;
8)
	refused "random superblock page"
	legacy_kexec 0
	;;
9)
	refused "pkram=0"
	legacy_kexec 0x1000123
	;;
10)
	refused "unaligned pkram="
	legacy_kexec 0x7f0000000000
	;;
11)
	refused "pkram= beyond RAM"
	kernel=$(sed -n 's/^ *\([0-9a-f]*\)-[0-9a-f]* : Kernel code$/\1/p' /proc/iomem)
	[ -n "$kernel" ] && [ "$kernel" != 00000000 ] || vm-fail "no Kernel code in /proc/iomem"
	legacy_kexec "0x$kernel"
	;;
12)
	refused "pkram= at the kernel image"
	# a consumed superblock, presented again (as after a warm reset)
	stale=$(cat /root/stale-sb)
	[ -n "$stale" ] || vm-fail "no superblock address recorded at stage 2"
	legacy_kexec "$stale"
	;;
13)
	refused "stale superblock"
	# a boot that reads a handover but dies before consuming it (here:
	# the initcall that offers the nodes never runs)
	tp action=save prefix=f seed=16 nodes=1
	vm-kexec initcall_blacklist=pkram_parse_incoming
	;;
14)
	dmesg | grep -q 'pkram: reserved' || vm-fail "no early reservation: $(dmesg | grep 'pkram:')"
	[ -z "$(cat /sys/kernel/pkram/nodes)" ] || vm-fail "nodes offered without the initcall"
	sb=$(sed -n 's/.*pkram=\(0x[0-9a-f]*\).*/\1/p' /proc/cmdline)
	legacy_kexec "$sb"
	;;
15)
	refused "superblock read by a boot that never finished"
	# data checksums: a bit flipped in a checksummed object's data
	tp action=save prefix=g seed=17 nodes=2 csum=1
	modprobe test_pkram action=corrupt target=data seed=7
	vm-kexec
	;;
16)
	# nobody loads g-0 and g-1 here: carried over to the next kernel,
	# g-0 must keep the checksum it was saved with, not get a new one
	no_pkram_errors
	expect_node g-0 in incoming
	expect_node g-1 in incoming
	vm-kexec
	;;
17)
	no_pkram_errors
	tp action=verify-bad prefix=g
	dmesg | grep -q "pkram: node g-0: an object's data does not match its checksum" ||
		vm-fail "checksum mismatch not logged: $(dmesg | grep 'pkram:')"
	tp action=verify prefix=g seed=17 nodes=2 first=1 csum=1
	# preserved memory the next kernel does not know at boot (memmap=):
	# node u-0 is one whole 4 MiB block, so no page of k-* can be there
	tp action=save-lru prefix=u range_start=0x10000000 range_end=0x30000000
	block=$(dmesg | sed -n 's/.*test_pkram: saved u-0: [0-9]* LRU pages at \(0x[0-9a-f]*\).*/\1/p' | tail -1)
	[ -n "$block" ] || vm-fail "where is u-0?"
	block=$(printf '%#x' "$block")
	echo "$block" >/root/u-block
	tp action=save prefix=k seed=19 nodes=2
	vm-kexec "memmap=4M\$$block"
	;;
18)
	block=$(cat /root/u-block)
	line=$(dmesg | grep -E "pkram: preserved memory \\[$block-0x[0-9a-f]+\\) is not memory this kernel knows at boot")
	[ -n "$line" ] || vm-fail "no pkram: line about unknown memory: $(dmesg | grep 'pkram:')"
	echo "pkram-test: ${line#*] }"
	damaged u-0
	dmesg | grep -q 'pkram: node u-0 is damaged (preserved memory this kernel does not know at boot)' ||
		vm-fail "u-0 refused for another reason: $(dmesg | grep 'pkram: node')"
	tp action=verify prefix=k seed=19 nodes=2
	[ -z "$(cat /sys/kernel/pkram/nodes)" ] || vm-fail "nodes left: $(cat /sys/kernel/pkram/nodes)"
	vm-pass "every bad handover refused or contained"
	;;
esac
