#!/usr/bin/env python3
"""Tracing, statistics and mmio-run tests (issue 4): test drivers traced
under mmio-run against the simulated `regs` device, the traces parsed here
(text split into words, mmiotrace by a small parser of its own, jsonl with
json.loads) and checked field by field against the simulator's access log.
    trace_test.py NAME | --list
Exit 0 pass, 1 fail (with what differed), 77 skip.  No check depends on
timing."""
import hashlib
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True      # keep the source tree clean
HERE = os.path.dirname(os.path.abspath(__file__))
DRIVERS = os.path.join(os.path.dirname(HERE), 'drivers')
sys.path.insert(0, DRIVERS)
import harness  # noqa: E402
from harness import (ARCH, BDF, BIG_ENDIAN, BUILD_ROOT, EXTRA_CFLAGS, EXTRA_LDFLAGS, CFLAGS,  # noqa: E402
                     Checker, Fail, Skip, _cc_version, _run, compilers, guest, mmio_run_argv, parse_log,
                     run_main)

CACHE = os.path.join(BUILD_ROOT, 'tests', 'trace', 'bin')
BDF_B = '0000:00:02.0'
TESTS = {}

# The device is little-endian: the value of an access (in the simulator's
# log and in every trace format) is its bytes read as a little-endian number,
# on every architecture. The drivers use plain loads and stores, which use
# the CPU's byte order.
CPU_ORDER = 'big' if BIG_ENDIAN else 'little'


def stored(v, width):
    """The device value (log, trace) of a plain `width`-byte store of v."""
    return int.from_bytes(v.to_bytes(width, CPU_ORDER), 'little')


def loaded(dev, width):
    """What a plain `width`-byte load gives the driver when the device's
    bytes have the (little-endian) value dev."""
    return int.from_bytes(dev.to_bytes(width, 'little'), CPU_ORDER)


# How trapped BARs reach the device with MMIOSHIM_BACKEND=auto: on x86_64
# BAR0 (which the kernel cannot map) through the region, BAR2 (mapped by the
# kernel, trapped for the trace) through the CPU (`direct`); on s390x the
# simulator lets the kernel map BAR0 and BAR2, and every BAR is trapped and
# reached with the PCI MMIO system calls (`syscall`).
AUTO_BACKEND = {'s390x': {0: 'syscall', 2: 'syscall'}}.get(ARCH, {0: 'region', 2: 'direct'})


def test(fn):
    TESTS[fn.__name__] = fn
    return fn


# ---------------------------------------------------------------- building

def build_set(cc, opt):
    """(driver, dlopen library) built with compiler cc at -O<opt>: the driver
    links against libtracelib.so (found through its rpath)."""
    name, cmd = cc
    flags = CFLAGS + EXTRA_CFLAGS + ['-O' + opt]
    h = hashlib.sha256()
    h.update((_cc_version(cmd) + ' '.join(cmd + flags + EXTRA_LDFLAGS)).encode())
    srcs = [os.path.join(HERE, f) for f in ('trace_drv.c', 'trace_lib.c', 'trace_dl.c')] + \
        [os.path.join(DRIVERS, f) for f in ('vfio_drv.c', 'vfio_drv.h')]
    for f in srcs:
        with open(f, 'rb') as fp:
            h.update(f.encode() + b'\0' + fp.read())
    d = os.path.join(CACHE, '%s-O%s-%s' % (name, opt, h.hexdigest()[:12]))
    drv, dl = os.path.join(d, 'trace_drv'), os.path.join(d, 'libtracedl.so')
    if os.path.exists(drv):
        return drv, dl
    tmp = '%s.tmp%d' % (d, os.getpid())
    os.makedirs(tmp, exist_ok=True)
    steps = [
        cmd + flags + ['-fPIC', '-shared', '-o', os.path.join(tmp, 'libtracelib.so'),
                       os.path.join(HERE, 'trace_lib.c')] + EXTRA_LDFLAGS,
        cmd + flags + ['-fPIC', '-shared', '-o', os.path.join(tmp, 'libtracedl.so'),
                       os.path.join(HERE, 'trace_dl.c')] + EXTRA_LDFLAGS,
        cmd + flags + ['-I', DRIVERS, '-o', os.path.join(tmp, 'trace_drv'), os.path.join(HERE, 'trace_drv.c'),
                       os.path.join(DRIVERS, 'vfio_drv.c'), '-L', tmp, '-ltracelib',
                       '-Wl,-rpath,' + d, '-ldl'] + EXTRA_LDFLAGS,
    ]
    for line in steps:
        r = subprocess.run(line, capture_output=True, text=True)
        if r.returncode != 0:
            raise Fail('compiling failed:\n$ %s\n%s' % (' '.join(line), r.stderr))
    try:
        os.rename(tmp, d)
    except OSError:        # built meanwhile by a test running in parallel
        subprocess.run(['rm', '-rf', tmp])
    return drv, dl


def variants(levels=('0', '2')):
    """[(label, driver, dlopen library)] for every compiler and level."""
    return [('%s -O%s' % (cc[0], opt),) + build_set(cc, opt) for cc in compilers() for opt in levels]


def one():
    """The first working compiler at -O2."""
    return variants(('2',))[0]


# ---------------------------------------------------------------- running

class Traced:
    """One run under mmio-run with a trace file."""

    def __init__(self, res, trace_text):
        self.res = res
        self.text = trace_text
        self.lines = trace_text.split('\n')
        if self.lines and self.lines[-1] == '':
            self.lines.pop()
        self.log = parse_log(res.log)


def run(prog, args=(), opts=(), env=None, fmt=None, sims=('regs',), tracefile=True, timeout=120, wrap=None):
    """[wrap] mmio-run --sim ... [--trace=FILE --format FMT] opts -- prog args."""
    harness.require_shim()
    harness.require_sim()
    with tempfile.TemporaryDirectory(prefix='mmiotrace-') as d:
        path = os.path.join(d, 'trace')
        argv = (wrap or []) + mmio_run_argv()
        for s in sims:
            argv += ['--sim', s]
        if tracefile:
            argv += ['--trace=' + path]
        if fmt:
            argv += ['--format', fmt]
        argv += list(opts) + ['--'] + guest(prog) + list(args)
        res = _run(argv, dict(env or {}), timeout)
        text = ''
        if os.path.exists(path):
            with open(path, encoding='utf-8', errors='replace') as f:
                text = f.read()
    return Traced(res, text)


def run_bytes(prog, args, fmt):
    """mmio-run --sim regs --trace=FILE --format FMT -- prog args: the
    trace file's bytes, undecoded, and the run's Result."""
    with tempfile.TemporaryDirectory(prefix='mmiotrace-') as d:
        path = os.path.join(d, 'trace')
        res = _run(mmio_run_argv() + ['--sim', 'regs', '--trace=' + path, '--format', fmt, '--'] + guest(prog)
                   + list(args), {}, 120)
        raw = b''
        if os.path.exists(path):
            with open(path, 'rb') as f:
                raw = f.read()
    return raw, res


def resource(drv, bdf=BDF):
    """[(start, end, flags)] of the simulated sysfs resource file."""
    r = _run(guest(drv) + ['resource', bdf], {'LD_PRELOAD': harness.LIBMMIOSIM, 'MMIOSIM_DEVICES': 'regs@' + bdf},
             60)
    if r.status != 0:
        raise Fail('reading the simulated resource file failed\n' + r.describe())
    return [tuple(int(x, 16) for x in l.split()) for l in r.out.splitlines() if l.startswith('0x')]


# ---------------------------------------------------------------- parsers

def parse_text(lines):
    """Access dicts and event dicts of a text trace; Fail on a line that is
    neither, or an event line with a lone R or W word. An event's words
    are those after the time, pid and tid."""
    acc, ev = [], []
    for l in lines:
        w = l.split()
        if (len(w) < 4 or not re.fullmatch(r'\d+\.\d{6}', w[0]) or not w[1].isdigit()
                or not w[2].isdigit()):
            raise Fail('text trace: malformed line %r' % l)
        t, pid, tid, w = float(w[0]), int(w[1]), int(w[2]), w[3:]
        if w[0] in ('R', 'W'):
            # t pid tid DIR WIDTH BDF BARn OFFSET VALUE pc PC SYM...
            if len(w) < 9 or not w[3].startswith('BAR') or w[6] != 'pc':
                raise Fail('text trace: malformed access line %r' % l)
            try:
                a = dict(t=t, pid=pid, tid=tid, dir=w[0], width=int(w[1]), bdf=w[2], bar=int(w[3][3:]),
                         offset=int(w[4], 16), value=int(w[5], 16), pc=int(w[7], 16), sym=' '.join(w[8:]))
            except ValueError as e:
                raise Fail('text trace: malformed access line %r' % l) from e
            if not w[5].startswith('0x') or len(w[5]) != 2 + 2 * a['width']:
                raise Fail('text trace: value %r of %r is not 0x and 2*width digits' % (w[5], l))
            acc.append(a)
        else:
            if 'R' in w or 'W' in w:
                raise Fail('text trace: event line with a lone R or W word: %r' % l)
            if w[0] not in ('map', 'unmap', 'mark'):
                raise Fail('text trace: unknown event %r in %r' % (w[0], l))
            ev.append(dict(event=w[0], t=t, pid=pid, tid=tid, words=w, line=l))
    return acc, ev


MMIO_NUM = r'(?:0x[0-9a-fA-F]+|\d+)'


