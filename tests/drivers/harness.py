"""Support for the end-to-end driver tests.

Builds the test drivers with every available compiler at several
optimisation levels (cached under BUILD_ROOT/tests/drivers/bin, keyed by a
hash of compiler, flags and sources), runs them under mmio-run against the
simulator, under the simulator alone, or plain, and compares access logs.

Cross builds (tests/meson.build sets these from the cross file):
  MMIO_TEST_ARCH     the architecture the drivers are built for (x86_64, s390x)
  MMIO_TEST_WRAPPER  how to start one of its programs ("qemu-s390x-static -L /"),
                     words separated by spaces; mmio-run and LD_PRELOAD reach
                     the program through it (qemu-user passes the environment on)
  DRV_TEST_GCC, DRV_TEST_CLANG   the compilers, with arguments ("clang --target=...")
  DRV_TEST_CFLAGS, DRV_TEST_LDFLAGS  extra flags (the sysroot's -isystem, -L)
"""
import fcntl
import hashlib
import os
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.environ.get('SOURCE_ROOT') or os.path.dirname(os.path.dirname(HERE))
BUILD_ROOT = os.environ.get('BUILD_ROOT') or os.path.join(SOURCE_ROOT, 'build')
MMIO_RUN = os.environ.get('MMIO_RUN') or os.path.join(BUILD_ROOT, 'mmio-run')
LIBMMIOSHIM = os.environ.get('LIBMMIOSHIM') or os.path.join(BUILD_ROOT, 'libmmioshim.so')
LIBMMIOSIM = os.environ.get('LIBMMIOSIM') or os.path.join(BUILD_ROOT, 'libmmiosim.so')
CACHE = os.path.join(BUILD_ROOT, 'tests', 'drivers', 'bin')

BDF = '0000:00:01.0'
SUPPORT = ['vfio_drv.c', 'vfio_drv.h']
CFLAGS = ['-std=gnu11', '-D_GNU_SOURCE', '-g', '-Wall', '-Wextra', '-pthread']

# Variables of ours that must not leak in from the caller's environment.
SCRUB = ('LD_PRELOAD', 'MMIOSIM_', 'MMIOSHIM_', 'DRV_')

SIGSEGV_STATUS = 128 + signal.SIGSEGV

ARCH = os.environ.get('MMIO_TEST_ARCH') or platform.machine()
WRAPPER = os.environ.get('MMIO_TEST_WRAPPER', '').split()
BIG_ENDIAN = ARCH in ('s390x',)


def swap32(v):
    """The device (little-endian) value of a 32-bit store of v by the driver."""
    return int.from_bytes(v.to_bytes(4, 'big' if BIG_ENDIAN else 'little'), 'little')


class Skip(Exception):
    """The test cannot run here (exit 77: meson reports SKIP)."""


class Fail(Exception):
    pass


# ---------------------------------------------------------------- building

_GCC = os.environ.get('DRV_TEST_GCC', 'gcc').split()
_CLANG = os.environ.get('DRV_TEST_CLANG', '/usr/bin/clang').split()
if ARCH == 's390x':
    # the machine levels drivers are built for: z196 (Debian's default),
    # z13 (vector facility), z15 (what has PCI MIO)
    COMPILERS = [('gcc-z196', _GCC + ['-march=z196']), ('gcc-z13', _GCC + ['-march=z13']),
                 ('gcc-z15', _GCC + ['-march=z15']), ('clang-z13', _CLANG + ['-march=z13'])]
else:
    COMPILERS = [('gcc', _GCC), ('clang', _CLANG)]
EXTRA_CFLAGS = os.environ.get('DRV_TEST_CFLAGS', '').split()
EXTRA_LDFLAGS = os.environ.get('DRV_TEST_LDFLAGS', '').split()
_notes = []


def note(msg):
    print('note: ' + msg)
    _notes.append(msg)


def _cc_works(name, cmd):
    """Can cmd build and link a program here (a cross compiler needs its
    libraries)? Remembered under the cache folder."""
    h = hashlib.sha256((' '.join(cmd + EXTRA_CFLAGS + EXTRA_LDFLAGS) + _cc_version(cmd)).encode())
    stamp = os.path.join(CACHE, 'works-%s-%s' % (name, h.hexdigest()[:12]))
    if os.path.exists(stamp):
        with open(stamp) as f:
            return f.read()
    os.makedirs(CACHE, exist_ok=True)
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, 't.c')
        with open(src, 'w') as f:
            f.write('#include <stdio.h>\n#include <pthread.h>\nint main(void) { puts("ok"); return 0; }\n')
        r = subprocess.run(cmd + CFLAGS + EXTRA_CFLAGS + ['-o', os.path.join(d, 't'), src] + EXTRA_LDFLAGS,
                           capture_output=True, text=True)
        err = '' if r.returncode == 0 else (r.stderr.strip().splitlines() or ['failed'])[-1]
    with open(stamp + '.tmp%d' % os.getpid(), 'w') as f:
        f.write(err)
    os.rename(stamp + '.tmp%d' % os.getpid(), stamp)
    return err


