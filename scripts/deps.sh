#!/bin/bash
# Install the build/test dependencies (Debian 12). Idempotent: only packages
# that dpkg does not report as installed are installed, and `apt-get update`
# runs only when something is missing. linux-source-6.12 is pinned.
LOG_TAG=deps
. "$(dirname "$0")/common.sh"

PKGS=(build-essential bison flex libelf-dev libssl-dev bc cpio kmod
      qemu-system-x86 busybox-static kexec-tools libfdt-dev
      device-tree-compiler libcmocka-dev python3 python3-docutils xz-utils
      zstd git
      gnuplot-nox
      sqlite3 attr acl
      clang-14 libclang-rt-14-dev)

installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

SUDO=
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || die "not root and no sudo: cannot apt-get install"
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-y -q --no-install-recommends)
updated=
apt_update() {
	[ -n "$updated" ] && return
	log "apt-get update"
	$SUDO apt-get update -q >/dev/null
	updated=1
}

missing=()
for p in "${PKGS[@]}"; do installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing: ${missing[*]}"
	apt_update
	$SUDO apt-get install "${APT_OPTS[@]}" "${missing[@]}"
else
	log "all build/test packages present"
fi

# The kernel base: pinned version, newest as a loud fallback.
cur=$(base_version)
if [ "$cur" = "$BASE_PIN" ]; then
	log "base: $BASE_PKG $cur (pinned version)"
else
	apt_update
	if apt-cache madison "$BASE_PKG" | awk -F'|' '{gsub(/ /,"",$2); print $2}' | grep -qxF "$BASE_PIN"; then
		log "installing $BASE_PKG=$BASE_PIN"
		$SUDO apt-get install "${APT_OPTS[@]}" --allow-downgrades "$BASE_PKG=$BASE_PIN"
	else
		[ "$cur" = unknown ] && $SUDO apt-get install "${APT_OPTS[@]}" "$BASE_PKG"
		cur=$(base_version)
		cat >&2 <<WARN
###########################################################################
WARNING: $BASE_PKG $BASE_PIN is not available from apt.
WARNING: building on $BASE_PKG $cur instead. Patches may not apply and
WARNING: results are not comparable with the pinned base.
###########################################################################
WARN
	fi
fi
[ -f "$BASE_TARBALL" ] || die "$BASE_TARBALL missing after installing $BASE_PKG"
