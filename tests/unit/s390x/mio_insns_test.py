#!/usr/bin/env python3
"""The mio backend as built: do the functions that issue the PCI MIO
instructions contain them?   mio_insns_test.py LIBMMIOSHIM [OBJDUMP...]

QEMU has no MIO, so the backend cannot run here (its logic is tested with
the instructions stubbed: tests/unit/s390x_native/mio_stub_test.c). This
test disassembles libmmioshim.so with binutils' s390x objdump and checks
that mio_read issues pcilgi (RRE b9d6) and mio_write pcistgi (RRE b9d4) and
pcistbi (RSY eb..d4). Binutils names them where it knows them; 2.40 does
not (it prints .long words), so the instructions are found by walking each
function's bytes with the s390x instruction lengths, and where objdump does
print a mnemonic for one of them it must be the right name.
Exit 0 pass, 1 fail, 77 skip (no s390x objdump)."""
import re
import shutil
import subprocess
import sys

# name -> (matches the instruction bytes, the functions it may be in: the
# backend's, or the wrapper's own when the compiler did not inline it)
WANT = {
    'pcilgi': (lambda b: len(b) == 4 and b[0] == 0xb9 and b[1] == 0xd6, ('mio_read', 'pcilgi')),
    'pcistgi': (lambda b: len(b) == 4 and b[0] == 0xb9 and b[1] == 0xd4, ('mio_write', 'pcistgi')),
    'pcistbi': (lambda b: len(b) == 6 and b[0] == 0xeb and b[5] == 0xd4, ('mio_write', 'pcistbi')),
}


def ilen(b0):
    return 2 if b0 < 0x40 else 4 if b0 < 0xc0 else 6


def disassemble(lib, candidates):
    for exe in candidates:
        if not exe or not shutil.which(exe):
            continue
        r = subprocess.run([exe, '-d', lib], capture_output=True, text=True)
        if r.returncode == 0 and 's390' in r.stdout[:500]:
            return exe, r.stdout
        print('note: %s cannot disassemble %s: %s' % (exe, lib, (r.stderr.strip().splitlines() or ['?'])[-1]))
    return None, None


def functions(text):
    """{name: [(bytes of one objdump line, its mnemonic)]}"""
    funcs = {}
    cur = None
    for line in text.splitlines():
        m = re.match(r'^[0-9a-f]+ <([^>]+)>:$', line)
        if m:
            cur = funcs.setdefault(m.group(1), [])
            continue
        m = re.match(r'^\s*[0-9a-f]+:\t((?:[0-9a-f]{2} )+)\s*\t?(\S*)', line)
        if m and cur is not None:
            cur.append((bytes(int(x, 16) for x in m.group(1).split()), m.group(2)))
    return funcs


def instructions(lines):
    """[(instruction bytes, mnemonic objdump printed for it or None)], by
    the s390x lengths from the function's start (objdump's .long lines
    may split an instruction it does not know)."""
    data = b''
    starts = {}
    for b, mn in lines:
        starts[len(data)] = mn
        data += b
    res = []
    i = 0
    while i < len(data):
        n = ilen(data[i])
        mn = starts.get(i)
        res.append((data[i:i + n], None if mn in (None, '', '.long', '.short', '.byte') else mn))
        i += n
    return res


def main(argv):
    if len(argv) < 2:
        print('usage: mio_insns_test.py LIBMMIOSHIM [OBJDUMP...]')
        return 2
    lib = argv[1]
    exe, text = disassemble(lib, argv[2:] + ['s390x-linux-gnu-objdump'])
    if not text:
        print('SKIP: no objdump that disassembles s390x (Debian: binutils-s390x-linux-gnu)')
        return 77
    ver = subprocess.run([exe, '--version'], capture_output=True, text=True).stdout.splitlines()
    print('disassembler: %s (%s)' % (exe, ver[0] if ver else '?'))
    funcs = functions(text)
    failed = 0
    for name, (match, where) in WANT.items():
        present = [f for f in where if f in funcs]
        if not present:
            print('FAIL %s: none of the functions %s is in %s' % (name, ', '.join(where), lib))
            failed += 1
            continue
        found = [(f, b, mn) for f in present for b, mn in instructions(funcs[f]) if match(b)]
        if not found:
            print('FAIL %s: not in %s' % (name, ', '.join(present)))
            failed += 1
            continue
        for f, b, mn in found:
            if mn is not None and mn != name:
                print('FAIL %s: objdump names %s in %s %s' % (name, mn, f, b.hex()))
                failed += 1
            else:
                print('ok   %s in %s: %s (%s)' % (name, f, b.hex(), 'named by objdump' if mn else
                                                  'this objdump prints no mnemonic for it'))
    if failed:
        print('FAIL: %d problem(s)' % failed)
        return 1
    print('PASS')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