def compilers():
    """[(name, command)] of the compilers present and working; Skip if there
    is none."""
    found = []
    for name, cmd in COMPILERS:
        exe = shutil.which(cmd[0])
        if not exe:
            note('%s (%s) not found: its builds are skipped' % (name, cmd[0]))
            continue
        err = _cc_works(name, [exe] + cmd[1:])
        if err:
            note('%s (%s) cannot build a program here (%s): its builds are skipped' % (name, ' '.join(cmd), err))
            continue
        found.append((name, [exe] + cmd[1:]))
    if not found:
        raise Skip('no working C compiler (tried %s)' % ', '.join(' '.join(c) for _, c in COMPILERS))
    return found


_versions = {}


def _cc_version(cmd):
    exe = cmd[0]
    if exe not in _versions:
        out = subprocess.run([exe, '--version'], capture_output=True, text=True)
        _versions[exe] = out.stdout.splitlines()[0] if out.stdout else exe
    return _versions[exe]


def build(source, cc, opt, explicit=False):
    """Path of `source` (a file in this folder) built with compiler cc
    (name, path) at -O<opt>, with -DEXPLICIT when explicit."""
    name, cmd = cc
    flags = CFLAGS + EXTRA_CFLAGS + ['-O' + opt] + (['-DEXPLICIT'] if explicit else [])
    h = hashlib.sha256()
    h.update(_cc_version(cmd).encode())
    h.update(' '.join(cmd).encode())
    h.update(' '.join(flags + EXTRA_LDFLAGS).encode())
    for f in [source] + SUPPORT:
        with open(os.path.join(HERE, f), 'rb') as fp:
            h.update(f.encode() + b'\0' + fp.read())
    stem = os.path.splitext(source)[0]
    variant = 'explicit' if explicit else 'mmap'
    out = os.path.join(CACHE, '%s-%s-O%s-%s-%s' % (stem, name, opt, variant, h.hexdigest()[:12]))
    if os.path.exists(out):
        return out
    os.makedirs(CACHE, exist_ok=True)
    with open(out + '.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(out):
            tmp = '%s.tmp%d' % (out, os.getpid())
            line = cmd + flags + ['-I', HERE, '-o', tmp, os.path.join(HERE, source),
                                  os.path.join(HERE, 'vfio_drv.c')] + EXTRA_LDFLAGS
            r = subprocess.run(line, capture_output=True, text=True)
            if r.returncode != 0:
                raise Fail('compiling %s failed:\n$ %s\n%s' % (source, ' '.join(line), r.stderr))
            os.rename(tmp, out)
    return out


def builds(source, levels=('0', '2'), explicit_too=True):
    """[(label, normal, explicit)] for every compiler and level."""
    res = []
    for cc in compilers():
        for opt in levels:
            normal = build(source, cc, opt)
            expl = build(source, cc, opt, True) if explicit_too else None
            res.append(('%s -O%s' % (cc[0], opt), normal, expl))
    return res


ALL_LEVELS = ('0', '1', '2', '3', 's')


# ---------------------------------------------------------------- running

class Result:
    def __init__(self, argv, env, proc, log):
        self.argv = argv
        self.env = env
        self.rc = proc.returncode
        # a direct run killed by signal N reports -N; the shell reports 128+N
        self.status = 128 - proc.returncode if proc.returncode < 0 else proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr
        self.log = log

    def describe(self):
        envs = ' '.join('%s=%s' % kv for kv in sorted(self.env.items()))
        return '$ %s %s\n  status %d\n  stdout: %s\n  stderr: %s' % (
            envs, ' '.join(self.argv), self.status, _clip(self.out), _clip(self.err))

    def shim_lines(self):
        return [l for l in self.err.splitlines() if l.startswith('mmioshim:')]


def _clip(s, n=1500):
    s = s.rstrip('\n')
    if len(s) > n:
        s = s[:n] + ' [...]'
    return s.replace('\n', '\n    ') if s else '(empty)'


def guest(prog):
    """argv that starts prog, a program built for ARCH (through the wrapper)."""
    return WRAPPER + [prog]


def _no_core():
    # qemu-user writes a core file of a guest that dies by a signal
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _run(argv, env_set, timeout):
    env = {k: v for k, v in os.environ.items() if not k.startswith(SCRUB)}
    env.update(env_set)
    fd, logpath = tempfile.mkstemp(prefix='mmiosim-', suffix='.log')
    os.close(fd)
    os.unlink(logpath)       # the simulator creates it
    if 'MMIOSIM_LOG' not in env_set:
        env['MMIOSIM_LOG'] = logpath
    try:
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, preexec_fn=_no_core if WRAPPER else None)
    except subprocess.TimeoutExpired as e:
        raise Fail('timed out after %ds: %s' % (timeout, ' '.join(argv))) from e
    log = []
    if os.path.exists(env['MMIOSIM_LOG']):
        with open(env['MMIOSIM_LOG']) as f:
            log = [l.rstrip('\n') for l in f]
        if env['MMIOSIM_LOG'] == logpath:
            os.unlink(logpath)
    shown = {k: v for k, v in env_set.items()}
    return Result(argv, shown, proc, log)


