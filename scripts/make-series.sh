#!/bin/bash
# make series: write build/series/, the PKRAM patch series against the base
# tree, as `git format-patch` output, from the repository as it is now
# (working tree, committed or not): 0000-cover-letter.txt (not *.patch, so
# that `git am build/series/*.patch` applies the series) and one patch per
# entry of scripts/series.map.
#
# The base tree is committed once per base into build/series-work (tag
# pkram-base, ~2 min); after that a run takes seconds. Commits are made
# there from pkram-base by scripts/make-series.py, which fails if an
# overlay file or a patch of patches/series is in no commit or in two.
#
# scripts/make-series.sh --check-map only checks that scripts/series.map
# puts every overlay file and patch in one commit (no base tree needed;
# make check runs it).
#
# Env: SERIES_PREFIX   subject prefix (default "PATCH", e.g. "RFC PATCH v2")
#      SERIES_TEST_LOG a saved `make check` output to quote in the cover
#                      letter (default: the newest "N passed, N failed"
#                      summary found in build/logs/)
LOG_TAG=series
. "$(dirname "$0")/common.sh"
. "$REPO/scripts/series-lib.sh"

command -v python3 >/dev/null || die "python3 missing: run make deps"
if [ "${1:-}" = --check-map ]; then
	export REPO BUILD SERIES_MAP=${SERIES_MAP:-$REPO/scripts/series.map}
	export SERIES_DATE=2000-01-01T00:00:00Z SERIES_OVERLAY_DIRS="${OVERLAY_DIRS[*]}"
	exec python3 "$REPO/scripts/make-series.py" --check-map
fi
mkdir -p "$BUILD"
series_base_ensure

# Every commit gets the date of the repository's HEAD, so the same sources
# give byte-identical patches.
date=$(git -C "$REPO" log -1 --format=%cI 2>/dev/null || echo 2000-01-01T00:00:00Z)
kver=$(git -C "$SERIES_WORK" log -1 --format=%s "$SERIES_BASE_TAG" | sed -n 's/^Linux \([^ ]*\) .*/\1/p')

export REPO BUILD SERIES_WORK SERIES_OUT
export SERIES_MAP=${SERIES_MAP:-$REPO/scripts/series.map} SERIES_DATE=$date
export SERIES_OVERLAY_DIRS="${OVERLAY_DIRS[*]}"
export BASE_DESC="Linux ${kver:-6.12} as packaged by Debian ($BASE_PKG $(base_version))"
exec python3 "$REPO/scripts/make-series.py"
