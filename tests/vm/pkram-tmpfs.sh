# Tmpfs kept across three kexecs by name (mount -t tmpfs -o pkram=NAME):
# - stage 1: bad names, pkram= on another file system refused; a tree with
#   every kind of entry (dirs, files, a sparse file, a symlink, a hard
#   link, a fifo, a device node, owners, modes, times, user and trusted
#   extended attributes, access and default ACLs) in t1, writable after
#   a kexec check; umount and mount again in the same boot give it back; a
#   second mount of a mounted name and a remount changing the name are
#   refused; t2 gets an sqlite3 database (Debian's, unmodified) and is left
#   unmounted; t3 (huge=always) a sparse 64 MiB file in 2 MiB folios; t4 a
#   tree of 10,100 files; a node tmpfs:w-0 that is not a tree;
# - stage 2: every tree back, t1 compared entry by entry with the same tree
#   built again in a plain tmpfs, the database passes integrity_check and
#   hashes as the same database built again, t3's folios are THP again,
#   t4 has every file; the node that is not a tree is refused and kept;
#   discard refused while mounted, frees the memory when unmounted; t1
#   changed;
# - stage 3: t1 as changed, changed again; t4 carried unmounted;
# - stage 4: t1 refused by a tmpfs too small for it (size=, nr_inodes=),
#   and kept; a small tree mounted with each allocation of the mount failed
#   in turn (fail-nth; copies s0.. kept since stage 1): each failure leaves
#   no mount and the node as it was; t1 as changed twice, t4 still whole.
# vmtest-args: --mem 1G --timeout 900 --add tests/vm/include/pkram-lib.sh --add build/pkramctl/pkramctl:/usr/bin/pkramctl --add build/vmprog/fail-nth:/usr/bin/fail-nth --add-prog sqlite3 --add-prog setfattr --add-prog getfattr --add-prog setfacl
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
	# extended attributes and ACLs, set by Debian's setfattr and setfacl
	setfattr -n user.color -v blue d1/numbers &&
		setfattr -n trusted.level -v 0x00ff00 d1/d2 &&
		setfattr -n user.empty d1/d2/page &&
		setfacl -m u:1000:rw,g:2000:r d1/d2/page &&
		setfacl -d -m u:1000:rx d1 || vm-fail "setfattr/setfacl"
	for f in d1/numbers d1/d2/page d1/d2/sparse empty fifo null \
		 d1/d2/d3 d1/d2 d1 empty-dir; do
		touch -d '2024-02-03 04:05:06' "$f"
	done
	touch -h -d '2023-01-01 00:00:00' link
	touch -d '2022-05-06 07:08:09' .
	cd /
}

# the changes of stage 2 ($2 = 1) and of stage 3 ($2 = 2)
change_tree() {
	cd "$1" || vm-fail "cd $1"
	if [ "$2" = 1 ]; then
		seq 5 7 >>d1/numbers
		rm d1/d2/page
		mkdir new-dir
		ln -s ../d1 new-dir/up
		touch -h -d '2024-12-31 00:00:00' new-dir/up
		touch -d '2025-01-01 01:01:01' d1/numbers new-dir d1/d2 d1
	else
		printf 'again' | dd of=d1/d2/sparse bs=1 seek=9000000 2>/dev/null
		mv empty new-dir/moved
		touch -d '2025-02-02 02:02:02' d1/d2/sparse new-dir d1/d2
	fi
	touch -d '2022-05-06 07:08:09' .
	cd /
}

# every entry: name, mode, owner, size, links, mtime; contents and targets;
# extended attributes in every namespace, ACLs included (getfattr)
manifest() {
	(cd "$1" && find . | sort | while read -r f; do
		stat -c '%n %f %u %g %s %h %Y %t %T' "$f"
		[ -L "$f" ] && readlink "$f"
		[ -f "$f" ] && [ ! -L "$f" ] && md5sum <"$f"
		getfattr -h -d -m - -e hex "$f" 2>/dev/null | grep -v '^#'
	done)
}

