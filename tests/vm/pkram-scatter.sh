# 1 GiB preserved as 262,144 non-contiguous order-0 pages in a 4 GiB guest:
# every data page its own preserved range (test_pkram checks that no two
# are adjacent). The next kernel must reserve them all
# in early boot (no per-page memblock_reserve, no array resize), boot, and
# hand every page back with its contents. The reservation is coalesced:
# memblock ends up with at most 4096 reserved regions (small free gaps
# between ranges reserved with them), and the gap pages are given back at
# PKRAM's initcall, so MemTotal is what it was.
# vmtest-args: --mem 4G --timeout 900 --add tests/vm/include/pkram-lib.sh
# expect: pass
. /root/pkram-lib.sh
case $PKRAM_STAGE in
1)
	record_memtotal
	tp action=scatter prefix=big seed=5 scatter_mb=1024
	vm-kexec
	;;
2)
	no_pkram_errors
	line=$(dmesg | grep 'pkram: reserved')
	echo "pkram-test: $line"
	ranges=$(echo "$line" | sed -n 's/.* in \([0-9]*\) ranges.*/\1/p')
	# metadata pages may land next to data pages and merge with them
	[ "${ranges:-0}" -ge 250000 ] || vm-fail "expected ~262144 ranges: $line"
	regions=$(echo "$line" | sed -n 's/.* memblock holds \([0-9]*\) reserved regions.*/\1/p')
	[ -n "$regions" ] && [ "$regions" -le 4096 ] ||
		vm-fail "memblock holds more than 4096 reserved regions: $line"
	gaps=$(echo "$line" | sed -n 's/.* with \([0-9]*\) gap pages.*/\1/p')
	back=$(dmesg | sed -n 's/.*pkram: gave back \([0-9]*\) gap pages.*/\1/p')
	[ "${gaps:-0}" -gt 0 ] && [ "$back" = "$gaps" ] ||
		vm-fail "reserved $gaps gap pages, gave back ${back:-none}"
	echo "pkram-test: $regions memblock regions, $gaps gap pages given back"
	tp action=verify-scatter prefix=big seed=5 scatter_mb=1024
	check_memtotal "after loading 1 GiB of scattered pages"
	vm-pass "262144 scattered pages preserved and verified"
	;;
esac