def _num(s):
    return int(s, 16) if s.lower().startswith('0x') else int(s, 10)


def parse_mmiotrace(lines, resources):
    """An independent reader of the Linux mmiotrace text format
    (Documentation/trace/mmiotrace.rst). resources: {bdf: [(start, end,
    flags)]}. Returns (accesses with bdf/bar/offset recovered from the
    physical address, events)."""
    if not lines or lines[0].split() != ['VERSION', '20070824']:
        raise Fail('mmiotrace: first line is %r, not VERSION 20070824' % (lines[0] if lines else '(empty)'))
    pcidev = {}            # (bus, devfn) -> True
    maps = {}              # map id -> phys
    acc, ev = [], []
    for l in lines[1:]:
        w = l.split()
        if not w:
            raise Fail('mmiotrace: empty line')
        kind = w[0]
        if kind == 'PCIDEV':
            # PCIDEV bbdd vvvvdddd irq start*7 len*7 [driver]
            if len(w) < 18:
                raise Fail('mmiotrace: short PCIDEV line %r' % l)
            busdevfn, ids = int(w[1], 16), int(w[2], 16)
            starts = [int(x, 16) for x in w[4:11]]
            lens = [int(x, 16) for x in w[11:18]]
            pcidev[busdevfn] = dict(vendor=ids >> 16, device=ids & 0xffff, starts=starts, lens=lens)
            ev.append(dict(event='pcidev', busdevfn=busdevfn, line=l))
        elif kind == 'MAP':
            # MAP secs.usecs id phys virt len pc pid
            if len(w) != 8 or not re.fullmatch(r'\d+\.\d{6}', w[1]):
                raise Fail('mmiotrace: malformed MAP line %r' % l)
            phys = _num(w[3])
            owner = [b for b, rs in resources.items() for i, r in enumerate(rs) if r[0] and r[0] <= phys <= r[1]]
            if not owner:
                raise Fail('mmiotrace: MAP at 0x%x lies in no BAR of %s' % (phys, sorted(resources)))
            dom, bus, dev, fn = re.fullmatch(r'([0-9a-f]+):([0-9a-f]+):([0-9a-f]+)\.([0-9a-f])', owner[0]).groups()
            key = (int(bus, 16) << 8) | (int(dev, 16) << 3) | int(fn, 16)
            if key not in pcidev:
                raise Fail('mmiotrace: MAP line %r before a PCIDEV line of %s' % (l, owner[0]))
            maps[int(w[2])] = phys
            ev.append(dict(event='map', id=int(w[2]), phys=phys, len=_num(w[5]), pid=int(w[7]), line=l))
        elif kind == 'UNMAP':
            if len(w) != 5:
                raise Fail('mmiotrace: malformed UNMAP line %r' % l)
            ev.append(dict(event='unmap', id=int(w[2]), line=l))
        elif kind == 'MARK':
            if len(w) < 2 or not re.fullmatch(r'\d+\.\d{6}', w[1]):
                raise Fail('mmiotrace: malformed MARK line %r' % l)
            ev.append(dict(event='mark', text=l.split(' ', 2)[2] if len(w) > 2 else '', line=l))
        elif kind in ('R', 'W'):
            # R width secs.usecs map_id phys value pc pid
            if len(w) != 8 or not re.fullmatch(r'\d+\.\d{6}', w[2]):
                raise Fail('mmiotrace: malformed %s line %r' % (kind, l))
            width, mid, phys, value, pc, pid = int(w[1]), int(w[3]), _num(w[4]), _num(w[5]), _num(w[6]), int(w[7])
            if mid not in maps:
                raise Fail('mmiotrace: access of map id %d before its MAP line: %r' % (mid, l))
            found = [(b, i, phys - r[0]) for b, rs in resources.items() for i, r in enumerate(rs)
                     if r[0] and r[0] <= phys <= r[1]]
            if len(found) != 1:
                raise Fail('mmiotrace: physical address 0x%x of %r is in %d BARs' % (phys, l, len(found)))
            bdf, bar, off = found[0]
            acc.append(dict(dir=kind, width=width, bdf=bdf, bar=bar, offset=off, value=value, pc=pc, tid=pid))
        else:
            raise Fail('mmiotrace: unknown line %r' % l)
    return acc, ev


ACCESS_KEYS = {'t', 'pid', 'tid', 'dir', 'width', 'bdf', 'bar', 'offset', 'value', 'pc', 'sym'}


def parse_jsonl(lines):
    acc, ev = [], []
    for l in lines:
        try:
            o = json.loads(l)
        except ValueError as e:
            raise Fail('jsonl: not JSON: %r (%s)' % (l, e)) from e
        if not isinstance(o, dict):
            raise Fail('jsonl: not an object: %r' % l)
        if (not isinstance(o.get('t'), (int, float)) or not isinstance(o.get('pid'), int)
                or not isinstance(o.get('tid'), int)):
            raise Fail('jsonl: t, pid or tid missing or not a number: %r' % l)
        if 'dir' in o:
            missing = ACCESS_KEYS - set(o)
            if missing or 'event' in o:
                raise Fail('jsonl: access %r lacks %s or has event' % (l, sorted(missing)))
            for k in ('width', 'bar', 'offset', 'value', 'pc'):
                if type(o[k]) is not int:
                    raise Fail('jsonl: %s is %r (%s), not an integer: %r' % (k, o[k], type(o[k]).__name__, l))
            if o['dir'] not in ('R', 'W'):
                raise Fail('jsonl: dir %r' % o['dir'])
            acc.append(o)
        else:
            if o.get('event') not in ('map', 'unmap', 'mark'):
                raise Fail('jsonl: a line with neither dir nor a known event: %r' % l)
            ev.append(o)
    return acc, ev


def parse(fmt, lines, resources=None):
    if fmt == 'text':
        return parse_text(lines)
    if fmt == 'mmiotrace':
        return parse_mmiotrace(lines, resources)
    return parse_jsonl(lines)


def key(a):
    return (a['offset'], a['width'], a['dir'], a['value'])


def log_keys(log):
    return [(off, width, d, value) for (_, bar, off, width, d, value, _) in log]


def show(l):
    return ' '.join(str(x) if not isinstance(x, int) or x < 10 else hex(x) for x in l)


def compare_to_log(chk, label, acc, log, bdf=BDF, bar=0):
    """The accesses to BAR0 (of any device: one log) equal the simulator's
    log lines in number, order, offset, width, direction and value."""
    got = [key(a) for a in acc if a['bar'] == bar]
    want = log_keys(log)
    d = harness.first_difference([show(x) for x in want], [show(x) for x in got], 'device log', 'trace')
    if d:
        chk.fail(label, 'trace differs from the device log: ' + d)
        return False
    bad = [a for a in acc if a['bar'] == bar and a['bdf'] not in (bdf, BDF_B)]
    if bad:
        chk.fail(label, 'accesses with a wrong device: %r' % bad[:3])
        return False
    return True


def require_ok(res, what):
    if res.status != 0:
        raise Fail('%s: status %d\n%s' % (what, res.status, res.describe()))


SCRATCH64_VALUE = 0xfedcba9876543210      # what the basic scenario stores in SCRATCH64
SCRATCH64_DEV = stored(SCRATCH64_VALUE, 8)  # its device value (x86_64: the same; s390x: 0x1032547698badcfe)


def basic_out():
    """The basic scenario's output (trace_drv.c basic()): the device's
    registers as the driver's plain loads see them on this CPU (x86_64: 'ID
    0x4d4d494f', 'COUNTER 1'; s390x: 'ID 0x4f494d4d', 'COUNTER 16777216')."""
    status = stored(0x5, 4) & ~stored(0x1, 4)   # STATUS_SET 0x5, then STATUS write-1-to-clear 0x1
    # BYTES: 0xab at +0, 0xbeef at +2, 0x01020304 at +4; byte +1 never written (0)
    bytes64 = stored(0xab, 1) | stored(0xbeef, 2) << 16 | stored(0x01020304, 4) << 32
    return (['ID 0x%x' % loaded(0x4d4d494f, 4), 'VERSION 0x%x' % loaded(0x00010000, 4),
             'SCRATCH 0x%x' % loaded(stored(0x12345678, 4), 4), 'SCRATCH64 0x%x' % loaded(SCRATCH64_DEV, 8),
             # 32-bit loads of SCRATCH64's lower (+0) and upper (+4) address
             'SCRATCH64.lo 0x%x' % loaded(SCRATCH64_DEV & 0xffffffff, 4),
             'SCRATCH64.hi 0x%x' % loaded(SCRATCH64_DEV >> 32, 4)]
            + ['COUNTER %u' % loaded(n, 4) for n in (1, 2, 3)]
            + ['STATUS 0x%x' % loaded(status, 4), 'BYTES8 0x%x' % loaded(bytes64 & 0xff, 1),
               'BYTES16 0x%x' % loaded((bytes64 >> 16) & 0xffff, 2), 'BYTES64 0x%x' % loaded(bytes64, 8),
               'STRICT32.16 0x%x' % loaded(0xffff, 2)])      # rejected: all ones


BASIC_OUT = basic_out()


