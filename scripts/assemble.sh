#!/bin/bash
# Assemble the kernel tree (default build/linux) from the Debian base tarball:
#   1. extract /usr/src/linux-source-6.12.tar.xz once (again only when the
#      base package changes or a patch cannot be reverse-applied);
#   2. apply patches/series (patch -p1), keeping a copy of what is applied in
#      the state dir (default build/applied-patches/); when patches/ changes,
#      only the patches after the first difference are reverse-applied (in
#      reverse order) and the new ones applied; files whose content ends up
#      unchanged get their old mtime back, so make stays incremental;
#   3. symlink every repo file under the overlay dirs (git ls-files -co
#      --exclude-standard) into the tree at the same path; an overlay file
#      must not replace a base (or patched) file; stale links are removed.
# Nothing is touched when nothing changed.
#
# usage: scripts/assemble.sh [TREE [STATE_DIR]]
LOG_TAG=assemble
. "$(dirname "$0")/common.sh"

TREE=$(realpath -m "${1:-$BUILD/linux}")
STATE=$(realpath -m "${2:-$BUILD/applied-patches}")
PATCHDIR=$REPO/patches
[ -f "$BASE_TARBALL" ] || die "$BASE_TARBALL not found: run scripts/deps.sh"

base_id="$BASE_PKG $(base_version) $(stat -c '%s %Y' "$BASE_TARBALL")"

extract() {
	log "extracting $BASE_TARBALL -> $TREE (base $BASE_PKG $(base_version))"
	local tmp=$TREE.extract.$$
	rm -rf "$tmp" "$TREE" "$STATE"
	mkdir -p "$tmp"
	tar -xf "$BASE_TARBALL" -C "$tmp"
	local top
	top=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n1)
	[ -f "$top/Makefile" ] || die "unexpected tarball layout"
	mv "$top" "$TREE"
	rmdir "$tmp"
	mkdir -p "$STATE"
	: >"$STATE/series"
	: >"$STATE/overlay.list"
	echo "$base_id" >"$TREE/.pkram-base"
}

if [ ! -f "$TREE/.pkram-base" ] || [ "$(cat "$TREE/.pkram-base")" != "$base_id" ] ||
   [ ! -f "$STATE/series" ]; then
	extract
fi
log "base: $BASE_PKG $(base_version), kernel $(make -s -C "$TREE" kernelversion 2>/dev/null)"

