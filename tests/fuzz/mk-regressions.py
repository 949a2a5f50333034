#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the hand-made inputs of tests/fuzz/regressions/ (regressions/README
says what each one is). Each is a whole, small handover (format: README,
"Input format"; mm/pkram/internal.h): a superblock, a one-page range list,
and nodes of one object with one link page, built healthy and then bent in
one place. Metadata pages are sealed by the harness (flag 0x01 clear).

    tests/fuzz/mk-regressions.py [DIR]     (default tests/fuzz/regressions)
    tests/fuzz/mk-regressions.py --healthy FILE   (the unbent handover)
"""
import os
import struct
import sys

PAGE = 4096
MAGIC, VERSION = 0x4d524b50, 3	# PKRAM_FORMAT_VERSION
NODE, OBJ, LINK, RANGES = 1, 2, 3, 4
ENT_INDEX = 1 << 6
DATA_FOLIOS = 1

RAM = (0x100000, 0x1f00000)	# 1 MiB .. 32 MiB: free room above 16 MiB
SB, RL = 0x200000, 0x201000	# the superblock, the range list


def fdt(props):
    """A flattened device tree: a root node with the given properties."""
    strings, struct_ = b'', b''
    struct_ += struct.pack('>I', 1) + b'\0' * 4		# FDT_BEGIN_NODE ""
    for name, val in props:
        off = strings.find(name.encode() + b'\0')
        if off < 0:
            off = len(strings)
            strings += name.encode() + b'\0'
        struct_ += struct.pack('>III', 3, len(val), off)	# FDT_PROP
        struct_ += val + b'\0' * (-len(val) % 4)
    struct_ += struct.pack('>II', 2, 9)		# FDT_END_NODE, FDT_END
    off_rsv = 40
    off_struct = off_rsv + 16
    off_strings = off_struct + len(struct_)
    total = off_strings + len(strings)
    hdr = struct.pack('>10I', 0xd00dfeed, total, off_struct, off_strings,
                      off_rsv, 17, 16, 0, len(strings), len(struct_))
    return hdr + b'\0' * 16 + struct_ + strings


def u64be(*v):
    return b''.join(struct.pack('>Q', x) for x in v)


def meta_hdr(typ, nxt=0):
    return struct.pack('<IIHHIQQ', MAGIC, 0, typ, VERSION, 0, nxt, 0)


class Handover:
    """Pages by address; nodes of one object whose folio stream is one
    link page of order-0 folios."""

    def __init__(self):
        self.pages = {}
        self.nodes = []		# node page addresses, in the superblock
        self.avoid = 0
        self.extra = []		# more pages the range list must cover
        self.rl = [RL]		# the range list's pages, in list order
        self.rl_bare = []	# of them, those no range covers

    def node(self, name, at, folios):
        """Node page at @at, its object at @at + 4K, its link page at
        @at + 8K; @folios: the folios' addresses (order 0)."""
        obj, link = at + PAGE, at + 2 * PAGE
        words = []
        for i, f in enumerate(folios):
            words += [f | ENT_INDEX, i] if not i else [f]
        self.pages[link] = (meta_hdr(LINK) +
                            struct.pack('<II', len(words), 0) +
                            struct.pack('<%dQ' % len(words), *words))
        n = len(folios)
        self.pages[obj] = (meta_hdr(OBJ) +
                           struct.pack('<5QII', link, 0, n, n, 0,
                                       DATA_FOLIOS, 0))
        self.pages[at] = (meta_hdr(NODE) +
                          struct.pack('<6QII', obj, 1, n, n, 0, 3, 0, 0) +
                          name.encode().ljust(64, b'\0'))
        self.nodes.append(at)
        self.extra += folios

    def ranges(self):
        """Every page the handover uses, as maximal runs."""
        used = sorted(set(list(self.pages) + self.extra + [SB] +
                          [p for p in self.rl if p not in self.rl_bare] +
                          ([self.avoid] if self.avoid else [])))
        used = [p for p in used if p not in self.rl_bare]
        runs = []
        for p in used:
            if runs and runs[-1][1] >= p:
                runs[-1][1] = max(runs[-1][1], p + PAGE)
            else:
                runs.append([p, p + PAGE])
        return runs

    def data(self):
        runs = self.ranges()
        # run i in list page i (the last page takes the rest); pages
        # beyond the runs hold none
        per = [[] for _ in self.rl]
        for i, (a, b) in enumerate(runs):
            per[min(i, len(self.rl) - 1)] += [a, (b - a) // PAGE]
        for i, (page, words) in enumerate(zip(self.rl, per)):
            nxt = self.rl[i + 1] if i + 1 < len(self.rl) else 0
            self.pages[page] = (meta_hdr(RANGES, nxt) +
                                struct.pack('<II', len(words), 0) +
                                struct.pack('<%dQ' % len(words), *words))
        props = [('compatible', b'linux,pkram-v%d\0' % VERSION),
                 ('nodes', u64be(*self.nodes)),
                 ('ranges', u64be(RL)),
                 ('nr-ranges', u64be(len(runs))),
                 ('range-pages', u64be(len(self.rl))),
                 ('preserved-pages',
                  u64be(sum((b - a) // PAGE for a, b in runs)))]
        if self.avoid:
            props.append(('avoid', u64be(self.avoid)))
        props.append(('crc', b'\0' * 4))	# the harness seals it
        self.pages[SB] = fdt(props)
        hdr = struct.pack('<BBB5x', 1, 0, 0)
        hdr += ('%#x' % SB).encode().ljust(24, b'\0')
        hdr += struct.pack('<QQ', RAM[0], RAM[1]) + b'\0' * 16 * 7
        hdr += b'\0' * 16 * 8
        assert len(hdr) == 288
        out = hdr
        for phys in [SB] + sorted(p for p in self.pages if p != SB):
            out += struct.pack('<Q', phys) + self.pages[phys].ljust(PAGE, b'\0')
        return out.rstrip(b'\0')	# the harness pads the last record


A, B = 0x202000, 0x206000	# two nodes' pages: node, object, link
FA, FB = 0x205000, 0x209000	# a folio of each


def healthy():
    h = Handover()
    h.node('a', A, [FA])
    h.node('b', B, [FB])
    return h


def avoid_is_folio():
    h = Handover()
    h.node('a', A, [FA])
    h.avoid = FA
    return h


def sb_is_folio():
    h = Handover()
    h.node('a', A, [SB])
    return h


def range_page_is_folio():
    h = Handover()
    h.node('a', A, [RL])
    return h


def folio_twice_in_node():
    h = Handover()
    h.node('a', A, [FA, FA])
    return h


def folio_in_two_nodes():
    h = Handover()
    h.node('a', A, [FA])
    h.node('b', B, [FA])
    return h


def link_page_is_folio():
    h = Handover()
    h.node('a', A, [FA, A + 2 * PAGE])	# its own link page
    return h


def link_page_in_two_nodes():
    h = healthy()
    # node b's object takes node a's link page for its folio stream
    obj = bytearray(h.pages[B + PAGE])
    struct.pack_into('<Q', obj, 32, A + 2 * PAGE)
    h.pages[B + PAGE] = bytes(obj)
    return h


def budget_wraps():
    h = Handover()
    h.node('a', A, [FA])
    link = bytearray(h.pages[A + 2 * PAGE])
    struct.pack_into('<Q', link, 16, A + 2 * PAGE)	# next: itself
    h.pages[A + 2 * PAGE] = bytes(link)
    h.nodes.append(A)		# walked again once the budget is spent
    return h


RL2, RL3 = 0x300000, 0x400000	# more range list pages, ranges of their own


def list_of_three():
    """A range list of three pages, each its own range: the fuzz build
    checks list pages 2 at a time, so the third is checked by
    pkram_check_list_pages()."""
    h = healthy()
    h.rl = [RL, RL2, RL3]
    return h


def third_list_page_bare():
    """The same, but no range covers the third list page (which holds no
    item): nothing may be preserved."""
    h = list_of_three()
    h.rl_bare = [RL3]
    return h


INPUTS = {
    'range-list-of-three-pages': list_of_three,
    'range-list-third-page-not-preserved': third_list_page_bare,
    'avoid-is-healthy-folio': avoid_is_folio,
    'superblock-is-folio': sb_is_folio,
    'range-list-page-is-folio': range_page_is_folio,
    'shared-folio-twice-in-node': folio_twice_in_node,
    'shared-folio-in-two-nodes': folio_in_two_nodes,
    'shared-link-page-is-folio': link_page_is_folio,
    'shared-link-page-in-two-nodes': link_page_in_two_nodes,
    'budget-wraps-on-cycle': budget_wraps,
}


def main():
    if len(sys.argv) == 3 and sys.argv[1] == '--healthy':
        with open(sys.argv[2], 'wb') as f:
            f.write(healthy().data())
        return
    out = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), 'regressions')
    for name, make in INPUTS.items():
        data = make().data()
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)
        print('mk-regressions: %s/%s: %d bytes' % (out, name, len(data)))


main()