# t1 of stage $2 against the same tree built again
check_t1() {
	mount -t tmpfs tmpfs /mnt/ref || vm-fail "mount ref"
	build_tree /mnt/ref
	[ "$2" -ge 1 ] && change_tree /mnt/ref 1
	[ "$2" -ge 2 ] && change_tree /mnt/ref 2
	manifest /mnt/ref >/root/m-ref
	umount /mnt/ref
	manifest "$1" >/root/m1
	if ! cmp -s /root/m1 /root/m-ref; then
		diff /root/m-ref /root/m1 | head -20
		vm-fail "t1 differs from the tree built again (changes: $2)"
	fi
	echo "pkram-test: t1 equal to the tree built again, $(wc -l </root/m1) lines"
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

# the small tree, kept in COPIES copies s0.. for the fault sweep
COPIES=24
build_small() {
	mkdir -p "$1/d/e" && seq 1 3000 >"$1/d/file" &&
		ln -s d/file "$1/link" && ln "$1/d/file" "$1/d/e/hard" &&
		mkfifo "$1/fifo" && chmod 0700 "$1/d" || vm-fail "small tree in $1"
	find "$1" | while read -r f; do touch -h -d '2024-01-01 00:00:00' "$f"; done
}

small_ref() {
	mount -t tmpfs tmpfs /mnt/ref || vm-fail "mount ref"
	build_small /mnt/ref
	manifest /mnt/ref | grep -v '^\. ' >/root/m-small
	umount /mnt/ref
}

check_small() {
	manifest "$1" | grep -v '^\. ' | cmp -s - /root/m-small ||
		vm-fail "$1 differs from the small tree built again"
}

# 100 directories of 101 files, each holding its own name
check_t4() {
	n=$(find /mnt/t4 -type f | wc -l)
	[ "$n" = 10100 ] || vm-fail "t4 has $n files, not 10100"
	[ "$(cat /mnt/t4/d57/f83)" = d57/f83 ] || vm-fail "t4: d57/f83"
	[ "$(cat /mnt/t4/d99/f100)" = d99/f100 ] || vm-fail "t4: d99/f100"
}

mkdir -p /mnt/t1 /mnt/t2 /mnt/t3 /mnt/t4 /mnt/ref /mnt/x
case $PKRAM_STAGE in
1)
	for bad in 'a/b' '' "$(printf '%059d' 0)" 'sp ace'; do
		mount -t tmpfs -o "pkram=$bad" tmpfs /mnt/x 2>/dev/null &&
			vm-fail "pkram=$bad was accepted"
	done
	mount -t proc -o pkram=p proc /mnt/x 2>/dev/null &&
		vm-fail "pkram= accepted by proc"
	echo "pkram-test: bad names and another file system refused"

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
	t2_bytes=$(($(stat -c %s /mnt/t2/t2-file) + $(stat -c %s /mnt/t2/app.db)))
	umount /mnt/t2
	expect_node tmpfs:t2 out kept
	# what a kept tree holds is listed before the kexec
	pkramctl show tmpfs:t2 | grep -q "its 2 regular file(s) hold $t2_bytes bytes" ||
		vm-fail "pkramctl show tmpfs:t2: $(pkramctl show tmpfs:t2)"
	pkramctl show tmpfs:t1 | grep -q "saved as this node at the next kexec" ||
		vm-fail "pkramctl show tmpfs:t1"

	mount -t tmpfs -o pkram=t3,huge=always tmpfs /mnt/t3 || vm-fail "mount t3"
	for mb in 0 10 30 62; do
		dd if=/dev/urandom of=/mnt/t3/big bs=1M count=2 seek=$mb \
		   conv=notrunc 2>/dev/null || vm-fail "t3 write"
	done
	md5sum </mnt/t3/big >/mnt/t3/big.md5
	[ "$(meminfo ShmemHugePages)" -ge 8192 ] ||
		vm-fail "t3 has no 2 MiB folios: $(meminfo ShmemHugePages) kB"

	mount -t tmpfs -o pkram=t4 tmpfs /mnt/t4 || vm-fail "mount t4"
	for d in $(seq 0 99); do
		mkdir /mnt/t4/d$d && cd /mnt/t4/d$d &&
			seq 0 100 | sed 's/^/f/' | xargs touch || vm-fail "t4 d$d"
		for f in f83 f100; do echo d$d/$f >$f; done
	done
	cd /
	check_t4
	for c in $(seq 0 $((COPIES - 1))); do
		mount -t tmpfs -o pkram=s$c tmpfs /mnt/x && build_small /mnt/x &&
			umount /mnt/x || vm-fail "small tree s$c"
	done
	tp action=save prefix=tmpfs:w seed=5 nodes=1
	vm-kexec
	;;
