#!/bin/bash
# Generate TREE/.config: make tinyconfig, merge the fragments with
# scripts/kconfig/merge_config.sh, make olddefconfig. Redone only when the
# inputs change (fragments, applied patches, overlay Kconfig files, base);
# an identical result keeps the old .config (and its mtime).
# Then verify that every CONFIG_X=y/m line of the fragments took effect.
#
# usage: scripts/kernel-config.sh TREE STATE_DIR FRAGMENT...
LOG_TAG=config
. "$(dirname "$0")/common.sh"

TREE=$(realpath "$1"); STATE=$(realpath "$2"); shift 2
[ $# -gt 0 ] || die "no config fragment given"
frags=(); for f in "$@"; do frags+=("$(realpath "$f")"); done

stamp_of() {
	{
		cat "$TREE/.pkram-base"
		for f in "${frags[@]}"; do echo "== $f"; cat "$f"; done
		echo "== patches"; cat "$STATE/series"
		while IFS= read -r p; do sha256sum "$STATE/$p"; done <"$STATE/series"
		echo "== overlay Kconfig"
		{ grep -E '(^|/)Kconfig[^/]*$' "$STATE/overlay.list" || true; } | while IFS= read -r k; do
			sha256sum "$TREE/$k"; done
	} | sha256sum | cut -d' ' -f1
}
stamp=$(stamp_of)
stampfile=$TREE/.pkram-config-stamp
if [ -f "$TREE/.config" ] && [ -f "$stampfile" ] && [ "$(cat "$stampfile")" = "$stamp" ]; then
	log "config up to date"
else
	log "generating .config: tinyconfig + ${*}"
	[ -f "$TREE/.config" ] && cp -p "$TREE/.config" "$TREE/.config.pkram-old"
	make -s -C "$TREE" tinyconfig >/dev/null
	(cd "$TREE" && ./scripts/kconfig/merge_config.sh -m .config "${frags[@]}") >"$TREE/.pkram-merge.log" 2>&1 ||
		{ cat "$TREE/.pkram-merge.log" >&2; die "merge_config.sh failed"; }
	make -s -C "$TREE" olddefconfig >/dev/null
	if [ -f "$TREE/.config.pkram-old" ] && cmp -s "$TREE/.config" "$TREE/.config.pkram-old"; then
		mv "$TREE/.config.pkram-old" "$TREE/.config"     # keep old mtime
		log "config regenerated: identical to the previous one"
	else
		rm -f "$TREE/.config.pkram-old"
	fi
	echo "$stamp" >"$stampfile"
fi

# ---- verify
known=$(mktemp); trap 'rm -f "$known"' EXIT
grep -RhoP --include='Kconfig*' '^\s*(menu)?config\s+\K[A-Za-z0-9_]+' "$TREE" \
	--exclude-dir=tools --exclude-dir=Documentation 2>/dev/null | sort -u >"$known"
# what the fragments ask for, a later fragment overriding an earlier one
declare -A want=(); order=()
for f in "${frags[@]}"; do
	while IFS= read -r line; do
		if [[ $line =~ ^CONFIG_([A-Za-z0-9_]+)=([ym])[[:space:]]*$ ]]; then
			sym=${BASH_REMATCH[1]}; val=${BASH_REMATCH[2]}
		elif [[ $line =~ ^#\ CONFIG_([A-Za-z0-9_]+)\ is\ not\ set ]]; then
			sym=${BASH_REMATCH[1]}; val=n
		else
			continue
		fi
		[ -n "${want[$sym]:-}" ] || order+=("$sym")
		want[$sym]=$val
	done <"$f"
done
bad=(); absent=()
for sym in "${order[@]}"; do
	val=${want[$sym]}
	if [ "$val" = n ]; then
		if grep -qE "^CONFIG_$sym=[ym]" "$TREE/.config"; then
			warn "fragment says CONFIG_$sym is not set, but it is: $(grep -E "^CONFIG_$sym=" "$TREE/.config")"
		fi
		continue
	fi
	if ! grep -qxF "$sym" "$known"; then absent+=("CONFIG_$sym"); continue; fi
	grep -qxF "CONFIG_$sym=$val" "$TREE/.config" ||
		bad+=("CONFIG_$sym=$val (got: $(grep -E "^(# )?CONFIG_$sym[= ]" "$TREE/.config" || echo unset))")
done
for s in "${absent[@]}"; do
	warn "$s is not defined by any Kconfig in this tree yet (not applied?)"
done
if [ ${#bad[@]} -gt 0 ]; then
	printf '[config] ERROR: fragment option did not take effect: %s\n' "${bad[@]}" >&2
	die "${#bad[@]} config option(s) from the fragment(s) missing (unmet dependencies?)"
fi
log "config verified: all =y/=m options of the fragment(s) are set"
