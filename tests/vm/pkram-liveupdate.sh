# Memfds kept across three kexecs through /dev/liveupdate, by an unmodified
# program written against mainline's uapi header (build/vmprog/luo-test):
# - stage 1: every bad input before a kexec (errnos; a kexec check undone
#   leaves the size frozen and holes writable), then sessions: alpha (a
#   1 MiB memfd with a file position, an empty one, a sparse 64 MiB one, a
#   sealed one, a 16 MiB one in 2 MiB folios), carry, free (64 MiB), closed
#   (closed before the kexec), 2000 sessions of one memfd each and one
#   session of 500 memfds;
# - stage 2: everything verified (contents, size, holes with SEEK_DATA/
#   SEEK_HOLE and allocated blocks, seals, position, close-on-exec, the THP
#   memfd's folios as ShmemHugePages and PMD mappings), bad input after a
#   kexec, FINISH frees the unretrieved 64 MiB; alpha changed in place and
#   preserved again; carry left alone;
# - stage 3: alpha verified and preserved again; carry, carried over two
#   kexecs, verified; a memfd of most of free memory; every allocation of
#   the kexec-time save failed in turn (fail-nth on kexec_check): ENOMEM
#   and nothing changed each time; then a process creating and closing
#   sessions as fast as it can while the system kexecs;
# - stage 4: alpha, the big memfd and whatever race sessions arrived (at
#   most the last three) verified; nothing left reserved.
# vmtest-args: --mem 1G --timeout 900 --add tests/vm/include/pkram-lib.sh --add build/vmprog/luo-test:/usr/bin/luo-test --add build/vmprog/fail-nth:/usr/bin/fail-nth --add build/pkramctl/pkramctl:/usr/bin/pkramctl
# expect: pass
. /root/pkram-lib.sh
dbg=/sys/kernel/debug
[ -c /dev/liveupdate ] || vm-fail "no /dev/liveupdate"
case $PKRAM_STAGE in
1)
	luo-test bad || vm-fail "bad input"
	luo-test save 1 || vm-fail "save"
	# what is kept is visible: alpha's files, pages and bytes
	pkramctl sessions >/root/sessions || vm-fail "pkramctl sessions"
	grep -Eq '^out +open +alpha +5 +4362 +84947044$' /root/sessions ||
		vm-fail "pkramctl sessions: alpha: $(grep alpha /root/sessions)"
	grep -Eq '^ +token 18364758544493064720 +4096 +16777216$' /root/sessions ||
		vm-fail "pkramctl sessions: no THP file line"
	nr=$(grep -Ec '^out +open ' /root/sessions)
	echo "pkram-test: pkramctl sessions lists $nr sessions"
	# alpha, carry, free, 2000 of one file, many; not closed
	[ "$nr" = 2004 ] || vm-fail "pkramctl sessions: $nr sessions, not 2004"
	pkramctl list | grep -qx "live update: $nr session(s), $(grep -Ec '^ +token ' /root/sessions) file(s) (\`pkramctl sessions\`)" ||
		vm-fail "pkramctl list: no live update line"
	vm-kexec
	;;
2)
	no_pkram_errors
	expect_node liveupdate in incoming
	pkramctl sessions | grep -q "sessions are in node liveupdate until" ||
		vm-fail "pkramctl sessions: no word of the unread node"
	luo-test verify 1 || vm-fail "verify"
	pkramctl sessions | grep -Eq '^in +waiting +carry ' ||
		vm-fail "pkramctl sessions: no incoming session carry"
	[ -z "$(node_field liveupdate 1)" ] || vm-fail "the liveupdate node is still listed after open"
	vm-kexec
	;;
3)
	no_pkram_errors
	luo-test verify 2 || vm-fail "verify"
	big=$(($(meminfo MemAvailable) * 6 / 10 / 1024))
	# saved by both CPUs at once: parts of at least 64 MiB
	echo 16384 >$dbg/pkram/shmem_part_pages
	[ "$big" -ge 256 ] || vm-fail "big memfd of $big MiB: too small for a parallel save"
	echo $big >/root/big.mib
	luo-test big save $big || vm-fail "big memfd"
	owned0=$(cat $dbg/pkram/owned_pages)
	fail_nth_armed
	n=1; nomem=0
	while :; do
		r=$(fail-nth $n write /sys/kernel/pkram/kexec_check 1) || vm-fail "fail-nth: $r"
		case $r in
		*injected=0) break ;;
		ret=ENOMEM*) nomem=$((nomem + 1)) ;;
		ret=0*) ;;
		*) vm-fail "fault point $n: kexec_check $r" ;;
		esac
		[ "$(cat $dbg/pkram/owned_pages)" = "$owned0" ] ||
			vm-fail "fault point $n ($r): owned_pages $owned0 -> $(cat $dbg/pkram/owned_pages)"
		n=$((n + 1))
		[ $n -le 3000 ] || vm-fail "more than 3000 fault points"
	done
	echo "pkram-test: $((n - 1)) fault points of the kexec-time save: $nomem refused with ENOMEM, owned_pages unchanged"
	[ $nomem -gt 0 ] || vm-fail "no fault point made kexec_check fail"
	luo-test race &
	sleep 1
	vm-kexec
	;;
4)
	no_pkram_errors
	luo-test verify 3 || vm-fail "verify"
	luo-test big verify "$(cat /root/big.mib)" || vm-fail "big memfd"
	luo-test race-check || vm-fail "race"
	vm-pass "memfds kept across 3 kexecs through /dev/liveupdate"
	;;
esac
