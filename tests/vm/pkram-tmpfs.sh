# A tmpfs kept across kexec by name (mount -t tmpfs -o pkram=NAME):
# - stage 1: bad names refused; a tree with every kind of entry (dirs,
#   files, a sparse file, a symlink, a hard link, a fifo, a device node,
#   owners, modes, times) in t1; umount and mount again in the same boot
#   give it back; a second mount of a mounted name is refused, as is a
#   remount that changes the name; t2 is written and left unmounted;
# - stage 2: both trees are back after the kexec, compared entry by entry
#   with the same tree built again in a plain tmpfs; discarding a mounted
#   tree is refused; discarded unmounted, its name starts empty.
# An unmodified sqlite3 from Debian writes a database into t2 before the
# kexec; after it, PRAGMA integrity_check and a hash of every row agree
# with the same database built again, and it takes writes.
# vmtest-args: --mem 1G --timeout 600 --add tests/vm/include/pkram-lib.sh --add build/pkramctl/pkramctl:/usr/bin/pkramctl --add-prog sqlite3
# expect: pass
. /root/pkram-lib.sh

# the tree of stage 1, the same each time it is built
build_tree() {
	cd "$1" || vm-fail "cd $1"
	mkdir -p d1/d2/d3 empty-dir
	seq 1 20000 >d1/numbers
	dd if=/dev/zero bs=4096 count=1 2>/dev/null | tr '\0' 'x' >d1/d2/page
	printf 'end' | dd of=d1/d2/sparse bs=1 seek=5000000 2>/dev/null
	ln -s d1/numbers link
	ln d1/numbers d1/d2/d3/hardlink
	mkfifo fifo
	mknod null c 1 3
	: >empty
	chmod 0750 d1
	chmod 0604 d1/numbers
	chown 1234:4321 d1/d2/page
	for f in d1/numbers d1/d2/page d1/d2/sparse empty fifo null \
		 d1/d2/d3 d1/d2 d1 empty-dir; do
		touch -d '2024-02-03 04:05:06' "$f"
	done
	touch -h -d '2023-01-01 00:00:00' link
	touch -d '2022-05-06 07:08:09' .
	cd /
}

# a database of 20000 rows with an index, the same each time
build_db() {
	sqlite3 "$1" "
CREATE TABLE kv(id INTEGER PRIMARY KEY, k TEXT, v BLOB);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
INSERT INTO kv SELECT i, 'key-' || i, zeroblob(i % 300) || printf('%08d', i * 7) FROM n;
CREATE INDEX kv_k ON kv(k);" || vm-fail "sqlite3: building $1"
}

db_hash() {
	sqlite3 "$1" "SELECT id, k, hex(v) FROM kv ORDER BY k" | md5sum
}

# every entry: name, mode, owner, size, links, mtime; contents and targets
manifest() {
	(cd "$1" && find . | sort | while read -r f; do
		stat -c '%n %f %u %g %s %h %Y %t %T' "$f"
		[ -L "$f" ] && readlink "$f"
		[ -f "$f" ] && [ ! -L "$f" ] && md5sum <"$f"
	done)
}