def require_shim():
    for what, path in (('libmmioshim.so', LIBMMIOSHIM), ('mmio-run', MMIO_RUN)):
        if not os.path.exists(path):
            raise Fail('%s is not built (expected at %s)' % (what, path))


def require_sim():
    if not os.path.exists(LIBMMIOSIM):
        raise Fail('libmmiosim.so is not built (expected at %s)' % LIBMMIOSIM)


def mmio_run_argv():
    return [MMIO_RUN] if os.access(MMIO_RUN, os.X_OK) else ['sh', MMIO_RUN]


def under_shim(prog, args=(), env=None, sim=True, timeout=60, opts=()):
    """mmio-run [--sim regs] [opts] -- prog args"""
    require_shim()
    require_sim()
    argv = mmio_run_argv() + (['--sim', 'regs'] if sim else []) + list(opts) + ['--'] + guest(prog) + list(args)
    return _run(argv, dict(env or {}), timeout)


def preload_shim(prog, args=(), env=None, timeout=60):
    """The same as mmio-run --sim regs, without the script: the exit status
    is then the process's own (died by signal or exited)."""
    require_shim()
    require_sim()
    e = {'LD_PRELOAD': '%s %s' % (LIBMMIOSHIM, LIBMMIOSIM), 'MMIOSIM_DEVICES': 'regs@' + BDF}
    e.update(env or {})
    return _run(guest(prog) + list(args), e, timeout)


def sim_only(prog, args=(), env=None, timeout=60):
    """prog args with only the simulator preloaded (the reference)."""
    require_sim()
    e = {'LD_PRELOAD': LIBMMIOSIM, 'MMIOSIM_DEVICES': 'regs@' + BDF}
    e.update(env or {})
    return _run(guest(prog) + list(args), e, timeout)


def plain(prog, args=(), env=None, timeout=60):
    return _run(guest(prog) + list(args), dict(env or {}), timeout)


def only_on(*arches, why):
    """Skip (exit 77, never a pass) unless the drivers are built for one of
    arches."""
    if ARCH not in arches:
        raise Skip('%s: not on %s (%s)' % (why, ARCH, ', '.join(arches) + ' only'))


# ---------------------------------------------------------------- checking

def first_difference(a, b, name_a, name_b):
    """'' when equal, else a message showing the first differing line."""
    if a == b:
        return ''
    n = min(len(a), len(b))
    i = next((k for k in range(n) if a[k] != b[k]), n)
    la = a[i] if i < len(a) else '(end: %d lines)' % len(a)
    lb = b[i] if i < len(b) else '(end: %d lines)' % len(b)
    ctx = a[max(0, i - 3):i]
    msg = 'first difference at line %d (%s has %d lines, %s has %d):\n' % (
        i + 1, name_a, len(a), name_b, len(b))
    if ctx:
        msg += '  (common before it: %s)\n' % ' | '.join(ctx)
    msg += '  %-9s %s\n  %-9s %s' % (name_a + ':', la, name_b + ':', lb)
    return msg


def parse_log(lines):
    """[(seq, bar, offset, width, dir, value, rejected)]; Fail on a bad line."""
    res = []
    for l in lines:
        f = l.split()
        if len(f) not in (6, 7) or f[4] not in ('R', 'W'):
            raise Fail('malformed simulator log line: %r' % l)
        try:
            res.append((int(f[0]), int(f[1]), int(f[2], 16), int(f[3]), f[4], int(f[5], 16),
                        len(f) == 7))
        except ValueError as e:
            raise Fail('malformed simulator log line: %r' % l) from e
    return res


class Checker:
    """Collects failures of one test across builds; report() at the end."""

    def __init__(self):
        self.failures = []
        self.passes = []

    def fail(self, label, msg):
        self.failures.append('FAIL %s: %s' % (label, msg))
        print(self.failures[-1])

    def ok(self, label, msg=''):
        self.passes.append(label)
        print('ok   %s %s' % (label, msg))

    def check(self, cond, label, msg):
        if not cond:
            self.fail(label, msg)
        return bool(cond)

    def report(self):
        if self.failures:
            raise Fail('%d check(s) failed (details above), %d passed:\n%s' % (
                len(self.failures), len(self.passes),
                '\n'.join(f.splitlines()[0][:300] for f in self.failures)))