2)
	no_pkram_errors
	for n in t1 t2 t3 t4 w-0; do expect_node tmpfs:$n in incoming; done
	mount -t tmpfs -o pkram=t1 tmpfs /mnt/t1 || vm-fail "mount t1"
	check_t1 /mnt/t1 0
	# the incoming node became the mounted tree, kept for the next kexec
	expect_node tmpfs:t1 out kept

	mount -t tmpfs -o pkram=t2 tmpfs /mnt/t2 || vm-fail "mount t2"
	seq 1 1000 | cmp -s - /mnt/t2/t2-file || vm-fail "t2 differs"
	[ "$(sqlite3 /mnt/t2/app.db 'PRAGMA integrity_check')" = ok ] ||
		vm-fail "sqlite3: integrity_check of the kept database"
	mount -t tmpfs tmpfs /mnt/ref
	build_db /mnt/ref/app.db
	[ "$(db_hash /mnt/t2/app.db)" = "$(db_hash /mnt/ref/app.db)" ] ||
		vm-fail "sqlite3: the kept database's rows differ"
	umount /mnt/ref
	sqlite3 /mnt/t2/app.db "UPDATE kv SET k = 'changed' WHERE id = 5" ||
		vm-fail "sqlite3: no write to the kept database"
	[ "$(sqlite3 /mnt/t2/app.db 'SELECT count(*) FROM kv')" = 20000 ] ||
		vm-fail "sqlite3: row count"
	echo "pkram-test: sqlite3 database intact after kexec (integrity_check ok, rows equal)"

	mount -t tmpfs -o pkram=t3,huge=always tmpfs /mnt/t3 || vm-fail "mount t3"
	md5sum </mnt/t3/big | cmp -s - /mnt/t3/big.md5 || vm-fail "t3 differs"
	[ "$(stat -c %s /mnt/t3/big)" = $((64 << 20)) ] || vm-fail "t3 size"
	[ "$(meminfo ShmemHugePages)" -ge 8192 ] ||
		vm-fail "t3's 2 MiB folios did not come back as such"
	echo "pkram-test: t3 back in 2 MiB folios ($(meminfo ShmemHugePages) kB ShmemHugePages)"

	# a node of another kind under a tree's name: refused, and kept
	mount -t tmpfs -o pkram=w-0 tmpfs /mnt/x 2>/dev/null &&
		vm-fail "a node that is not a tree was mounted"
	expect_node tmpfs:w-0 in incoming
	dmesg | grep -q 'pkram: tmpfs:w-0: the tree cannot be built.*the node is kept' ||
		vm-fail "no log line for the node that is not a tree"
	pkramctl discard tmpfs:w-0 || vm-fail "discard tmpfs:w-0"

	# discard: refused while mounted; unmounted, the memory comes back
	pkramctl discard tmpfs:t3 2>/dev/null && vm-fail "discarded mounted t3"
	umount /mnt/t3
	free0=$(free_kb)
	pkramctl discard tmpfs:t3 || vm-fail "discard t3"
	free1=$(free_kb)
	[ $((free1 - free0)) -ge $((6 << 10)) ] ||
		vm-fail "discarding t3 freed $((free1 - free0)) kB, not 6 MiB"
	mount -t tmpfs -o pkram=t3 tmpfs /mnt/t3 || vm-fail "mount t3 again"
	[ -z "$(ls -A /mnt/t3)" ] || vm-fail "t3 not empty after discard"
	umount /mnt/t3
	pkramctl discard tmpfs:t3 || vm-fail "discard the empty t3"
	echo "pkram-test: discard of t3 freed $((free1 - free0)) kB"

	change_tree /mnt/t1 1
	vm-kexec
	;;
