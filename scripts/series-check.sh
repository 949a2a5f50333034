#!/bin/bash
# make series-check: check build/series/ (made by make series) the way a
# maintainer would receive it:
#   1. a shared clone of the pristine base tree (build/series-check), reset
#      to the base; `git am` of every patch (not the cover letter);
#   2. the tree's own scripts/checkpatch.pl --strict on every patch: no
#      errors and no warnings allowed (CHECKs are listed, and fail only with
#      SERIES_CHECK_STRICT=1);
#   3. a kernel build with the test config (tinyconfig + the series'
#      kernel/configs/pkram.config, through scripts/kernel-config.sh, which
#      also checks that every option of the fragment that exists at that
#      commit took effect) at three commits: the first that builds PKRAM,
#      the middle one between it and the last, and the last. The builds
#      share one tree and are incremental. A compiler warning in a file the
#      series adds or changes fails the build point.
# Prints a summary; exits non-zero if anything failed. The result is kept in
# build/series-check.result, which `make series` quotes in the cover letter
# while the series stays the same; the output in build/series-check.log.
#
# usage: scripts/series-check.sh [--bisect]
#   --bisect   build every commit, not three (make series-bisect); commits
#              before the first that builds PKRAM build without it
# Env: JOBS (default nproc), SERIES_CLEAN=1 start the builds from scratch,
#      SERIES_CHECK_STRICT=1 fail on checkpatch CHECKs too.
LOG_TAG=series-check
. "$(dirname "$0")/common.sh"
. "$REPO/scripts/series-lib.sh"

# All in a function, so that bash has read all of it before it runs: the
# script may be edited while a long run goes on.
main() {
mode=check
case ${1:-} in
--bisect) mode=bisect ;;
"") ;;
*) die "usage: $0 [--bisect]" ;;
esac
TREE=$BUILD/series-check
LOGDIR=$BUILD/series-check-logs
RESULT=$BUILD/series-check.result
LOCK=$BUILD/.kernel.lock
jobs=${JOBS:-$(nproc)}
t_start=$SECONDS

# Everything this script prints also goes to build/series-check.log.
mkdir -p "$BUILD"
exec > >(tee "$BUILD/series-check.log") 2>&1

