# shellcheck shell=bash
# Common helpers for the PKRAM build/test scripts. Source, don't execute.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$REPO/build}
BASE_PKG=linux-source-6.12
BASE_PIN=6.12.117-1~deb12u1
BASE_TARBALL=${BASE_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
# repo directories whose files are overlaid (symlinked) into the kernel tree
OVERLAY_DIRS=(mm include kernel lib arch drivers Documentation tools/pkramctl)

log()  { printf '[%s] %s\n' "${LOG_TAG:-pkram}" "$*"; }
warn() { printf '[%s] WARNING: %s\n' "${LOG_TAG:-pkram}" "$*" >&2; }
die()  { printf '[%s] ERROR: %s\n' "${LOG_TAG:-pkram}" "$*" >&2; exit 1; }

base_version() {
	dpkg-query -W -f='${Version}' "$BASE_PKG" 2>/dev/null || echo unknown
}