3)
	no_pkram_errors
	expect_node tmpfs:t4 in incoming
	mount -t tmpfs -o pkram=t1 tmpfs /mnt/t1 || vm-fail "mount t1"
	check_t1 /mnt/t1 1
	change_tree /mnt/t1 2
	vm-kexec
	;;
4)
	no_pkram_errors
	# too small a tmpfs: refused before anything is taken from the node
	mount -t tmpfs -o pkram=t1,size=16k tmpfs /mnt/t1 2>/dev/null &&
		vm-fail "t1 mounted in a 16k tmpfs"
	dmesg | grep -q 'pkram: a kept tmpfs tree needs [0-9]* KiB; this mount has room for 16 KiB' ||
		vm-fail "no log line for a tmpfs too small"
	mount -t tmpfs -o pkram=t1,nr_inodes=4 tmpfs /mnt/t1 2>/dev/null &&
		vm-fail "t1 mounted with nr_inodes=4"
	expect_node tmpfs:t1 in incoming
	echo "pkram-test: t1 refused by a tmpfs too small for it, and kept"

	# Every allocation of a mount failed in turn: no mount, node kept.
	# A failure that the kernel gets over (an allocation without sleep,
	# retried with one) lets the mount succeed, and one after the tree was
	# built leaves it kept, as umount would: go on with the next copy.
	fail_nth_armed
	small_ref
	n=1
	c=0
	got_over=0
	after=0
	while :; do
		[ $c -lt $COPIES ] || vm-fail "fail_nth=$n: no copy of the small tree left"
		r=$(fail-nth $n mount tmpfs /mnt/x pkram=s$c) ||
			vm-fail "fail-nth: $r"
		case $r in
		'ret=0 injected=0') check_small /mnt/x; break ;;
		'ret=0 injected=1')
			check_small /mnt/x
			umount /mnt/x
			got_over=$((got_over + 1))
			c=$((c + 1)) ;;
		# tmpfs says ENOSPC when it cannot allocate an inode
		'ret=ENOMEM injected=1' | 'ret=ENOSPC injected=1')
			grep -q ' /mnt/x ' /proc/mounts &&
				vm-fail "fail_nth=$n: s$c mounted after $r"
			# failed after the tree was built: kept, as by umount
			if awk -v n=tmpfs:s$c '$2 == n && $3 == "kept"' \
			       /sys/kernel/pkram/nodes | grep -q .; then
				mount -t tmpfs -o pkram=s$c tmpfs /mnt/x ||
					vm-fail "fail_nth=$n: s$c kept, not mounted"
				check_small /mnt/x
				umount /mnt/x
				after=$((after + 1))
				c=$((c + 1))
			else
				expect_node tmpfs:s$c in incoming
			fi ;;
		*) vm-fail "fail_nth=$n: $r" ;;
		esac
		n=$((n + 1))
	done
	[ $n -gt 40 ] || vm-fail "only $n fault points in mounting a tree"
	echo "pkram-test: each of the $((n - 1)) allocations of a tree's mount failed in turn: ENOMEM or ENOSPC, not mounted, node kept ($after failed after the tree was built: kept as by umount, mounted again whole); $got_over got over"
	mount -t tmpfs -o pkram=t1 tmpfs /mnt/t1 || vm-fail "mount t1"
	check_t1 /mnt/t1 2
	mount -t tmpfs -o pkram=t4 tmpfs /mnt/t4 || vm-fail "mount t4"
	check_t4
	mount -t tmpfs -o pkram=t2 tmpfs /mnt/t2 || vm-fail "mount t2"
	[ "$(sqlite3 /mnt/t2/app.db "SELECT k FROM kv WHERE id = 5")" = changed ] ||
		vm-fail "sqlite3: the change of stage 2 is lost"
	vm-pass "tmpfs trees kept across 3 kexecs by name"
	;;
esac
