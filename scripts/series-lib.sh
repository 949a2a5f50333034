# shellcheck shell=bash
# Helpers shared by make-series.sh and series-check.sh: git repositories of
# the pristine base tree. Source after common.sh.
#
# build/series-work is a git repository whose tag "pkram-base" is the base
# tarball, committed as it is (every file, .gitignore'd or not). It is made
# once per base (package version and tarball size/mtime, as assemble.sh
# tells bases apart) and reset with checkout -f + clean -fdx afterwards.
# Other trees (build/series-check) are `git clone --shared` of it: they
# borrow its objects, so they cost a checkout and nothing more.

SERIES_WORK=${SERIES_WORK:-$BUILD/series-work}
SERIES_OUT=${SERIES_OUT:-$BUILD/series}
SERIES_BASE_TAG=pkram-base
# Fixed identity, and fixed dates, so that the same sources give the same
# commits and byte-identical patches.
export GIT_AUTHOR_NAME="PKRAM developers" GIT_AUTHOR_EMAIL="pkram@localhost"
export GIT_COMMITTER_NAME="PKRAM developers" GIT_COMMITTER_EMAIL="pkram@localhost"

series_base_id() {
	echo "$BASE_PKG $(base_version) $(stat -c '%s %Y' "$BASE_TARBALL")"
}

# git config a series repository needs: no automatic gc (the shared clones
# borrow this repository's objects), no CRLF games, quiet detached HEADs.
series_git_config() {
	git -C "$1" config core.autocrlf false
	git -C "$1" config gc.auto 0
	git -C "$1" config advice.detachedHead false
	git -C "$1" config user.name "$GIT_AUTHOR_NAME"
	git -C "$1" config user.email "$GIT_AUTHOR_EMAIL"
}

# Make sure $SERIES_WORK holds the current base as tag pkram-base.
series_base_ensure() {
	local id; id=$(series_base_id)
	if [ -f "$SERIES_WORK/.git/pkram-base-id" ] &&
	   [ "$(cat "$SERIES_WORK/.git/pkram-base-id")" = "$id" ] &&
	   git -C "$SERIES_WORK" rev-parse -q --verify "refs/tags/$SERIES_BASE_TAG" >/dev/null; then
		return 0
	fi
	[ -f "$BASE_TARBALL" ] || die "$BASE_TARBALL not found: run make deps"
	log "making the base repository $SERIES_WORK from $BASE_TARBALL ($BASE_PKG $(base_version)); once per base, ~2 min"
	local tmp=$SERIES_WORK.new.$$ t0=$SECONDS
	rm -rf "$tmp" "$SERIES_WORK"
	mkdir -p "$tmp"
	tar -xf "$BASE_TARBALL" -C "$tmp" --strip-components=1
	[ -f "$tmp/Makefile" ] || die "unexpected tarball layout"
	git -C "$tmp" init -q
	series_git_config "$tmp"
	git -C "$tmp" add -A -f .
	local kver; kver=$(make -s -C "$tmp" kernelversion 2>/dev/null || echo 6.12)
	GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" GIT_COMMITTER_DATE="2000-01-01T00:00:00Z" \
		git -C "$tmp" commit -q -m "Linux $kver ($BASE_PKG $(base_version))" \
		-m "The base tree, as extracted from $(basename "$BASE_TARBALL")."
	git -C "$tmp" tag "$SERIES_BASE_TAG"
	echo "$id" >"$tmp/.git/pkram-base-id"
	mv "$tmp" "$SERIES_WORK"
	log "base repository ready in $((SECONDS - t0))s: Linux $kver, $(git -C "$SERIES_WORK" rev-parse --short "$SERIES_BASE_TAG")"
}

# series_base_clone DIR: DIR becomes a shared clone of the base repository
# (made again if the base changed), checked out at pkram-base, with nothing
# tracked left changed and no stray source files; ignored files (object
# files, .config) are kept unless SERIES_CLEAN=1, so builds stay incremental.
series_base_clone() {
	local dir=$1 id; id=$(series_base_id)
	series_base_ensure
	if [ ! -f "$dir/.git/pkram-base-id" ] || [ "$(cat "$dir/.git/pkram-base-id")" != "$id" ]; then
		log "cloning the base into $dir"
		rm -rf "$dir"
		git clone -q --shared --no-checkout "$SERIES_WORK" "$dir"
		series_git_config "$dir"
		echo "$id" >"$dir/.git/pkram-base-id"
	fi
	git -C "$dir" am --abort >/dev/null 2>&1 || true
	git -C "$dir" fetch -q "$SERIES_WORK" "refs/tags/$SERIES_BASE_TAG:refs/tags/$SERIES_BASE_TAG"
	git -C "$dir" checkout -q -f --detach "$SERIES_BASE_TAG"
	if [ "${SERIES_CLEAN:-0}" = 1 ]; then
		git -C "$dir" clean -q -fdx
	else
		git -C "$dir" clean -q -fd
	fi
}
