#!/bin/bash
# Assemble + configure + build the kernel, install modules.
#   scripts/build-kernel.sh            -> build/linux, modules in build/modroot
#   scripts/build-kernel.sh debug      -> build/linux-debug (+ pkram-debug.config),
#                                         modules in build/modroot-debug
#   scripts/build-kernel.sh bench      -> build/linux-bench (+ pkram-bench.config: no
#                                         lock/VM debugging), modules in build/modroot-bench
# Env: JOBS (default nproc), KBUILD_VERBOSE etc. are passed to make.
LOG_TAG=kernel
. "$(dirname "$0")/common.sh"

flavor=${1:-default}
case $flavor in
default) tree=$BUILD/linux; state=$BUILD/applied-patches; modroot=$BUILD/modroot
	 frags=("$REPO/kernel/configs/pkram.config") ;;
debug)   tree=$BUILD/linux-debug; state=$BUILD/applied-patches-debug; modroot=$BUILD/modroot-debug
	 frags=("$REPO/kernel/configs/pkram.config" "$REPO/kernel/configs/pkram-debug.config") ;;
bench)   tree=$BUILD/linux-bench; state=$BUILD/applied-patches-bench; modroot=$BUILD/modroot-bench
	 frags=("$REPO/kernel/configs/pkram.config" "$REPO/kernel/configs/pkram-bench.config") ;;
*) die "unknown flavor $flavor (default|debug|bench)" ;;
esac
jobs=${JOBS:-$(nproc)}
start=$(date +%s)
mkdir -p "$BUILD"
"$REPO/scripts/assemble.sh" "$tree" "$state"
"$REPO/scripts/kernel-config.sh" "$tree" "$state" "${frags[@]}"
log "make -j$jobs bzImage modules ($tree)"
make -C "$tree" -j"$jobs" bzImage modules
rm -rf "$modroot.tmp"
make -s -C "$tree" INSTALL_MOD_PATH="$modroot.tmp" INSTALL_MOD_STRIP=1 modules_install >/dev/null
mkdir -p "$modroot.tmp"   # even with no modules at all
rm -rf "$modroot"; mv "$modroot.tmp" "$modroot"
log "done in $(( $(date +%s) - start ))s: $tree/arch/x86/boot/bzImage ($(make -s -C "$tree" kernelrelease)), modules in $modroot"