def traced_format(fmt, scenario=('basic',), levels=('0', '2'), extra=None):
    """The driver traced in format fmt, every compiler and level, against
    the device log; extra(chk, label, traced, acc, ev) adds checks."""
    chk = Checker()
    for label, drv, dl in variants(levels):
        res = resource(drv) if fmt == 'mmiotrace' else None
        t = run(drv, scenario, fmt=fmt)
        if t.res.status != 0:
            chk.fail(label, 'driver failed\n' + t.res.describe())
            continue
        try:
            acc, ev = parse(fmt, t.lines, {BDF: res} if res else None)
        except Fail as e:
            chk.fail(label, '%s\n  trace:\n    %s' % (e, '\n    '.join(t.lines[:40])))
            continue
        if not t.log:
            chk.fail(label, 'the simulator wrote no log\n' + t.res.describe())
            continue
        good = compare_to_log(chk, label, acc, t.log)
        if good and extra:
            good = extra(chk, label, t, acc, ev) is not False
        if good:
            chk.ok(label, '(%d accesses, %d events, all equal to the device log)' % (len(acc), len(ev)))
    chk.report()


def basic_extra(fmt):
    def extra(chk, label, t, acc, ev):
        out = [l for l in t.res.out.splitlines() if not l.startswith('api ')]
        if not chk.check(out == BASIC_OUT, label, 'driver output %r, expected %r' % (out, BASIC_OUT)):
            return False
        sixty4 = [a for a in acc if a['offset'] == 0x10 and a['width'] == 8]
        if not chk.check(len(sixty4) == 2 and all(a['value'] == SCRATCH64_DEV for a in sixty4), label,
                         'SCRATCH64 accesses are not exactly 0x%x: %r' % (SCRATCH64_DEV, sixty4)):
            return False
        if not chk.check(all(a['bdf'] == BDF for a in acc), label, 'device field: %r' % {a['bdf'] for a in acc}):
            return False
        pids = {a['tid'] for a in acc}
        if not chk.check(len(pids) == 1, label, 'one thread, but tids %r' % pids):
            return False
        marks = [e for e in ev if e.get('event') == 'mark']
        if not chk.check(len(marks) == 2, label, 'expected 2 mark lines, got %r' % marks):
            return False
        maps = [e for e in ev if e.get('event') == 'map']
        if not chk.check(len(maps) == 1, label, 'expected one map event, got %r' % maps):
            return False
        if fmt != 'mmiotrace':
            nosym = [a for a in acc if not a['sym'] or a['sym'] in ('?', None)]
            if not chk.check(not nosym, label, '%d accesses without a symbol, e.g. %r' % (len(nosym), nosym[:2])):
                return False
        return True
    return extra


# ---------------------------------------------------------------- formats

@test
def trace_text_every_access_matches_device_log_fields_and_order():
    traced_format('text', extra=basic_extra('text'))


@test
def trace_mmiotrace_parsed_independently_matches_device_log():
    def extra(chk, label, t, acc, ev):
        if not basic_extra('mmiotrace')(chk, label, t, acc, ev):
            return False
        kinds = [e['event'] for e in ev]
        if not chk.check(kinds and kinds[0] == 'pcidev', label, 'events %r: PCIDEV is not first' % kinds):
            return False
        pd = ev[0]['line'].split()
        if not chk.check(pd[1] == '0008' and pd[2] == '1b364d49', label, 'PCIDEV bus/devfn, ids: %r' % pd):
            return False
        pid = [e for e in ev if e['event'] == 'map'][0]['pid']
        return chk.check(all(a['tid'] == pid for a in acc), label, 'pid field of R/W lines is not the thread id')
    traced_format('mmiotrace', extra=extra)


@test
def trace_jsonl_parsed_as_json_matches_device_log_64bit_exact():
    def extra(chk, label, t, acc, ev):
        if not basic_extra('jsonl')(chk, label, t, acc, ev):
            return False
        for e in ev:
            if e['event'] in ('map', 'unmap') and 'dir' in e:
                chk.fail(label, 'map/unmap event with dir: %r' % e)
                return False
        # a 64-bit value no double holds exactly (x86_64: 18364758544493064720)
        raw = [l for l in t.lines if '"offset": 16' in l and '"width": 8' in l]
        assert float(SCRATCH64_DEV) != SCRATCH64_DEV
        return chk.check(raw and all('"value": %d' % SCRATCH64_DEV in l for l in raw), label,
                         'SCRATCH64 value not written as the exact integer %d: %r' % (SCRATCH64_DEV, raw))
    traced_format('jsonl', extra=extra)


@test
def trace_block_copy_appears_as_the_device_pieces_all_formats():
    chk = Checker()
    for label, drv, dl in variants():
        res = resource(drv)
        for fmt in ('text', 'mmiotrace', 'jsonl'):
            t = run(drv, ['copy'], fmt=fmt)
            if t.res.status != 0 or 'copy same' not in t.res.out:
                chk.fail(label + ' ' + fmt, 'driver failed\n' + t.res.describe())
                continue
            acc, ev = parse(fmt, t.lines, {BDF: res})
            if compare_to_log(chk, label + ' ' + fmt, acc, t.log):
                chk.ok(label + ' ' + fmt, '(%d accesses)' % len(acc))
    chk.report()


@test
def trace_text_map_unmap_mark_lines_have_no_lone_r_or_w():
    chk = Checker()
    label, drv, dl = one()
    t = run(drv, ['marks'], fmt='text')
    require_ok(t.res, 'marks driver')
    # t pid tid WORD ...
    events = [l for l in t.lines if len(l.split()) > 3 and l.split()[3] not in ('R', 'W')]
    lone = [l for l in events if set(l.split()) & {'R', 'W'}]
    chk.check(not lone, label, 'event lines with a lone R or W word (a reader takes them for accesses):\n    '
              + '\n    '.join(lone))
    # every line is either an access or a known event; the accesses are the device's
    forged = [l for l in t.lines if len(l.split()) < 4 or l.split()[3] not in ('R', 'W', 'map', 'unmap', 'mark')]
    chk.check(not forged, label, 'lines that are neither access nor event (a mark split over lines?):\n    '
              + '\n    '.join(forged))
    acc = [l.split() for l in t.lines if len(l.split()) > 3 and l.split()[3] in ('R', 'W')]
    chk.check(len(acc) == len(t.log), label, '%d access lines in the trace, %d in the device log:\n    %s'
              % (len(acc), len(t.log), '\n    '.join(t.lines)))
    if not chk.failures:
        chk.ok(label)
    chk.report()


@test
def trace_mark_from_dlsym_appears_as_mark_lines_all_formats():
    chk = Checker()
    label, drv, dl = one()
    texts = ['first mark', 'W', 'R done', 'two\nR 4 0000:00:01.0 BAR0 0x8 0x00000002',
             'quote " backslash \\ tab \t end']
    for fmt in ('text', 'mmiotrace', 'jsonl'):
        t = run(drv, ['marks'], fmt=fmt)
        require_ok(t.res, 'marks driver')
        lab = label + ' ' + fmt
        chk.check('api mark found active found' in t.res.out, lab, 'dlsym(RTLD_DEFAULT) did not find the API:\n'
                  + t.res.out)
        chk.check('active before map 0' in t.res.out and 'active after map 1' in t.res.out, lab,
                  'mmioshim_active before/after the first trapped mapping:\n' + t.res.out)
        if fmt == 'jsonl':
            acc, ev = parse_jsonl(t.lines)
            got = [e.get('text') for e in ev if e['event'] == 'mark']
            chk.check(got == texts, lab, 'mark texts %r, expected %r' % (got, texts))
        else:
            word = 'MARK' if fmt == 'mmiotrace' else 'mark'
            pos = 0 if fmt == 'mmiotrace' else 3
            marks = [l for l in t.lines if len(l.split()) > pos and l.split()[pos] == word]
            chk.check(len(marks) == len(texts), lab, '%d %s lines for %d marks:\n    %s'
                      % (len(marks), word, len(texts), '\n    '.join(t.lines)))
            chk.check(marks and marks[0].split()[-2:] == ['first', 'mark'], lab, 'first mark line %r' % marks[:1])
            # a mark is one line: nothing of its text may read as an access
            try:
                acc, ev = parse(fmt, t.lines, {BDF: resource(drv)} if fmt == 'mmiotrace' else None)
                chk.check([key(a) for a in acc] == log_keys(t.log), lab,
                          'the accesses read from the trace are not the device log\'s (a forged line?)\n    '
                          + '\n    '.join(t.lines))
            except Fail as e:
                chk.fail(lab, str(e))
        if not [f for f in chk.failures if lab in f]:
            chk.ok(lab)
    chk.report()


# ---------------------------------------------------------------- symbols