case $PKRAM_STAGE in
1)
	mkdir -p /mnt/t1 /mnt/t2 /mnt/ref /mnt/x
	for bad in 'a/b' '' "$(printf '%059d' 0)" 'sp ace'; do
		mount -t tmpfs -o "pkram=$bad" tmpfs /mnt/x 2>/dev/null &&
			vm-fail "pkram=$bad was accepted"
	done
	echo "pkram-test: bad names refused"

	mount -t tmpfs -o pkram=t1,size=64m tmpfs /mnt/t1 || vm-fail "mount t1"
	grep -q ' /mnt/t1 tmpfs .*pkram=t1' /proc/mounts ||
		vm-fail "pkram=t1 not in /proc/mounts"
	# a kexec check saves and freezes the tree, then undoes both
	echo 1 >/sys/kernel/pkram/kexec_check || vm-fail "kexec_check"
	(echo x >/mnt/t1/after-check) &
	sleep 2
	kill -0 $! 2>/dev/null && vm-fail "t1 still frozen after a kexec check"
	rm /mnt/t1/after-check || vm-fail "no write after the kexec check"
	build_tree /mnt/t1
	manifest /mnt/t1 >/root/m1
	[ "$(wc -l </root/m1)" -gt 15 ] || vm-fail "manifest too short"

	mount -t tmpfs -o pkram=t1 tmpfs /mnt/x 2>/dev/null &&
		vm-fail "a second mount of t1 was accepted"
	mount -o remount,pkram=other /mnt/t1 2>/dev/null &&
		vm-fail "remount changed the name"
	mount -o remount,size=96m /mnt/t1 || vm-fail "remount size"
	umount /mnt/t1 || vm-fail "umount t1"
	mount -t tmpfs -o pkram=t1 tmpfs /mnt/t1 || vm-fail "mount t1 again"
	manifest /mnt/t1 | cmp -s - /root/m1 ||
		vm-fail "t1 differs after umount and mount"
	echo "pkram-test: t1 kept through umount and mount"

	mount -t tmpfs -o pkram=t2 tmpfs /mnt/t2 || vm-fail "mount t2"
	seq 1 1000 >/mnt/t2/t2-file
	build_db /mnt/t2/app.db
	umount /mnt/t2
	expect_node tmpfs:t2 out kept
	pkramctl show tmpfs:t1 | grep -q "saved as this node at the next kexec" ||
		vm-fail "pkramctl show tmpfs:t1"
	vm-kexec
	;;
2)
	no_pkram_errors
	expect_node tmpfs:t1 in incoming
	expect_node tmpfs:t2 in incoming
	mkdir -p /mnt/t1 /mnt/t2 /mnt/ref
	mount -t tmpfs tmpfs /mnt/ref
	build_tree /mnt/ref
	manifest /mnt/ref >/root/m-ref
	mount -t tmpfs -o pkram=t1 tmpfs /mnt/t1 || vm-fail "mount t1"
	manifest /mnt/t1 >/root/m1
	if ! cmp -s /root/m1 /root/m-ref; then
		diff /root/m-ref /root/m1 | head -20
		vm-fail "t1 differs from the tree built again"
	fi
	# the incoming node became the mounted tree, kept for the next kexec
	expect_node tmpfs:t1 out kept
	echo "pkram-test: t1 back after kexec, $(wc -l </root/m1) manifest lines equal"

	mount -t tmpfs -o pkram=t2 tmpfs /mnt/t2 || vm-fail "mount t2"
	seq 1 1000 | cmp -s - /mnt/t2/t2-file || vm-fail "t2 differs"
	[ "$(sqlite3 /mnt/t2/app.db 'PRAGMA integrity_check')" = ok ] ||
		vm-fail "sqlite3: integrity_check of the kept database"
	build_db /mnt/ref/app.db
	[ "$(db_hash /mnt/t2/app.db)" = "$(db_hash /mnt/ref/app.db)" ] ||
		vm-fail "sqlite3: the kept database's rows differ"
	sqlite3 /mnt/t2/app.db "UPDATE kv SET k = 'changed' WHERE id = 5" ||
		vm-fail "sqlite3: no write to the kept database"
	[ "$(sqlite3 /mnt/t2/app.db 'SELECT count(*) FROM kv')" = 20000 ] ||
		vm-fail "sqlite3: row count"
	echo "pkram-test: sqlite3 database intact after kexec (integrity_check ok, rows equal)"
	pkramctl discard tmpfs:t2 2>/dev/null && vm-fail "discarded mounted t2"
	umount /mnt/t2
	pkramctl discard tmpfs:t2 || vm-fail "discard t2"
	mount -t tmpfs -o pkram=t2 tmpfs /mnt/t2 || vm-fail "mount t2 again"
	[ -z "$(ls -A /mnt/t2)" ] || vm-fail "t2 not empty after discard"
	vm-pass "tmpfs trees kept across kexec by name"
	;;
esac
