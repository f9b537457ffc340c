#!/usr/bin/env python3
"""tracecheck.py TRACE PROGRAM: does an mmio-run --trace text trace show the
NVMe controller initialisation, with symbols from PROGRAM?

Prints one line: "ok ..." or "bad ...", and exits 1 on "bad".
Looked for: the BAR0 map, a read of CAP (0x0), VS (0x8), a write of CC
(0x14), a read of CSTS (0x1c), writes of AQA (0x24), ASQ (0x28), ACQ (0x30)
and of a doorbell (0x1000 and up), in that order of first appearance for
CAP < CC and AQA/ASQ/ACQ < CC enable < doorbell; and instruction addresses
named by a function of PROGRAM.
"""
import re
import sys

LINE = re.compile(r"^\s*[\d.]+\s+\d+\s+\d+\s+([RW])\s+(\d+)\s+(\S+)\s+BAR(\d+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+pc\s+(0x[0-9a-f]+)\s*(.*)$")


def main(path, prog):
    acc = []
    maps = 0
    for line in open(path, errors="replace"):
        if re.search(r"\bmap\b.*\bBAR0\b", line):
            maps += 1
        m = LINE.match(line)
        if m:
            d, w, bdf, bar, off, val, pc, rest = m.groups()
            acc.append((d, int(w), int(bar), int(off, 16), int(val, 16), rest.strip()))
    if not acc:
        print(f"bad: no accesses in the trace ({maps} BAR0 map lines)")
        return 1

    def first(d, off, lo=None):
        for i, a in enumerate(acc):
            if a[0] == d and a[2] == 0 and (a[3] == off if lo is None else a[3] >= lo):
                return i
        return None
    want = {"CAP R 0x0": first("R", 0x0), "VS R 0x8": first("R", 0x8), "CC W 0x14": first("W", 0x14),
            "CSTS R 0x1c": first("R", 0x1c), "AQA W 0x24": first("W", 0x24), "ASQ W 0x28": first("W", 0x28),
            "ACQ W 0x30": first("W", 0x30), "doorbell W 0x1000+": first("W", None, 0x1000)}
    missing = [k for k, v in want.items() if v is None]
    if missing:
        print(f"bad: {len(acc)} accesses, missing: {', '.join(missing)}")
        return 1
    # CC written with EN=1 after the admin queue registers
    en = next((i for i, a in enumerate(acc) if a[0] == "W" and a[3] == 0x14 and a[4] & 1), None)
    order_ok = (en is not None and want["CAP R 0x0"] < en and want["AQA W 0x24"] < en and
                want["ASQ W 0x28"] < en and want["ACQ W 0x30"] < en and en < want["doorbell W 0x1000+"])
    if not order_ok:
        print(f"bad: init order wrong (CC.EN=1 at access {en}, first accesses {want})")
        return 1
    names = {0x0: "CAP", 0x8: "VS", 0xc: "INTMS", 0x10: "INTMC", 0x14: "CC", 0x1c: "CSTS", 0x24: "AQA",
             0x28: "ASQ", 0x30: "ACQ"}

    def name(off):
        if off >= 0x1000:
            i = (off - 0x1000) // 4
            return f"{'SQ' if i % 2 == 0 else 'CQ'}{i // 2}{'TDBL' if i % 2 == 0 else 'HDBL'}"
        return names.get(off, hex(off))
    seq = ", ".join(f"{a[0]}{a[1]} {name(a[3])}={a[4]:#x}" for a in acc[:13])
    syms = [a[5] for a in acc if a[5]]
    prog_syms = sorted({re.sub(r"\+0x[0-9a-f]+", "", s.split(" in ")[0]) for s in syms if (" in " + prog) in s})
    named = [s for s in prog_syms if s and not s.startswith("0x") and s != "?"]
    cap = acc[want["CAP R 0x0"]]
    by_offset = cap[5].startswith(prog + "+0x")
    if not named and by_offset:
        # a stripped program whose debug file (Debian's -dbgsym package)
        # is not installed: the shim names its code by object and offset
        print(f"stripped: init sequence complete ({len(acc)} accesses), CAP read at '{cap[5]}' "
              f"(by offset: {prog} has no symbol table); sequence: {seq}")
        return 3
    if not named:
        print(f"bad: init sequence complete ({len(acc)} accesses) but no instruction is named by a function of {prog}; "
              f"CAP read at: '{cap[5]}'; sequence: {seq}")
        return 1
    print(f"ok: {len(acc)} accesses, {maps} BAR0 map(s); CAP read (width {cap[1]}) value {cap[4]:#x} at '{cap[5]}'; "
          f"VS {acc[want['VS R 0x8']][4]:#x}; CC.EN=1 after AQA/ASQ/ACQ, then doorbells; functions: {', '.join(named[:6])}; "
          f"sequence: {seq}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