@test
def trace_symbols_resolved_in_executable_shared_library_and_dlopened_library():
    chk = Checker()
    want = [(0xe0e0e0e0, 'exe_touch', 'trace_drv'), (0x1b1b1b1b, 'tracelib_touch', 'libtracelib.so'),
            (0xd1d1d1d1, 'tracedl_touch', 'libtracedl.so')]
    for label, drv, dl in variants():
        for fmt in ('text', 'jsonl'):
            lab = '%s %s' % (label, fmt)
            t = run(drv, ['symbols', dl], fmt=fmt)
            if t.res.status != 0:
                chk.fail(lab, 'driver failed\n' + t.res.describe())
                continue
            acc, ev = parse(fmt, t.lines)
            good = compare_to_log(chk, lab, acc, t.log)
            raw = {}
            if fmt == 'jsonl':
                raw = {(a['value'], a['dir']): a for a in acc}
            for value, fn, obj in want:
                for d in ('W', 'R'):
                    hit = [a for a in acc if a['value'] == stored(value, 4) and a['dir'] == d]
                    if len(hit) != 1:
                        good = chk.check(False, lab, '%s of 0x%x: %d accesses in the trace' % (d, value, len(hit)))
                        continue
                    sym = hit[0]['sym']
                    if fmt == 'text':
                        ok = sym is not None and re.fullmatch(r'%s\+0x[0-9a-f]+ in %s' % (fn, re.escape(obj)), sym)
                    else:
                        a = raw[(stored(value, 4), d)]
                        ok = (isinstance(sym, str) and re.fullmatch(r'%s\+0x[0-9a-f]+' % fn, sym)
                              and a.get('obj', obj) == obj)
                        if ok and 'obj' not in a:
                            ok = True
                    good &= chk.check(ok, lab, '%s of 0x%x at pc 0x%x: symbol %r, expected %s+0x.. in %s'
                                      % (d, value, hit[0]['pc'], sym, fn, obj))
            if good:
                chk.ok(lab, '(exe, linked library and dlopened library resolved)')
    chk.report()


@test
def trace_symbols_resolved_in_library_dlopened_by_relative_path():
    chk = Checker()
    label, drv, dl = one()
    rel = os.path.relpath(dl)
    if not rel.startswith('.'):
        rel = './' + rel
    for fmt in ('text', 'jsonl'):
        lab = '%s %s dlopen(%r)' % (label, fmt, rel)
        t = run(drv, ['symbols', rel], fmt=fmt)
        require_ok(t.res, 'symbols')
        acc, ev = parse(fmt, t.lines)
        hit = [a for a in acc if a['value'] == stored(0xd1d1d1d1, 4)]
        ok = len(hit) == 2 and all(isinstance(a['sym'], str) and a['sym'].startswith('tracedl_touch+') for a in hit)
        if chk.check(ok, lab, 'accesses in the library dlopened by a relative path: %r'
                     % [(a['dir'], hex(a['pc']), a['sym']) for a in hit]):
            chk.ok(lab)
    chk.report()


def binutil(cc, tool):
    """The binutils program `tool` that goes with compiler cc (the cross
    one for s390x)."""
    r = subprocess.run(cc[1] + ['-print-prog-name=' + tool], capture_output=True, text=True)
    p = r.stdout.strip()
    return p if r.returncode == 0 and os.path.isabs(p) and os.access(p, os.X_OK) else tool


def build_id(path):
    r = subprocess.run(['readelf', '-n', path], capture_output=True, text=True)
    m = re.search(r'Build ID: ([0-9a-f]+)', r.stdout)
    return m.group(1) if m else None


@test
def trace_symbols_of_stripped_executable_from_its_separate_debug_file():
    """Distributions strip their programs and ship the symbols in separate
    debug files (Debian's -dbgsym packages). A stripped driver is named by
    object and offset; with its debug file found as gdb finds it (through
    .gnu_debuglink beside it or in .debug/, CRC-checked; or by build ID under
    /usr/lib/debug/.build-id) its functions are named again; a debug file
    whose CRC does not match the link is not used."""
    chk = Checker()
    cc = compilers()[0]
    label, drv, dl = one()
    other = [v for v in variants(('0',)) if v[1] != drv][0][1]     # another build
    objcopy, strip = binutil(cc, 'objcopy'), binutil(cc, 'strip')
    value = stored(0xe0e0e0e0, 4)

    def exe_syms(d, fmt='text', wrap=None):
        t = run(os.path.join(d, 'trace_drv'), ['symbols', dl], fmt=fmt, wrap=wrap)
        require_ok(t.res, 'stripped symbols')
        acc, ev = parse(fmt, t.lines)
        return [a['sym'] for a in acc if a['value'] == value]

    def tool(*argv):
        r = subprocess.run(argv, capture_output=True, text=True)
        if r.returncode:
            raise Fail('$ %s\n%s' % (' '.join(argv), r.stderr))

    named = re.compile(r'exe_touch\+0x[0-9a-f]+ in trace_drv')
    by_offset = re.compile(r'trace_drv\+0x[0-9a-f]+')
    with tempfile.TemporaryDirectory(prefix='mmiodbg-') as top:
        def case(name, layout, want, wrap=None):
            d = os.path.join(top, name)
            os.makedirs(d)
            exe = os.path.join(d, 'trace_drv')
            tool(objcopy, '--only-keep-debug', drv, exe + '.full')
            tool(strip, '--strip-all', '-o', exe, drv)
            tool(objcopy, '--add-gnu-debuglink=' + exe + '.full', exe)   # the link names trace_drv.full
            layout(d, exe)
            syms = exe_syms(d, wrap=wrap(d) if wrap else None)
            lab = '%s %s' % (label, name)
            if chk.check(len(syms) == 2 and all(want.fullmatch(x) for x in syms), lab,
                         'the accesses of exe_touch are described as %r, expected %s' % (syms, want.pattern)):
                chk.ok(lab, syms[0])

        def none(d, exe):
            os.unlink(exe + '.full')

        def beside(d, exe):
            pass

        def dot_debug(d, exe):
            os.makedirs(os.path.join(d, '.debug'))
            os.rename(exe + '.full', os.path.join(d, '.debug', 'trace_drv.full'))

        def wrong_crc(d, exe):
            tool(objcopy, '--only-keep-debug', other, exe + '.full')

        case('stripped, no debug file', none, by_offset)
        case('debuglink beside it', beside, named)
        case('debuglink in .debug/', dot_debug, named)
        case('debuglink with another build\'s file (CRC differs)', wrong_crc, by_offset)

        # by build ID: /usr/lib/debug replaced in a private mount namespace
        bid = build_id(drv)
        if not bid:
            print('note: %s has no build ID: the build-ID case is not run' % drv)
        elif os.geteuid() != 0 or not shutil.which('unshare') or not os.path.isdir('/usr/lib/debug'):
            print('note: the build-ID case needs root, unshare and /usr/lib/debug: not run')
        else:
            def by_build_id(d, exe):
                b = os.path.join(d, 'debugroot', '.build-id', bid[:2])
                os.makedirs(b)
                os.rename(exe + '.full', os.path.join(b, bid[2:] + '.debug'))

            def in_namespace(d):
                return ['unshare', '-m', 'sh', '-c', 'mount --make-rprivate / && mount --bind "$0" /usr/lib/debug'
                        ' && exec "$@"', os.path.join(d, 'debugroot')]
            case('build ID under /usr/lib/debug', by_build_id, named, wrap=in_namespace)
    chk.report()


# ---------------------------------------------------------------- crashes

def crash_test(how, sig):
    chk = Checker()
    for label, drv, dl in variants():
        for fmt in ('text', 'mmiotrace', 'jsonl'):
            lab = '%s %s' % (label, fmt)
            t = run(drv, ['crash', how], fmt=fmt)
            if not chk.check(t.res.status == 128 + sig, lab, 'status %d, expected %d (128+%d)\n%s'
                             % (t.res.status, 128 + sig, sig, t.res.describe())):
                continue
            try:
                acc, ev = parse(fmt, t.lines, {BDF: resource(drv)} if fmt == 'mmiotrace' else None)
            except Fail as e:
                chk.fail(lab, str(e))
                continue
            last = [key(a) for a in acc][-1:]
            if (chk.check(last == [(0x8, 4, 'W', stored(0xdeadbeef, 4))], lab, 'the last access in the trace is %r, '
                          'not the write of 0xdeadbeef (device value 0x%x) just before the crash:\n    %s'
                          % (last, stored(0xdeadbeef, 4), '\n    '.join(t.lines)))
                    and compare_to_log(chk, lab, acc, t.log)):
                chk.ok(lab, '(the access before the crash is the last line)')
    chk.report()


@test
def trace_keeps_access_right_before_abort():
    crash_test('abort', signal.SIGABRT)


@test
def trace_keeps_access_right_before_null_dereference():
    crash_test('segv', signal.SIGSEGV)


# ---------------------------------------------------------------- threads

def threads_test(nthreads, n):
    chk = Checker()
    for label, drv, dl in variants():
        for fmt in ('text', 'mmiotrace', 'jsonl'):
            lab = '%s %s %d threads' % (label, fmt, nthreads)
            t = run(drv, ['threads', str(nthreads), str(n)], fmt=fmt)
            if t.res.status != 0:
                chk.fail(lab, 'driver failed\n' + t.res.describe())
                continue
            try:
                acc, ev = parse(fmt, t.lines, {BDF: resource(drv)} if fmt == 'mmiotrace' else None)
            except Fail as e:
                chk.fail(lab, 'not every line is whole and parseable: %s' % e)
                continue
            if not t.text.endswith('\n'):
                chk.fail(lab, 'the trace does not end with a newline')
                continue
            # the device's order across threads need not be the trace's
            # (a line is written after its access); per thread it must be
            got, want = sorted(show(key(a)) for a in acc), sorted(show(x) for x in log_keys(t.log))
            d = harness.first_difference(want, got, 'device log', 'trace')
            good = chk.check(not d, lab, 'the accesses (sorted) differ from the device log\'s: ' + d)
            for th in range(nthreads):
                mine = [key(a) for a in acc if a['offset'] == 0x100 + 4 * th]
                dev = [k for k in log_keys(t.log) if k[0] == 0x100 + 4 * th]
                good &= chk.check(mine == dev, lab, 'thread %d: its accesses are not in the device\'s order' % th)
            tids = {a['tid'] for a in acc}
            good &= chk.check(len(tids) == nthreads, lab, '%d thread ids, expected %d' % (len(tids), nthreads))
            # per thread: its doorbell values in program order
            for th in range(nthreads):
                vals = [a['value'] for a in acc if a['dir'] == 'W' and a['offset'] == 0x100 + 4 * th]
                exp = [stored(((th + 1) << 24) | k, 4) for k in range(1, n + 1)]
                good &= chk.check(vals == exp, lab, 'thread %d: its %d writes are not all there in order' % (th, n))
            if good:
                chk.ok(lab, '(%d whole lines, all %d accesses)' % (len(t.lines), len(acc)))
    chk.report()