def compare_runs(chk, label, ref, got, logs=True, output=True, status=True):
    """Compare a reference run (explicit twin) with the run under the shim.
    Returns True when all compared aspects are identical."""
    good = True
    if status and ref.status != got.status:
        chk.fail(label, 'exit status: explicit %d, under shim %d\n%s\n%s' % (
            ref.status, got.status, ref.describe(), got.describe()))
        d = first_difference(ref.log, got.log, 'explicit', 'shim')
        if logs and d:
            print('  device access log: ' + d)
        return False
    if output:
        d = first_difference(ref.out.splitlines(), got.out.splitlines(), 'explicit', 'shim')
        if d:
            chk.fail(label, 'program output differs: ' + d + '\n  shim stderr: ' + _clip(got.err))
            good = False
    if logs:
        d = first_difference(ref.log, got.log, 'explicit', 'shim')
        if d:
            chk.fail(label, 'device access log differs: ' + d + '\n  shim stderr: ' + _clip(got.err))
            good = False
    return good


# s390x: the backends a BAR0 access goes through by default, and how to get
# each (issue 3: the drivers run against the simulator with the syscall
# backend and with the region backend). The simulator's normal mode plays a
# Linux 6.15 kernel that maps the BAR (auto picks syscall: QEMU has no MIO);
# MMIOSIM_MMAP=none plays an older kernel that refuses, and auto picks
# region. On x86_64 the region backend is already the default: one run.
S390X_CONFIGS = [('syscall', {}), ('region', {'MMIOSIM_MMAP': 'none'})]


def backend_configs(env):
    """[(backend expected for BAR0 or None, extra env)] to run a twin under.
    A test that chooses the backend or the kernel itself runs once."""
    if ARCH != 's390x' or any(k in (env or {}) for k in ('MMIOSHIM_BACKEND', 'MMIOSIM_MMAP')):
        return [(None, {})]
    return S390X_CONFIGS


def check_backend(chk, label, got, backend):
    """-v says which backend serves BAR0: it must be the one wanted."""
    used = re.findall(r'BAR0: trapping .*?, backend (\w+)', got.err)
    return chk.check(used and all(b == backend for b in used), label,
                     'BAR0 was served by %s, want the %s backend\n%s' % (
                         ', '.join(used) or 'no trapped mapping (-v)', backend, got.describe()))


def twin_test(source, args, levels=('0', '2'), env=None, ref_env=None, logs=True, output=True,
              expect_status=0, opts=()):
    """The strongest test: for every compiler and level, the driver under the
    shim and its explicit pread/pwrite twin under the simulator alone must
    give identical device logs (all fields), output and exit status. On
    s390x the driver runs twice, with the syscall and with the region
    backend (backend_configs), against the same twin run."""
    chk = Checker()
    configs = backend_configs(env)
    for label, normal, expl in builds(source, levels):
        ref = sim_only(expl, args, env=ref_env if ref_env is not None else env)
        if ref.status != expect_status:
            chk.fail(label, 'the explicit twin itself failed (simulator problem?)\n' + ref.describe())
            continue
        if logs and not ref.log:
            chk.fail(label, 'the explicit twin produced an empty device log\n' + ref.describe())
            continue
        for backend, extra in configs:
            lab = label if backend is None else '%s, %s backend' % (label, backend)
            e = dict(env or {})
            e.update(extra)
            got = under_shim(normal, args, env=e, opts=list(opts) + (['-v'] if backend else []))
            if backend and not check_backend(chk, lab, got, backend):
                continue
            if compare_runs(chk, lab, ref, got, logs=logs, output=output):
                chk.ok(lab, '(%d log lines, %d output lines identical)' % (len(ref.log), len(ref.out.splitlines())))
    chk.report()
    return chk


def run_main(tests, argv=None):
    """The command line of a test script: `NAME` runs the test `tests[NAME]`,
    `--list` lists them. Returns the exit status: 0 pass, 1 fail, 77 skip,
    2 usage."""
    argv = sys.argv if argv is None else argv
    if len(argv) == 2 and argv[1] == '--list':
        print('\n'.join(tests))
        return 0
    if len(argv) != 2 or argv[1] not in tests:
        print('usage: %s --list | TEST\ntests: %s' % (argv[0], ' '.join(tests)), file=sys.stderr)
        return 2
    try:
        tests[argv[1]]()
    except Skip as e:
        print('SKIP: %s' % e)
        return 77
    except Fail as e:
        print('FAIL: %s' % e)
        return 1
    print('PASS')
    return 0