# ---------------------------------------------------------------- overlay list
cd "$REPO"
overlay_new=$(mktemp); trap 'rm -f "$overlay_new"' EXIT
existing_dirs=()
for d in "${OVERLAY_DIRS[@]}"; do [ -d "$d" ] && existing_dirs+=("$d"); done
if [ ${#existing_dirs[@]} -gt 0 ]; then
	git ls-files -co --exclude-standard -- "${existing_dirs[@]}" | sort -u |
	while IFS= read -r f; do
		[ -f "$f" ] && printf '%s\n' "$f"
	done >"$overlay_new"
fi

# remove stale links first (a new patch may now create such a file)
while IFS= read -r f; do
	[ -n "$f" ] || continue
	if ! grep -qxF -- "$f" "$overlay_new"; then
		if [ -L "$TREE/$f" ]; then
			log "overlay: removing stale link $f"
			rm -f "$TREE/$f"
			rmdir -p --ignore-fail-on-non-empty "$(dirname "$TREE/$f")" 2>/dev/null || true
		fi
	fi
done <"$STATE/overlay.list"
# record immediately so a failure below does not lose track of links
grep -vxFf "$overlay_new" "$STATE/overlay.list" | while IFS= read -r f; do
	[ -L "$TREE/$f" ] && printf '%s\n' "$f"; done >"$STATE/overlay.keep" || true
mv "$STATE/overlay.keep" "$STATE/overlay.list"

# ---------------------------------------------------------------- patches
new_series=()
if [ -f "$PATCHDIR/series" ]; then
	while IFS= read -r line; do
		line=${line%%#*}; line=$(echo "$line" | xargs)   # strip comments/space
		[ -n "$line" ] || continue
		[ -f "$PATCHDIR/$line" ] || die "patches/series lists missing patch $line"
		new_series+=("$line")
	done <"$PATCHDIR/series"
fi
mapfile -t old_series <"$STATE/series"

# first index where old and new differ (by name or content)
k=0
while [ $k -lt ${#old_series[@]} ] && [ $k -lt ${#new_series[@]} ] &&
      [ "${old_series[$k]}" = "${new_series[$k]}" ] &&
      cmp -s "$STATE/${old_series[$k]}" "$PATCHDIR/${new_series[$k]}"; do
	k=$((k + 1))
done

patch_files() {  # files a -p1 patch touches
	awk '/^(\+\+\+|---) / { p=$2; sub(/\t.*/, "", p);
	     if (p != "/dev/null") { sub(/^[^\/]*\//, "", p); print p } }' "$@"
}

record_applied() {  # rewrite STATE/series from the given list
	printf '%s\n' "$@" | sed '/^$/d' >"$STATE/series.tmp"
	mv "$STATE/series.tmp" "$STATE/series"
}

if [ $k -lt ${#old_series[@]} ] || [ $k -lt ${#new_series[@]} ]; then
	log "patches: ${#old_series[@]} applied, ${#new_series[@]} in series, first $k unchanged"
	# remember content+mtime of every file the changing patches touch
	ref=$(mktemp -d); trap 'rm -f "$overlay_new"; rm -rf "$ref"' EXIT
	{
		for ((i = k; i < ${#old_series[@]}; i++)); do patch_files "$STATE/${old_series[$i]}"; done
		for ((i = k; i < ${#new_series[@]}; i++)); do patch_files "$PATCHDIR/${new_series[$i]}"; done
	} | sort -u >"$ref/files"
	n=0
	while IFS= read -r f; do
		n=$((n + 1))
		if [ -f "$TREE/$f" ] && [ ! -L "$TREE/$f" ]; then
			cp -p "$TREE/$f" "$ref/$n"
		fi
	done <"$ref/files"

	reextracted=
	for ((i = ${#old_series[@]} - 1; i >= k; i--)); do
		p=${old_series[$i]}
		if patch -R -p1 --no-backup-if-mismatch -s -f -d "$TREE" <"$STATE/$p" >"$ref/out" 2>&1; then
			log "patches: reverted $p"
			rm -f "$STATE/$p"
			record_applied "${old_series[@]:0:$i}"
		else
			cat "$ref/out" >&2
			warn "cannot reverse-apply $p: re-extracting the tree from scratch"
			# keep overlay links: they are recreated below anyway
			extract
			reextracted=1
			k=0
			break
		fi
	done

	applied=("${new_series[@]:0:$k}")
	for ((i = k; i < ${#new_series[@]}; i++)); do
		p=${new_series[$i]}
		if ! patch -p1 --no-backup-if-mismatch -s -f --dry-run -d "$TREE" <"$PATCHDIR/$p" >"$ref/out" 2>&1; then
			cat "$ref/out" >&2
			die "patch $p does not apply (applied so far: ${applied[*]:-none})"
		fi
		patch -p1 --no-backup-if-mismatch -s -f -d "$TREE" <"$PATCHDIR/$p"
		mkdir -p "$STATE/$(dirname "$p")"
		cp "$PATCHDIR/$p" "$STATE/$p"
		applied+=("$p")
		record_applied "${applied[@]}"
		log "patches: applied $p"
	done

	# files whose content did not change keep their old timestamp
	if [ -z "$reextracted" ]; then
		n=0; kept=0
		while IFS= read -r f; do
			n=$((n + 1))
			if [ -f "$ref/$n" ] && [ -f "$TREE/$f" ] && cmp -s "$ref/$n" "$TREE/$f"; then
				touch -r "$ref/$n" "$TREE/$f"; kept=$((kept + 1))
			fi
		done <"$ref/files"
		log "patches: $(wc -l <"$ref/files") files touched by changed patches, $kept unchanged (mtime kept)"
	fi
else
	log "patches: ${#new_series[@]} applied, unchanged"
fi

# ---------------------------------------------------------------- overlay links
added=0; collisions=()
: >"$STATE/overlay.list.new"
while IFS= read -r f; do
	t=$TREE/$f
	if [ -L "$t" ]; then
		if [ "$(readlink "$t")" = "$REPO/$f" ]; then
			echo "$f" >>"$STATE/overlay.list.new"; continue
		fi
		rm -f "$t"
	elif [ -e "$t" ]; then
		collisions+=("$f"); continue
	fi
	mkdir -p "$(dirname "$t")"
	ln -s "$REPO/$f" "$t"
	echo "$f" >>"$STATE/overlay.list.new"
	added=$((added + 1))
done <"$overlay_new"
mv "$STATE/overlay.list.new" "$STATE/overlay.list"
if [ ${#collisions[@]} -gt 0 ]; then
	printf '[assemble] ERROR: overlay file %s would replace a file of the base tree (or one created by a patch)\n' "${collisions[@]}" >&2
	die "overlay files must be new; change base files with a patch in patches/"
fi
log "overlay: $(wc -l <"$overlay_new") files linked ($added new)"