mapfile -t patches < <(find "$SERIES_OUT" -maxdepth 1 -name '*.patch' | LC_ALL=C sort)
[ ${#patches[@]} -gt 0 ] || die "no patches in $SERIES_OUT: run make series"
hash=$(cat "${patches[@]}" | sha256sum | cut -c1-16)
log "${#patches[@]} patches in $SERIES_OUT (series $hash)"

# -------------------------------------------------------------- 1. git am
series_base_clone "$TREE"
rm -rf "$LOGDIR"; mkdir -p "$LOGDIR"
if ! git -C "$TREE" am -q --whitespace=nowarn "${patches[@]}" >"$LOGDIR/git-am.log" 2>&1; then
	cat "$LOGDIR/git-am.log"
	cur=$(git -C "$TREE" am --show-current-patch=raw 2>/dev/null | sed -n 's/^Subject: //p' | head -n1)
	git -C "$TREE" am --abort >/dev/null 2>&1 || true
	echo "series-check: FAIL: git am stopped at: ${cur:-?}"
	printf 'hash=%s\ndate=%s\nsummary=FAIL: git am\n' "$hash" "$(date -u '+%F %H:%M UTC')" >"$RESULT"
	exit 1
fi
mapfile -t commits < <(git -C "$TREE" rev-list --reverse "$SERIES_BASE_TAG..HEAD")
[ ${#commits[@]} -eq ${#patches[@]} ] || die "git am made ${#commits[@]} commits of ${#patches[@]} patches"
log "git am: ${#commits[@]} patches applied to $(git -C "$TREE" log -1 --format=%s "$SERIES_BASE_TAG")"

# -------------------------------------------------------------- 2. checkpatch
# FILE_PATH_CHANGES ("added, moved or deleted file(s), does MAINTAINERS need
# updating?") is ignored: checkpatch asks it of every patch that adds a file
# unless that same patch touches MAINTAINERS; it cannot know whether another
# patch of the series adds the entry.
CP_IGNORE=FILE_PATH_CHANGES
# Findings checkpatch cannot judge, by type, path (glob) and message (ERE),
# each with the reason; keep this list short.
ALLOW=(
	# tools/pkramctl is userspace: PRIx64 and friends are the C library's
	# <inttypes.h> format macros, not CamelCase identifiers of ours
	'CAMELCASE|tools/*|<PRI[diouxX](8|16|32|64|MAX|PTR)>'
	# kernel_kexec()'s own error label, which PKRAM's refusal jumps to
	'CAMELCASE|kernel/kexec_core.c|<Unlock>'
	# a page-flag helper made by __CLEARPAGEFLAG(); checkpatch's exception
	# for Page<flag> helpers does not allow for the __ of the non-atomic ones
	'CAMELCASE|mm/pkram/*|<__ClearPageReserved>'
	# shmem's mount option enum, named as its others are (Opt_noswap, ...)
	'CAMELCASE|mm/shmem.c|<Opt_pkram>'
)
allowed() {  # TYPE PATH MSG
	local a t p m
	for a in "${ALLOW[@]}"; do
		IFS='|' read -r t p m <<<"$a"
		[ "$1" = "$t" ] || continue
		# shellcheck disable=SC2053
		[[ $2 == $p ]] || continue
		[ -z "$m" ] || [[ $3 =~ $m ]] || continue
		return 0
	done
	return 1
}

cp_fail=0; cp_total_e=0; cp_total_w=0; cp_total_c=0; cp_allowed=0
declare -a cp_line
for ((i = 0; i < ${#patches[@]}; i++)); do
	p=${patches[$i]}; name=$(basename "$p")
	out=$LOGDIR/checkpatch-$(printf '%04d' $((i + 1))).txt
	(cd "$TREE" && ./scripts/checkpatch.pl --strict --show-types --ignore "$CP_IGNORE" "$p") >"$out" 2>&1 || true
	# one record per finding: LEVEL TYPE FILE:LINE MESSAGE
	findings=$(awk '
		/^(ERROR|WARNING|CHECK):[A-Z_0-9]+:/ {
			if (lvl != "") print lvl "\t" typ "\t" loc "\t" msg
			split($0, a, ":"); lvl = a[1]; typ = a[2]
			msg = substr($0, length(lvl) + length(typ) + 3); sub(/^ /, "", msg); loc = "-"; next }
		lvl != "" && /^#[0-9]+: FILE: / { loc = $3; sub(/:$/, "", loc); next }
		/^total: / { if (lvl != "") print lvl "\t" typ "\t" loc "\t" msg; lvl = "" }
		END { if (lvl != "") print lvl "\t" typ "\t" loc "\t" msg }' "$out")
	e=0; w=0; c=0; shown=()
	while IFS=$'\t' read -r lvl typ loc msg; do
		[ -n "$lvl" ] || continue
		if allowed "$typ" "${loc%%:*}" "$msg"; then cp_allowed=$((cp_allowed + 1)); continue; fi
		case $lvl in ERROR) e=$((e + 1)) ;; WARNING) w=$((w + 1)) ;; CHECK) c=$((c + 1)) ;; esac
		shown+=("    $lvl:$typ $loc: $msg")
	done <<<"$findings"
	grep -q '^total: ' "$out" || { e=$((e + 1)); shown+=("    checkpatch did not finish, see $out"); }
	cp_total_e=$((cp_total_e + e)); cp_total_w=$((cp_total_w + w)); cp_total_c=$((cp_total_c + c))
	bad=$((e + w)); [ "${SERIES_CHECK_STRICT:-0}" = 1 ] && bad=$((bad + c))
	if [ $bad -gt 0 ]; then status=FAIL; cp_fail=$((cp_fail + 1)); else status=ok; fi
	cp_line+=("$(printf '  %-4s %-66s %d errors, %d warnings, %d checks' "$status" "${name:0:66}" $e $w $c)")
	printf '%s\n' "${cp_line[-1]}"
	[ ${#shown[@]} -eq 0 ] || printf '%s\n' "${shown[@]}"
done
log "checkpatch --strict: $cp_total_e errors, $cp_total_w warnings, $cp_total_c checks ($cp_allowed allowed findings not counted); logs in $LOGDIR/"

# -------------------------------------------------------------- 3. builds
first=
for ((i = 0; i < ${#commits[@]}; i++)); do
	if git -C "$TREE" grep -q '^source "mm/pkram/Kconfig"' "${commits[$i]}" -- mm/Kconfig 2>/dev/null &&
	   git -C "$TREE" grep -q '^config PKRAM$' "${commits[$i]}" -- mm/pkram/Kconfig 2>/dev/null; then
		first=$i; break
	fi
done
[ -n "$first" ] || die "no patch of the series adds CONFIG_PKRAM"
last=$((${#commits[@]} - 1))
if [ $mode = bisect ]; then
	# every commit: those before $first build the base changes they make
	mapfile -t points < <(seq 0 "$last")
else
	points=("$first" $(((first + last) / 2)) "$last")
	mapfile -t points < <(printf '%s\n' "${points[@]}" | sort -nu)
fi
# the test config as the series has it (the repository's, if the series has none)
STATE=$BUILD/series-check-state
rm -rf "$STATE"; mkdir -p "$STATE"; : >"$STATE/series"; : >"$STATE/overlay.list"
frag=$STATE/pkram.config
git -C "$TREE" show "HEAD:kernel/configs/pkram.config" >"$frag" 2>/dev/null ||
	cp "$REPO/kernel/configs/pkram.config" "$frag"

build_one() {  # INDEX: checkout, configure, build; runs under the kernel lock
	local i=$1 sha=${commits[$1]}
	git -C "$TREE" checkout -q -f --detach "$sha"
	echo "series-check ${sha}" >"$TREE/.pkram-base"
	"$REPO/scripts/kernel-config.sh" "$TREE" "$STATE" "$frag" || return 1
	if [ "$i" -ge "$first" ]; then
		grep -qx 'CONFIG_PKRAM=y' "$TREE/.config" || { echo "CONFIG_PKRAM=y did not take"; return 1; }
	fi
	make -C "$TREE" -j"$jobs" bzImage modules || return 1
	if [ "$i" -ge "$first" ] && ! grep -q ' T pkram_prepare_save$' "$TREE/System.map"; then
		echo "PKRAM is not in the kernel that was built (no pkram_prepare_save in System.map)"
		return 1
	fi
}

b_fail=0; declare -a b_line
for i in "${points[@]}"; do
	n=$((i + 1)); subj=$(git -C "$TREE" log -1 --format=%s "${commits[$i]}")
	blog=$LOGDIR/build-$(printf '%04d' $n).log
	if ! flock -n "$LOCK" true 2>/dev/null; then log "waiting for $LOCK (another kernel build)"; fi
	log "build at patch $n/${#commits[@]}: $subj"
	if (exec 9>"$LOCK"; flock 9; echo $SECONDS >"$LOGDIR/.locked"; build_one "$i") >"$blog" 2>&1; then
		status=OK; else status=FAIL; fi
	secs=$((SECONDS - $(cat "$LOGDIR/.locked" 2>/dev/null || echo $SECONDS)))
	# compiler warnings in files the series adds or changes
	changed=$(git -C "$TREE" diff --name-only "$SERIES_BASE_TAG" "${commits[$i]}")
	warns=$(grep -E '^[^ :]+:[0-9]+:[0-9]+: warning: ' "$blog" | sort -u |
		while IFS= read -r l; do f=${l%%:*}; f=${f#./}
			grep -qxF "$f" <<<"$changed" && printf '%s\n' "$l"; done || true)
	nw=$(grep -c . <<<"$warns" || true)
	if [ "$status" = OK ] && [ "$nw" -gt 0 ]; then status=FAIL; fi
	[ "$status" = OK ] || b_fail=$((b_fail + 1))
	b_line+=("$(printf '  %-4s %02d/%02d %-55s %4ds%s' "$status" $n ${#commits[@]} "${subj:0:55}" $secs \
		"$([ "$nw" -gt 0 ] && echo ", $nw compiler warning(s) in series files")")")
	printf '%s\n' "${b_line[-1]}"
	if [ "$status" = FAIL ]; then
		[ -z "$warns" ] || printf '    %s\n' "$warns"
		grep -E 'error:|Error [0-9]|ERROR' "$blog" | head -n 20 | sed 's/^/    /'
		echo "    full log: $blog"
	fi
done
git -C "$TREE" checkout -q -f --detach "${commits[$last]}"

# -------------------------------------------------------------- summary
total=$((SECONDS - t_start))
echo
echo "== series-check summary ($(date -u '+%F %H:%M UTC'), ${total}s)"
echo "git am: ${#commits[@]} patches applied to the pristine base"
echo "checkpatch --strict (ignoring $CP_IGNORE; allowed: $cp_allowed):"
printf '%s\n' "${cp_line[@]}"
echo "builds (tinyconfig + kernel/configs/pkram.config, make -j$jobs bzImage modules):"
printf '%s\n' "${b_line[@]}"
summary="checkpatch --strict: $cp_total_e errors, $cp_total_w warnings, $cp_total_c checks in ${#patches[@]} patches"
summary+="; builds at patches $(for i in "${points[@]}"; do printf '%d,' $((i + 1)); done | sed 's/,$//'): "
if [ $b_fail -eq 0 ]; then summary+="all OK"; else summary+="$b_fail failed"; fi
if [ $cp_fail -eq 0 ] && [ $b_fail -eq 0 ]; then verdict=PASS; else verdict=FAIL; fi
printf 'hash=%s\ndate=%s\nsummary=%s: %s\n' "$hash" "$(date -u '+%F %H:%M UTC')" "$verdict" "$summary" >"$RESULT"
# the cover letter quotes the result (make series does too, while the
# patches stay the same)
python3 - "$SERIES_OUT/0000-cover-letter.txt" "$verdict: $summary ($(date -u '+%F %H:%M UTC'))" <<'PY' || true
import re, sys, textwrap
path, res = sys.argv[1:3]
text = open(path).read()
new = textwrap.fill("- make series-check, on exactly these patches: " + res, 72,
                    subsequent_indent="  ", break_on_hyphens=False)
open(path, "w").write(re.sub(r"^- make series-check.*?(?=\n\n)", lambda m: new, text,
                             count=1, flags=re.S | re.M))
PY
echo "series-check: $verdict ($summary; ${total}s)"
[ $verdict = PASS ]
}

main "$@"
exit
