# Memfds kept across three kexecs through /dev/liveupdate, by an unmodified
# program written against mainline's uapi header (build/vmprog/luo-test):
# - stage 1: every bad input before a kexec (errnos), then sessions: alpha
#   (a 1 MiB memfd with a file position, an empty one, a sparse 64 MiB one,
#   a sealed one, a 16 MiB one in 2 MiB folios), carry, free (64 MiB),
#   closed (closed before the kexec), 2000 sessions of one memfd each and
#   one session of 500 memfds;
# - stage 2: everything verified (contents, size, holes with SEEK_DATA/
#   SEEK_HOLE and allocated blocks, seals, position, close-on-exec, the THP
#   memfd's folios as ShmemHugePages and PMD mappings), bad input after a
#   kexec, FINISH frees the unretrieved 64 MiB; alpha changed in place and
#   preserved again; carry left alone;
# - stage 3: alpha verified and preserved again; carry, carried over two
#   kexecs, verified; stage 4: alpha verified, nothing left reserved.
# vmtest-args: --mem 1G --timeout 900 --add tests/vm/include/pkram-lib.sh --add build/vmprog/luo-test:/usr/bin/luo-test
# expect: pass
. /root/pkram-lib.sh
[ -c /dev/liveupdate ] || vm-fail "no /dev/liveupdate"
case $PKRAM_STAGE in
1)
	record_memtotal
	luo-test bad || vm-fail "bad input"
	luo-test save 1 || vm-fail "save"
	vm-kexec
	;;
2|3)
	no_pkram_errors
	expect_node liveupdate in incoming
	luo-test verify $((PKRAM_STAGE - 1)) || vm-fail "verify"
	[ -z "$(node_field liveupdate 1)" ] || vm-fail "the liveupdate node is still listed after open"
	vm-kexec
	;;
4)
	no_pkram_errors
	luo-test verify 3 || vm-fail "verify"
	pkill -f "luo-test verify" 2>/dev/null
	vm-pass "memfds kept across 3 kexecs through /dev/liveupdate"
	;;
esac