def one_clock(chk, label, acc, ev):
    """The records of every process in file order: the times never go back
    (one clock for the whole trace)."""
    times = sorted(acc + ev, key=lambda r: r['order'])
    back = [(a['t'], b['t']) for a, b in zip(times, times[1:]) if b['t'] < a['t']]
    return chk.check(not back, label, 'times go back in the file (not one clock): %r' % back[:3])


def ordered(lines, fmt):
    """parse(), with each record's line number as 'order'."""
    acc, ev = [], []
    for i, l in enumerate(lines):
        a, e = parse(fmt, [l])
        for r in a + e:
            r['order'] = i
        acc += a
        ev += e
    return acc, ev


@test
def trace_sh_c_chain_keeps_every_process():
    # mmio-run --trace=FILE --stats sh -c 'drv && drv': the first preloaded
    # process (the shell) truncates the file, the drivers after it append;
    # every record names its process; each driver prints its own summary,
    # the shell (no BAR, no access) none
    if harness.WRAPPER:
        raise Skip('under user-mode emulation the shell is a host program the shim is not preloaded into, '
                   'so each driver is a first process')
    chk = Checker()
    for label, drv, _ in variants(('2',)):
        for fmt in ('text', 'jsonl'):
            lab = '%s %s' % (label, fmt)
            with tempfile.TemporaryDirectory(prefix='mmiotrace-') as d:
                path = os.path.join(d, 'trace')
                cmd = ' '.join(harness.WRAPPER + [drv, 'basic'])
                res = _run(mmio_run_argv() + ['--sim', 'regs', '--trace=' + path, '--format', fmt, '--stats',
                                              '--', 'sh', '-c', '%s && %s' % (cmd, cmd)], {}, 120)
                with open(path, encoding='utf-8', errors='replace') as f:
                    lines = f.read().splitlines()
            if not chk.check(res.status == 0, lab, res.describe()):
                continue
            acc, ev = ordered(lines, fmt)
            log = parse_log(res.log)
            maps = [e for e in ev if e['event'] == 'map']
            pids = sorted({a['pid'] for a in acc})
            per = {p: len([a for a in acc if a['pid'] == p]) for p in pids}
            summaries = stats_by_process(res.err)
            if (chk.check(len(log) and len(log) % 2 == 0, lab, 'device log of %d lines' % len(log))
                    and chk.check(len(pids) == 2, lab, 'accesses of %d processes in the trace, want 2' % len(pids))
                    and chk.check(sorted(per.values()) == [len(log) // 2] * 2, lab,
                                  'accesses per process %r, want %d each' % (per, len(log) // 2))
                    and chk.check(sorted(e['pid'] for e in maps) == pids, lab,
                                  'map events of processes %r, accesses of %r' % ([e['pid'] for e in maps], pids))
                    and chk.check(sorted(summaries) == pids, lab, 'summaries of processes %r, the trace has %r\n%s'
                                  % (sorted(summaries), pids, res.err))
                    and chk.check(all(summaries[p][2] == per[p] for p in pids), lab,
                                  'summary totals %r, trace %r' % ({p: summaries[p][2] for p in pids}, per))
                    and one_clock(chk, lab, acc, ev)
                    and compare_to_log(chk, lab, acc, log)):
                chk.ok(lab, '(%d accesses of processes %s, %d map events, 2 summaries)'
                       % (len(acc), pids, len(maps)))
    chk.report()


@test
def trace_and_stats_of_a_forked_child_are_its_own():
    # the driver's child makes 3 accesses and ends by _exit: the trace names
    # it, and it prints a summary of its 3; the parent's counts the other 6
    chk = Checker()
    for label, drv, _ in variants(('2',)):
        t = run(drv, ['fork'], fmt='jsonl', opts=['--stats'])
        m = re.search(r'^child (\d+)$', t.res.out, re.M)
        if not chk.check(t.res.status == 0 and m, label, t.res.describe()):
            continue
        child = int(m.group(1))
        acc, ev = ordered(t.lines, 'jsonl')
        by = {}
        for a in acc:
            by.setdefault(a['pid'], []).append((a['dir'], a['offset']))
        parents = [p for p in by if p != child]
        summaries = stats_by_process(t.res.err)
        want_child = [('W', 0x104), ('W', 0x108), ('R', 0x0)]
        good = chk.check(by.get(child) == want_child, label, 'child %d accesses in the trace %r, want %r'
                         % (child, by.get(child), want_child))
        good &= chk.check(len(parents) == 1 and len(by[parents[0]]) == 6, label,
                          'other processes\' accesses %r, want 6 of the parent' % {p: by[p] for p in parents})
        good &= chk.check(len(acc) == len(t.log), label, '%d accesses traced, %d in the device log'
                          % (len(acc), len(t.log)))
        if good:
            parent = parents[0]
            good &= chk.check(sorted(summaries) == sorted([child, parent]), label,
                              'summaries of processes %r, want the child %d and the parent %d\n%s'
                              % (sorted(summaries), child, parent, t.res.err))
            good &= chk.check(good and summaries[child][2] == 3 and summaries[parent][2] == 6, label,
                              'totals %r, want child 3, parent 6' % {p: s[2] for p, s in summaries.items()})
        if good and one_clock(chk, label, acc, ev) and compare_to_log(chk, label, acc, t.log):
            chk.ok(label, '(child %d: 3 accesses and its summary; parent: 6)' % child)
    chk.report()


@test
def trace_two_threads_whole_lines_all_accesses():
    threads_test(2, 400)


@test
def trace_four_threads_whole_lines_all_accesses():
    threads_test(4, 400)


# ---------------------------------------------------------------- the trace file

@test
def trace_file_symlink_refused_exit_2_target_untouched():
    chk = Checker()
    label, drv, dl = one()
    with tempfile.TemporaryDirectory(prefix='mmiotrace-') as d:
        target = os.path.join(d, 'target')
        link = os.path.join(d, 'trace')
        with open(target, 'w') as f:
            f.write('precious\n')
        os.chmod(target, 0o644)
        os.symlink(target, link)
        for how, argv_opts, env in (('--trace=', ['--trace=' + link], {}),
                                    ('MMIOSHIM_TRACE', [], {'MMIOSHIM_TRACE': link})):
            r = _run(mmio_run_argv() + ['--sim', 'regs'] + argv_opts + ['--'] + guest(drv) + ['basic'], env, 60)
            lab = '%s %s' % (label, how)
            chk.check(r.status == 2, lab, 'status %d, expected 2\n%s' % (r.status, r.describe()))
            chk.check('api ' not in r.out, lab, 'main ran:\n' + r.describe())
            chk.check(link in r.err and 'symbolic link' in r.err, lab,
                      'no message naming the path and the symbolic link:\n' + r.describe())
            with open(target) as f:
                content = f.read()
            chk.check(content == 'precious\n', lab, 'the target was changed: %r' % content)
            chk.check(stat.S_IMODE(os.stat(target).st_mode) == 0o644, lab, 'the target\'s mode changed')
            chk.check(os.path.islink(link), lab, 'the link was replaced')
            if not [f for f in chk.failures if lab in f]:
                chk.ok(lab)
    chk.report()


@test
def trace_file_existing_truncated_or_appended_with_trace_append():
    chk = Checker()
    label, drv, dl = one()
    with tempfile.TemporaryDirectory(prefix='mmiotrace-') as d:
        path = os.path.join(d, 'trace')
        base = mmio_run_argv() + ['--sim', 'regs', '--trace=' + path]
        old = 'old line that must go\n' * 50
        with open(path, 'w') as f:
            f.write(old)
        r = _run(base + ['--'] + guest(drv) + ['basic'], {}, 60)
        require_ok(r, 'basic')
        with open(path) as f:
            first = f.read()
        chk.check('old line' not in first, label, 'an existing trace file was not truncated')
        acc, ev = parse_text(first.splitlines())
        chk.check(len(acc) == len(r.log), label, 'truncated trace: %d accesses, log %d' % (len(acc), len(r.log)))
        r2 = _run(base + ['--trace-append', '--'] + guest(drv) + ['basic'], {}, 60)
        require_ok(r2, 'basic --trace-append')
        with open(path) as f:
            both = f.read()
        chk.check(both.startswith(first) and len(both) > len(first), label,
                  '--trace-append did not keep the previous trace before the new one')
        acc2, ev2 = parse_text(both.splitlines())
        chk.check(len(acc2) == 2 * len(acc), label, 'appended trace: %d accesses, expected %d' % (len(acc2),
                                                                                              2 * len(acc)))
        r3 = _run(base + ['--'] + guest(drv) + ['basic'], {'MMIOSHIM_TRACE_APPEND': '1'}, 60)
        with open(path) as f:
            three = f.read()
        chk.check(three.startswith(both) and len(three) > len(both), label,
                  'MMIOSHIM_TRACE_APPEND=1 did not append (status %d)' % r3.status)
        # mmiotrace appended: a second VERSION line starts the second trace
        if not chk.failures:
            chk.ok(label, '(truncated, then appended twice)')
    chk.report()


@test
def trace_file_created_with_mode_0600():
    chk = Checker()
    label, drv, dl = one()
    with tempfile.TemporaryDirectory(prefix='mmiotrace-') as d:
        for umask in (0o022, 0o000):
            path = os.path.join(d, 'trace-%o' % umask)
            old = os.umask(umask)
            try:
                r = _run(mmio_run_argv() + ['--sim', 'regs', '--trace=' + path, '--'] + guest(drv) + ['basic'], {},
                         60)
            finally:
                os.umask(old)
            require_ok(r, 'basic')
            mode = stat.S_IMODE(os.stat(path).st_mode)
            chk.check(mode == 0o600, label, 'umask %03o: mode %03o, expected 600' % (umask, mode))
    if not chk.failures:
        chk.ok(label)
    chk.report()


@test
def trace_default_destination_is_stderr():
    chk = Checker()
    label, drv, dl = one()
    t = run(drv, ['basic'], opts=['--trace'], tracefile=False)
    require_ok(t.res, 'basic --trace')
    lines = [l for l in t.res.err.splitlines() if not l.startswith('mmioshim:')]
    acc, ev = parse_text(lines)
    compare_to_log(chk, label, acc, t.log)
    if not chk.failures:
        chk.ok(label, '(%d accesses on stderr)' % len(acc))
    chk.report()


# ---------------------------------------------------------------- BAR2, direct backend

@test
def trace_bar2_trapped_through_direct_backend_without_trap_all():
    """--trace alone traps BAR2 too: x86_64 reaches it through `direct`,
    s390x (where every BAR is trapped) through `syscall` (AUTO_BACKEND)."""
    chk = Checker()
    for label, drv, dl in variants():
        for fmt in ('text', 'jsonl'):
            lab = '%s %s' % (label, fmt)
            t = run(drv, ['bar2'], fmt=fmt)   # MMIOSHIM_TRAP is not set (scrubbed)
            if t.res.status != 0:
                chk.fail(lab, 'driver failed\n' + t.res.describe())
                continue
            acc, ev = parse(fmt, t.lines)
            good = compare_to_log(chk, lab, acc, t.log)
            maps = [e for e in ev if e['event'] == 'map']
            if fmt == 'text':
                backends = {int(e['words'][2][3:]): e['words'][-1] for e in maps}
            else:
                backends = {e['bar']: e.get('backend') for e in maps}
            good &= chk.check(backends.get(2) == AUTO_BACKEND[2], lab, 'BAR2 map events: %r (backend %s expected)'
                              % (backends, AUTO_BACKEND[2]))
            good &= chk.check(backends.get(0) == AUTO_BACKEND[0], lab, 'BAR0 map events: %r (backend %s expected)'
                              % (backends, AUTO_BACKEND[0]))
            got = [(a['dir'], a['offset'], a['width'], a['value']) for a in acc if a['bar'] == 2]
            stores = [(0x100, 4, 0xcafef00d), (0x108, 8, 0x0123456789abcdef), (0x110, 1, 0x5a), (0x112, 2, 0x7e57)]
            want = [(d, off, w, stored(v, w)) for d in ('W', 'R') for off, w, v in stores]
            good &= chk.check(got == want, lab, 'BAR2 accesses %r, expected %r' % ([show(g) for g in got],
                                                                                  [show(w) for w in want]))
            good &= chk.check('BAR2 0x108 0x123456789abcdef' in t.res.out, lab, 'driver read back:\n' + t.res.out)
            if good:
                chk.ok(lab, '(BAR2 traced through %s)' % AUTO_BACKEND[2])
    chk.report()


# ---------------------------------------------------------------- filters

def twodev_run(drv, fmt='text', filt=None):
    opts = ['--filter', filt] if filt is not None else []
    t = run(drv, ['twodev', BDF, BDF_B], fmt=fmt, opts=opts, sims=('regs@' + BDF, 'regs@' + BDF_B))
    require_ok(t.res, 'twodev%s' % (' --filter ' + filt if filt else ''))
    return t


FILTERS = [
    ('dev=' + BDF_B, lambda a: a['bdf'] == BDF_B),
    ('dev=' + BDF, lambda a: a['bdf'] == BDF),
    ('bar=2', lambda a: a['bar'] == 2),
    ('bar=0', lambda a: a['bar'] == 0),
    ('off=0x8', lambda a: a['offset'] <= 8 < a['offset'] + a['width']),
    ('off=0x10-0x1f', lambda a: a['offset'] <= 0x1f and a['offset'] + a['width'] - 1 >= 0x10),
    ('off=0x14-0x14', lambda a: a['offset'] <= 0x14 < a['offset'] + a['width']),
    ('dir=R', lambda a: a['dir'] == 'R'),
    ('dir=W', lambda a: a['dir'] == 'W'),
    ('dir=R,dir=W', lambda a: True),
    ('dev=%s,dir=W' % BDF_B, lambda a: a['bdf'] == BDF_B and a['dir'] == 'W'),
    ('bar=0,off=0x100-0x1ff,dir=W', lambda a: a['bar'] == 0 and 0x100 <= a['offset'] <= 0x1ff and a['dir'] == 'W'),
    ('off=0x8,off=0x20-0x23', lambda a: a['offset'] <= 8 < a['offset'] + a['width'] or
     (a['offset'] <= 0x23 and a['offset'] + a['width'] - 1 >= 0x20)),
]


@test
def trace_filter_dev_bar_off_dir_keeps_exactly_the_matching_accesses():
    chk = Checker()
    label, drv, dl = one()
    full = twodev_run(drv)
    acc, ev = parse_text(full.lines)
    if not compare_to_log(chk, label + ' unfiltered', acc, full.log):
        chk.report()
    chk.check({a['bdf'] for a in acc} == {BDF, BDF_B} and {a['bar'] for a in acc} == {0, 2}, label,
              'the unfiltered trace lacks a device or BAR: %r' % {(a['bdf'], a['bar']) for a in acc})

    def strip(a):
        return (a['bdf'], a['bar'], a['offset'], a['width'], a['dir'], a['value'])
    for filt, pred in FILTERS:
        for fmt in ('text', 'jsonl'):
            lab = '%s --filter %s %s' % (label, filt, fmt)
            t = twodev_run(drv, fmt, filt)
            got, _ = parse(fmt, t.lines)
            want = [strip(a) for a in acc if pred(a)]
            d = harness.first_difference([show(x) for x in want], [show(strip(a)) for a in got],
                                         'expected', 'filtered')
            if chk.check(not d and want, lab, 'filtered trace: ' + d if d else 'nothing matches (bad test)'):
                chk.ok(lab, '(%d of %d accesses)' % (len(want), len(acc)))
    chk.report()


# ---------------------------------------------------------------- bad values

BAD_ENV = [
    ('MMIOSHIM_TRACE_FORMAT', 'xml'), ('MMIOSHIM_TRACE_FORMAT', 'TEXT'), ('MMIOSHIM_TRACE_FORMAT', 'json'),
    ('MMIOSHIM_TRACE_FILTER', 'dev'), ('MMIOSHIM_TRACE_FILTER', 'bus=1'), ('MMIOSHIM_TRACE_FILTER', 'bar=6'),
    ('MMIOSHIM_TRACE_FILTER', 'bar=x'), ('MMIOSHIM_TRACE_FILTER', 'off=0x20-0x10'),
    ('MMIOSHIM_TRACE_FILTER', 'off=1-'), ('MMIOSHIM_TRACE_FILTER', 'dir=X'), ('MMIOSHIM_TRACE_FILTER', 'dir=r'),
    ('MMIOSHIM_STATS', '2'), ('MMIOSHIM_STATS', 'yes'), ('MMIOSHIM_TRACE_APPEND', 'yes'),
]


@test
def trace_filter_terms_are_checked_exit_2_naming_the_term():
    # a filter that cannot match anything is a mistake said before main,
    # not a trace that stays empty
    chk = Checker()
    label, drv, dl = one()
    bad = ['dev=', 'dev=0000:00:01.O', 'dev=00:01', 'dev=0000:00:20.0', 'dev=0000:00:01.8', 'dev=000:00:01.0',
           'off=-1', 'off=0x8--1', 'off= 8', 'bar= 0', 'bar=-0', 'bar=0,', ',bar=0', 'bar=0,,dir=R', 'bar=',
           '=3', 'size=4', 'dir=', ','.join(['bar=%d' % (i % 6) for i in range(9)])]
    for spec in bad:
        lab = 'MMIOSHIM_TRACE_FILTER=%r' % spec
        r = _run(mmio_run_argv() + ['--sim', 'regs', '--trace=/dev/null', '--filter', spec, '--'] + guest(drv)
                 + ['basic'], {}, 60)
        good = chk.check(r.status == 2 and 'api ' not in r.out, lab, 'status %d, want 2 before main\n%s'
                         % (r.status, r.describe()))
        good &= chk.check('MMIOSHIM_TRACE_FILTER=' + spec in r.err and 'accepted:' in r.err, lab,
                          'the message does not name the filter and what is accepted:\n%s' % r.describe())
        if good:
            chk.ok(lab, r.err.strip().splitlines()[0][-110:])
    # the short form (lspci's) and upper-case hex name the same device
    ref = run(drv, ['basic'], fmt='jsonl', opts=['--filter', 'dev=%s' % BDF])
    for spec in ('dev=%s' % BDF[5:], 'dev=%s' % BDF.upper()):
        t = run(drv, ['basic'], fmt='jsonl', opts=['--filter', spec])
        got = [key(a) for a in parse_jsonl(t.lines)[0]]
        want = [key(a) for a in parse_jsonl(ref.lines)[0]]
        if chk.check(t.res.status == 0 and got == want and want, spec, 'recorded %d accesses, the full form %d\n%s'
                     % (len(got), len(want), t.res.describe())):
            chk.ok(spec, '(%d accesses, as dev=%s)' % (len(got), BDF))
    # a well-formed address of no device the program maps: said at exit
    t = run(drv, ['basic'], opts=['--filter', 'dev=0000:00:1f.7'])
    lines = [l for l in t.res.err.splitlines() if 'dev=0000:00:1f.7 matched no device' in l]
    if chk.check(t.res.status == 0 and len(lines) == 1, 'dev=0000:00:1f.7', 'want one warning at exit\n%s'
                 % t.res.describe()):
        chk.ok('dev=0000:00:1f.7', lines[0])
    chk.report()


@test
def trace_write_errors_are_said_once_and_counted_at_exit():
    # /dev/full: every write fails (ENOSPC). The program is not disturbed;
    # the first failure is said at once, the number lost at exit
    chk = Checker()
    for label, drv, _ in variants(('2',)):
        ref = run(drv, ['basic'])
        n = len(ref.lines)
        for fmt in ('text', 'jsonl', 'mmiotrace'):
            lab = '%s %s' % (label, fmt)
            argv = mmio_run_argv() + ['--sim', 'regs', '--trace=/dev/full', '--format', fmt, '--'] + guest(drv)
            r = _run(argv + ['basic'], {}, 60)
            first = [l for l in r.err.splitlines() if re.search(r'trace /dev/full: a record could not be written '
                                                                r'\(ENOSPC\)', l)]
            lost = [l for l in r.err.splitlines() if re.search(r'trace /dev/full: (\d+) of \1 records lost '
                                                               r'\(No space left on device\)', l)]
            want = n if fmt != 'mmiotrace' else None
            count = int(re.search(r'(\d+) of', lost[0]).group(1)) if len(lost) == 1 else None
            good = chk.check(r.status == 0 and r.out == ref.res.out, lab, 'the program was disturbed\n%s'
                             % r.describe())
            good &= chk.check(len(first) == 1 and len(lost) == 1, lab, 'want one message at the first failure '
                              'and one count at exit\n%s' % r.describe())
            good &= chk.check(want is None or count == want, lab, '%r records lost, the same run to a file has %d '
                              'lines' % (count, n))
            if good:
                chk.ok(lab, lost[0])
    chk.report()


@test
def trace_symbol_names_whole_and_valid_json_whatever_they_hold():
    # 410 characters, UTF-8, a byte that is not UTF-8: every jsonl line is
    # strict JSON (and UTF-8), names are whole, text lines end where they
    # should
    long_name = 'long' + 'x' * 400 + '_touch'
    want = {long_name: 0x410, 'caf\u00e9_touch': 0xcafe, 'bad\ufffd_touch': 0xbad}
    chk = Checker()
    for label, drv, _ in variants(('2',)):
        for fmt in ('jsonl', 'text'):
            lab = '%s %s' % (label, fmt)
            raw, res = run_bytes(drv, ['names'], fmt)
            if not chk.check(res.status == 0, lab, res.describe()):
                continue
            try:
                text = raw.decode('utf-8')
            except UnicodeDecodeError as e:
                chk.fail(lab, 'the trace is not UTF-8: %s' % e)
                continue
            lines = text.splitlines()
            acc = []
            try:
                if fmt == 'jsonl':
                    for l in lines:
                        json.loads(l)
                    acc = parse_jsonl(lines)[0]
                    names = {a['sym'].rsplit('+0x', 1)[0] for a in acc}
                else:
                    acc = parse_text(lines)[0]
                    names = {a['sym'].split('+0x', 1)[0] for a in acc}
            except (ValueError, Fail) as e:
                chk.fail(lab, 'not a valid trace: %s' % e)
                continue
            if fmt == 'text':
                want_here = {long_name, 'caf\u00e9_touch', 'bad\\xff_touch'}
            else:
                want_here = set(want)
            good = chk.check(want_here <= names, lab, 'names %r, want %r among them'
                             % (sorted(n[:40] for n in names), sorted(n[:40] for n in want_here)))
            good &= compare_to_log(chk, lab, acc, parse_log(res.log))
            if good:
                chk.ok(lab, '(%d accesses; a %d-character name whole)' % (len(acc), len(long_name)))
    chk.report()


@test
def bad_trace_format_filter_stats_values_exit_2_before_main():
    chk = Checker()
    label, drv, dl = one()
    for var, val in BAD_ENV:
        for with_trace in (True, False):
            lab = '%s=%s%s' % (var, val, ' with a trace' if with_trace else '')
            env = {var: val}
            with tempfile.TemporaryDirectory(prefix='mmiotrace-') as d:
                if with_trace:
                    env['MMIOSHIM_TRACE'] = os.path.join(d, 'trace')
                r = _run(mmio_run_argv() + ['--sim', 'regs', '--'] + guest(drv) + ['basic'], env, 60)
            good = chk.check(r.status == 2, lab, 'status %d, expected 2\n%s' % (r.status, r.describe()))
            good &= chk.check('api ' not in r.out, lab, 'main ran\n' + r.describe())
            good &= chk.check(var in r.err and val in r.err, lab, 'the message does not name %s and %r:\n%s'
                              % (var, val, r.describe()))
            if good:
                chk.ok(lab, r.err.strip().splitlines()[0])
    # the clock a creating process passes to the processes that append
    for val in ('soon', '12', '12.x', '-1.5', '3.1000000000'):
        lab = 'MMIOSHIM_TRACE_START=%s appending' % val
        with tempfile.TemporaryDirectory(prefix='mmiotrace-') as d:
            r = _run(mmio_run_argv() + ['--sim', 'regs', '--trace=' + os.path.join(d, 'trace'), '--trace-append',
                                        '--'] + guest(drv) + ['basic'], {'MMIOSHIM_TRACE_START': val}, 60)
        good = chk.check(r.status == 2 and 'api ' not in r.out, lab, 'status %d, expected 2 before main\n%s'
                         % (r.status, r.describe()))
        good &= chk.check('MMIOSHIM_TRACE_START=' + val in r.err, lab, 'the message does not name it:\n%s'
                          % r.describe())
        if good:
            chk.ok(lab, r.err.strip().splitlines()[0])
    # the same values through mmio-run's options
    for opt, val in (('--format', 'xml'), ('--format', 'TEXT'), ('--filter', 'bus=1'), ('--filter', 'dir=X')):
        lab = '%s %r' % (opt, val)
        r = _run(mmio_run_argv() + ['--sim', 'regs', '--trace=/dev/null', opt, val, '--'] + guest(drv) + ['basic'],
                 {}, 60)
        good = chk.check(r.status == 2, lab, 'status %d, expected 2\n%s' % (r.status, r.describe()))
        good &= chk.check('api ' not in r.out, lab, 'main ran\n' + r.describe())
        good &= chk.check(val in r.err and r.err.strip(), lab, 'the message does not name %r:\n%s'
                          % (val, r.describe()))
        if good:
            chk.ok(lab, r.err.strip().splitlines()[0])
    chk.report()


# ---------------------------------------------------------------- statistics

STAT_ROW = re.compile(r'^\s+(\S+)\s+(\d+)\s+0x([0-9a-f]+)\s+(\d+)\s+(\d+)\s+([\d,]+)$')
SITE_ROW = re.compile(r'^\s+(\S+\+0x[0-9a-f]+(?: in \S+)?|0x[0-9a-f]+)\s+(\d+)$')
TOTAL = re.compile(r'total: (\d+) emulated accesses in (\d+) faults, ([\d.]+) ms in the handler')
BACKEND = re.compile(r'backend: (\S+) BAR(\d) 0x([0-9a-f]+)\+0x([0-9a-f]+) (\w+)')


def parse_stats(err):
    rows, sites, total, backends = {}, {}, None, []
    for l in err.splitlines():
        m = STAT_ROW.match(l)
        if m:
            rows[(m.group(1), int(m.group(2)), int(m.group(3), 16))] = (
                int(m.group(4)), int(m.group(5)), sorted(int(x) for x in m.group(6).split(',')))
            continue
        m = SITE_ROW.match(l)
        if m:
            sites[m.group(1)] = int(m.group(2))
            continue
        m = TOTAL.search(l)
        if m:
            total = int(m.group(1))
            continue
        m = BACKEND.search(l)
        if m:
            backends.append((m.group(1), int(m.group(2)), m.group(5)))
    return rows, sites, total, backends


def stats_by_process(err):
    """{pid: parse_stats(its summary)} of every summary on stderr."""
    out, cur = {}, None
    for l in err.splitlines():
        m = re.match(r'mmioshim: access statistics of process (\d+)$', l)
        if m:
            cur = int(m.group(1))
            out[cur] = []
        elif cur is not None:
            out[cur].append(l)
    return {p: parse_stats('\n'.join(ls)) for p, ls in out.items()}


def expected_rows(log, bdf=BDF):
    rows = {}
    for (_, bar, off, width, d, value, rej) in log:
        r, w, ws = rows.get((bdf, bar, off), (0, 0, set()))
        rows[(bdf, bar, off)] = (r + (d == 'R'), w + (d == 'W'), ws | {width})
    return {k: (r, w, sorted(ws)) for k, (r, w, ws) in rows.items()}


def stats_test(scenario, sites_check=None):
    chk = Checker()
    for label, drv, dl in variants():
        args = [scenario] + ([dl] if scenario == 'symbols' else [])
        t = run(drv, args, opts=['--stats'], tracefile=False)
        if t.res.status != 0:
            chk.fail(label, 'driver failed\n' + t.res.describe())
            continue
        rows, sites, total, backends = parse_stats(t.res.err)
        want = expected_rows(t.log)
        good = chk.check(total == len(t.log), label, 'total %r, the device log has %d lines\n%s'
                         % (total, len(t.log), t.res.err))
        good &= chk.check(rows == want, label, 'per-offset rows differ from the device log:\n  got  %r\n  want %r'
                          % (sorted(rows.items()), sorted(want.items())))
        good &= chk.check(sum(sites.values()) == total, label, 'site counts add up to %d, total %r'
                          % (sum(sites.values()), total))
        bare = [s for s in sites if not '+0x' in s]
        good &= chk.check(not bare, label, 'sites without a symbol: %r' % bare)
        good &= chk.check(backends == [(BDF, 0, AUTO_BACKEND[0])], label, 'backend lines %r, expected %r'
                          % (backends, [(BDF, 0, AUTO_BACKEND[0])]))
        if sites_check:
            good &= sites_check(chk, label, sites) is not False
        if good:
            chk.ok(label, '(%d accesses, %d offsets, %d sites)' % (total, len(rows), len(sites)))
    chk.report()


@test
def stats_per_offset_per_site_total_and_backend_match_device_log():
    stats_test('basic')


@test
def stats_sites_name_executable_library_and_dlopened_functions():
    def check(chk, label, sites):
        want = {'exe_touch': 'trace_drv', 'tracelib_touch': 'libtracelib.so', 'tracedl_touch': 'libtracedl.so'}
        good = True
        for fn, obj in want.items():
            n = sum(c for s, c in sites.items() if s.startswith(fn + '+') and s.endswith(' in ' + obj))
            good &= chk.check(n == 2, label, '%s in %s: %d accesses counted, expected 2; sites %r'
                              % (fn, obj, n, sites))
        return good
    stats_test('symbols', check)


@test
def stats_block_copy_counted_as_the_device_accesses():
    stats_test('copy')


# ---------------------------------------------------------------- mmio-run

@test
def mmio_run_exit_status_program_signal_and_usage_error():
    chk = Checker()
    cc = compilers()[0]
    hello = harness.build('hello.c', cc, '2')
    base = mmio_run_argv()
    for args, want in ((['exit', '0'], 0), (['exit', '3'], 3), (['exit', '42'], 42), (['exit', '255'], 255),
                       (['raise', str(int(signal.SIGTERM))], 128 + signal.SIGTERM),
                       (['raise', str(int(signal.SIGKILL))], 128 + signal.SIGKILL),
                       (['raise', str(int(signal.SIGSEGV))], 128 + signal.SIGSEGV)):
        for opts in ([], ['--sim', 'regs', '--trace=/dev/null', '--stats']):
            r = _run(base + opts + ['--'] + guest(hello) + args, {}, 60)
            lab = '%s %s' % (' '.join(opts) or '(no options)', ' '.join(args))
            if chk.check(r.status == want, lab, 'status %d, expected %d\n%s' % (r.status, want, r.describe())):
                chk.ok(lab, '-> %d' % want)
    for bad, word in ((['--bogus'], '--bogus'), (['-x'], '-x'), (['--backend', 'fast'], 'fast'),
                      (['--sim', 'nvme'], 'nvme'), (['--format', 'xml'], 'xml'), (['--trace='], '--trace'),
                      (['--sim'], '--sim'), (['--format'], '--format'), (['--filter'], '--filter'),
                      (['--backend'], '--backend'), ([], 'program'),
                      # what only a trace uses, without one
                      (['--format', 'jsonl'], "'--format' needs --trace"),
                      (['--filter', 'bar=0'], "'--filter' needs --trace"),
                      (['--trace-append'], "'--trace-append' needs --trace")):
        r = _run(base + bad + (['--'] + guest(hello) if bad and bad[-1] not in ('--sim', '--format', '--filter',
                                                                                  '--backend') else []), {}, 60)
        lab = 'usage error %r' % bad
        good = chk.check(r.status == 2, lab, 'status %d, expected 2\n%s' % (r.status, r.describe()))
        good &= chk.check('main reached' not in r.out, lab, 'the program ran')
        good &= chk.check(word in r.err, lab, 'the message does not name %r:\n%s' % (word, r.describe()))
        if good:
            chk.ok(lab, r.err.splitlines()[0])
    chk.report()


@test
def mmio_run_is_the_program_a_signal_to_it_reaches_the_program():
    # mmio-run execs the program: one process, so `kill <pid of mmio-run>`
    # (a service manager, a shell's job control) reaches the program and
    # nothing is left running
    chk = Checker()
    hello = harness.build('hello.c', compilers()[0], '2')
    for opts in ([], ['--sim', 'regs', '--trace=/dev/null', '--stats']):
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            lab = '%s %s' % (' '.join(opts) or '(no options)', sig.name)
            p = subprocess.Popen(mmio_run_argv() + opts + ['--'] + guest(hello) + ['wait'], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                                 env={k: v for k, v in os.environ.items() if not k.startswith(harness.SCRUB)})
            try:
                m, line = None, ''
                for line in p.stdout:       # "main reached", then "pid N"
                    m = re.match(r'pid (\d+)$', line.strip())
                    if m:
                        break
                p.send_signal(sig)
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                chk.fail(lab, 'still running 20 s after %s to mmio-run\'s pid %d' % (sig.name, p.pid))
                continue
            finally:
                p.stdout.close()
                p.stderr.close()
            good = chk.check(m and int(m.group(1)) == p.pid, lab, 'the program says %r, mmio-run\'s pid is %d'
                             % (line.strip(), p.pid))
            good &= chk.check(p.returncode == -sig, lab, 'ended with returncode %d, want %d (killed by %s)'
                              % (p.returncode, -sig, sig.name))
            if good:
                chk.ok(lab, '(pid %d is the program; killed by %s)' % (p.pid, sig.name))
    chk.report()


@test
def mmio_run_empty_option_values_are_usage_errors():
    chk = Checker()
    label, drv, dl = one()
    for bad in (['--format', ''], ['--format='], ['--backend', ''], ['--backend='], ['--sim', ''], ['--sim=']):
        lab = 'mmio-run %r' % ' '.join(bad)
        sim = [] if bad[0].startswith('--sim') else ['--sim', 'regs']
        r = _run(mmio_run_argv() + sim + ['--trace=/dev/null'] + bad + ['--'] + guest(drv) + ['basic'], {}, 60)
        opt = bad[0].split('=')[0]
        good = chk.check(r.status == 2, lab, 'status %d, expected 2 (an empty value is not a %s)\n%s'
                         % (r.status, opt, r.describe()))
        good &= chk.check(opt in r.err, lab, 'no message naming %s:\n%s' % (opt, r.describe()))
        if good:
            chk.ok(lab, r.err.splitlines()[0])
    chk.report()


@test
def mmio_run_help_mentions_every_option():
    chk = Checker()
    r = _run(mmio_run_argv() + ['--help'], {}, 30)
    chk.check(r.status == 0, '--help', 'status %d' % r.status)
    with open(os.path.join(harness.SOURCE_ROOT, 'scripts', 'mmio-run.in')) as f:
        script = f.read()
    # the options the script's parser accepts
    parsed = set(re.findall(r'^\s*(-[-\w]*)(?:=\*)?(?:\|(-[-\w]*))?\)', script, re.M))
    opts = {o for pair in parsed for o in pair if o and o not in ('--', '-*')}
    chk.check(len(opts) >= 14, 'parser', 'found only %r in the script' % sorted(opts))
    for o in sorted(opts):
        chk.check(re.search(r'(?<![\w-])%s(?![\w-])' % re.escape(o), r.out), o, '--help does not mention %s' % o)
    for word in ('MMIOSHIM_TRACE', 'MMIOSHIM_TRACE_FORMAT', 'MMIOSHIM_TRACE_APPEND', 'MMIOSHIM_TRACE_FILTER',
                 'MMIOSHIM_STATS', 'MMIOSHIM_BACKEND', 'MMIOSHIM_TRAP', 'MMIOSIM_LOG', 'text', 'mmiotrace', 'jsonl',
                 'Exit status', '128+', 'mmioshim(7)'):
        chk.check(word in r.out, word, '--help does not mention %s' % word)
    r2 = _run(mmio_run_argv() + ['-h'], {}, 30)
    chk.check(r2.out == r.out and r2.status == 0, '-h', '-h differs from --help')
    if not chk.failures:
        chk.ok('--help', '(%d options: %s)' % (len(opts), ' '.join(sorted(opts))))
    chk.report()


if __name__ == '__main__':
    sys.exit(run_main(TESTS))
