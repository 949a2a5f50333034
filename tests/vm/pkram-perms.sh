# /sys/kernel/pkram is root only: every file's mode, and uid 65534 (via
# busybox su) cannot read cmdline, nodes, incoming.dtb, outgoing.dtb or the
# debugfs page counter, nor write discard; a descriptor opened by root and
# used by uid 65534 is refused by the handlers' CAP_SYS_ADMIN checks; root
# writing a bad name to discard gets EINVAL, an unknown one ENOENT.
# vmtest-args: --mem 512M --timeout 300 --add tests/vm/include/pkram-lib.sh
# expect: pass
. /root/pkram-lib.sh
d=/sys/kernel/pkram
tp action=save prefix=perm seed=5 nodes=1 objs=2
expect_node perm-0 out saved
echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>/etc/passwd
echo 'nogroup:x:65534:' >>/etc/group
who=$(su -s /bin/sh nobody -c 'id -u')
[ "$who" = 65534 ] || vm-fail "su to nobody does not work: $who"

# modes: nothing readable or writable by group or others
for f in "$d"/* /sys/kernel/debug/pkram/owned_pages; do
	m=$(stat -c %a "$f")
	echo "pkram-test: $f mode $m"
	case $m in 400|200) ;; *) vm-fail "$f has mode $m" ;; esac
done
[ "$(stat -c %a $d/discard)" = 200 ] || vm-fail "discard is not 0200"

# refused: STEP OUTPUT ERRNO-TEXT
refused() {
	case $2 in
	*"$3"*) echo "pkram-test: $1: refused ($3)" ;;
	*) vm-fail "$1: want \"$3\", got: $2" ;;
	esac
}

for f in cmdline nodes incoming.dtb outgoing.dtb; do
	out=$(su -s /bin/sh nobody -c "cat $d/$f" 2>&1) &&
		vm-fail "uid 65534 read $f: $out"
	refused "uid 65534 reads $f" "$out" "Permission denied"
	# opened by root, read by uid 65534: the handler checks CAP_SYS_ADMIN
	out=$(su -s /bin/sh nobody -c 'cat <&3' 3<"$d/$f" 2>&1) &&
		vm-fail "uid 65534 read $f through root's descriptor: $out"
	refused "uid 65534 reads $f through root's descriptor" "$out" "Operation not permitted"
done
out=$(su -s /bin/sh nobody -c 'cat /sys/kernel/debug/pkram/owned_pages' 2>&1) &&
	vm-fail "uid 65534 read owned_pages: $out"
refused "uid 65534 reads debug/pkram/owned_pages" "$out" "Permission denied"

out=$(su -s /bin/sh nobody -c "echo perm-0 >$d/discard" 2>&1) &&
	vm-fail "uid 65534 discarded perm-0"
refused "uid 65534 writes discard" "$out" "Permission denied"
out=$(su -s /bin/sh nobody -c 'echo perm-0 >&3' 3>"$d/discard" 2>&1) &&
	vm-fail "uid 65534 discarded perm-0 through root's descriptor"
refused "uid 65534 writes discard through root's descriptor" "$out" "Operation not permitted"
expect_node perm-0 out saved

# root: bad and unknown names
out=$(sh -c "echo 'bad/name' >$d/discard" 2>&1) && vm-fail "discard accepted bad/name"
refused "root discards bad/name" "$out" "Invalid argument"
out=$(sh -c "echo 'no-such-node' >$d/discard" 2>&1) && vm-fail "discard accepted no-such-node"
refused "root discards no-such-node" "$out" "No such file or directory"
echo perm-0 >$d/discard || vm-fail "root cannot discard perm-0"
[ -z "$(node_field perm-0 1)" ] || vm-fail "perm-0 still listed"
vm-pass "uid 65534 refused everywhere, root's bad names refused"
