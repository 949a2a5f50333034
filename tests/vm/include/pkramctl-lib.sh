# Shell helpers for the pkramctl-* scenarios, on top of pkram-lib.sh; copied
# into the guest as /root/pkramctl-lib.sh by
# `--add tests/vm/include/pkramctl-lib.sh`. busybox tools only.

# pctl ARGS...: run pkramctl, fail the scenario unless it exits 0
pctl() {
	pkramctl "$@" || vm-fail "pkramctl $* exited $?"
}

# check_list DIR STATE: every node of /sys/kernel/pkram/nodes is in
# `pkramctl list` and `pkramctl list --json` with its numbers, as DIR STATE
check_list() {
	pctl list >/root/list.txt
	pctl list --json >/root/list.json
	cat /root/list.txt
	want=$(wc -l </sys/kernel/pkram/nodes)
	[ "$(($(wc -l </root/list.txt) - 1))" -eq "$want" ] ||
		vm-fail "list: want $want nodes: $(cat /root/list.txt)"
	[ "$(grep -c '"name": ' /root/list.json)" -eq "$want" ] ||
		vm-fail "list --json: want $want nodes: $(cat /root/list.json)"
	while read -r dir name state objs folios pages bytes meta; do
		[ "$dir" = "$1" ] && [ "$state" = "$2" ] ||
			vm-fail "node $name is $dir $state, want $1 $2"
		# DIR NAME STATE OBJECTS PAGES BYTES MEMORY
		got=$(awk -v n="$name" '$2 == n { print $1, $3, $4, $5, $6 }' /root/list.txt)
		[ "$got" = "$dir $state $objs $pages $bytes" ] ||
			vm-fail "list: $name: '$got', want '$dir $state $objs $pages $bytes'"
		mem=$(((pages + meta + (bytes + 4095) / 4096) * 4096))
		grep -q "{\"direction\": \"$dir\", \"name\": \"$name\", \"state\": \"$state\", \"objects\": $objs, \"folios\": $folios, \"pages\": $pages, \"bytes\": $bytes, \"meta_pages\": $meta, \"memory_bytes\": $mem}" /root/list.json ||
			vm-fail "list --json: $name does not match nodes: $(grep "\"$name\"" /root/list.json)"
	done </sys/kernel/pkram/nodes
}

# layout NAME FILE: show --snapshot --ranges of NAME in the dump FILE,
# without the lines that differ across a kexec (direction, state)
layout() {
	pctl show "$1" --snapshot "$2" --ranges >/root/layout.tmp
	grep -v -e '^direction:' -e '^state:' /root/layout.tmp
}

# discard_check NAME ARG: `pkramctl discard ARG` (a name or
# --all-unclaimed) frees node NAME: MemTotal rises by >= its pages + meta
discard_check() {
	pages=$(($(node_field "$1" 6) + $(node_field "$1" 8)))
	total0=$(meminfo MemTotal)
	pctl discard "$2"
	total1=$(meminfo MemTotal)
	echo "pkramctl-test: discard $2 ($1, >= $pages pages): MemTotal $total0 -> $total1 kB"
	[ $((total1 - total0)) -ge $((pages * 4)) ] ||
		vm-fail "discard $2 returned $((total1 - total0)) kB, want >= $((pages * 4)) kB"
}
