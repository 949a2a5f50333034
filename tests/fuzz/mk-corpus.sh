#!/bin/bash
# Make the fuzz harness's seed corpus from real handovers: boot the test
# kernel (make kernel) with tests/fuzz/seed-guest.sh, which kexecs three
# times with test_pkram action=dumpseed, and turn each handover's
# "pkram-seed:" lines into an input of the harness (format: README).
#   tests/fuzz/mk-corpus.sh [OUTDIR]     (default build/fuzz/corpus)
# Env: FUZZ_KERNEL=BZIMAGE (default build/linux/arch/x86/boot/bzImage).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$REPO/build/fuzz/corpus}
LOG=$REPO/build/fuzz/seed-guest.log
KERNEL=${FUZZ_KERNEL:-$REPO/build/linux/arch/x86/boot/bzImage}
SCRIPT=$REPO/tests/fuzz/seed-guest.sh

[ -f "$KERNEL" ] || { echo "mk-corpus: no $KERNEL (make kernel)" >&2; exit 2; }
mkdir -p "$OUT" "$(dirname "$LOG")"
rm -f "$OUT"/seed*
cd "$REPO"	# --add paths in the script's header are relative to the repo
eval "args=($(sed -n 's/^#[[:space:]]*vmtest-args:[[:space:]]*//p' "$SCRIPT" | tr '\n' ' '))"
echo "mk-corpus: booting $KERNEL with $SCRIPT (log: $LOG)"
if ! "$REPO/tests/vm/vmtest" --kernel "$KERNEL" --idle-timeout 120 "${args[@]}" \
		--log "$LOG" --show '^vmtest:' "$SCRIPT"; then
	echo "mk-corpus: the guest failed, see $LOG" >&2
	exit 1
fi

python3 - "$LOG" "$OUT" <<'PY'
import hashlib, os, re, struct, sys

log, out = sys.argv[1], sys.argv[2]
MAX_RAM, MAX_RSV, RAW_CRC = 8, 8, 0x01
iomem = re.compile(r'pkram-seed-iomem: ([0-9a-f]+)-([0-9a-f]+) : (.*\S)')
line_re = re.compile(r'pkram-seed: (?:begin sb=([0-9a-f]+)|end pages=(\d+)|'
                     r'([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]+))\s*$')
ram, kernel, pages, sb, n, seeds = [], [], None, None, 0, 0

def header(flags):
    h = struct.pack('<BBB5x', min(len(ram), MAX_RAM), min(len(kernel), MAX_RSV), flags)
    h += ('%#x' % sb).encode().ljust(24, b'\0')
    rr = (ram[:MAX_RAM] + [(0, 0)] * MAX_RAM)[:MAX_RAM]
    rk = (kernel[:MAX_RSV] + [(0, 0)] * MAX_RSV)[:MAX_RSV]
    return h + b''.join(struct.pack('<QQ', b, s) for b, s in rr + rk)

for line in open(log, errors='replace'):
    m = iomem.search(line)
    if m:
        a, b = int(m.group(1), 16), int(m.group(2), 16) + 1
        if m.group(3) == 'System RAM':
            ram.append((a, b - a))
        elif kernel:	# code, data and bss: one reservation
            lo = min(a, kernel[0][0])
            kernel = [(lo, max(b, kernel[0][0] + kernel[0][1]) - lo)]
        else:
            kernel = [(a, b - a)]
        continue
    m = line_re.search(line)
    if not m:
        continue
    if m.group(1):
        sb, pages = int(m.group(1), 16), {}
    elif m.group(2) and pages is not None:
        order = [sb] + sorted(p for p in pages if p != sb)
        body = b''.join(struct.pack('<Q', p) + bytes(pages[p]) for p in order)
        # and one with an earlier reservation over a node page, which the
        # parser must refuse as a whole (a seed next to that check)
        node = next((p for p in order if pages[p][8:10] == b'\x01\x00'), None)
        variants = [(0, '', []), (RAW_CRC, '-rawcrc', [])]
        if node is not None:
            variants.append((0, '-rsvnode', [(node, 4096)]))
        for flags, tag, extra in variants:
            kept = kernel
            kernel = kernel + extra
            data = header(flags) + body
            kernel = kept
            n += 1
            name = 'seed%d%s-%d-pages-%s' % (seeds + 1, tag, len(order),
                                             hashlib.sha1(data).hexdigest()[:12])
            with open(os.path.join(out, name), 'wb') as f:
                f.write(data)
            print('mk-corpus: %s/%s: %d pages, %d bytes' % (out, name, len(order), len(data)))
        seeds += 1
        pages, sb, ram, kernel = None, None, [], []
    elif m.group(3) and pages is not None:
        phys, off, data = int(m.group(3), 16), int(m.group(4), 16), bytes.fromhex(m.group(5))
        page = pages.setdefault(phys, bytearray(4096))
        page[off:off + len(data)] = data
if not n:
    sys.exit('mk-corpus: no pkram-seed lines in ' + log)
PY
