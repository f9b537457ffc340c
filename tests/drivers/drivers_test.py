#!/usr/bin/env python3
"""End-to-end tests: unmodified test drivers under mmio-run against the
simulated `regs` device.   drivers_test.py NAME | --list

Each test is one function below; its name says the behaviour.  Exit 0
pass, 1 fail (with what differed), 77 skip."""
import json
import os
import re
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True      # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (ALL_LEVELS, ARCH, BDF, WRAPPER, LIBMMIOSHIM, LIBMMIOSIM, MMIO_RUN, backend_configs,  # noqa: E402
                     SIGSEGV_STATUS, SOURCE_ROOT, Checker, Skip, build, builds, compare_runs,
                     compilers, first_difference, guest, mmio_run_argv, only_on, parse_log, plain,
                     preload_shim, run_main, sim_only, swap32, twin_test, under_shim, _run)

TESTS = {}


def test(fn):
    TESTS[fn.__name__] = fn
    return fn


def x86_only(why):
    """The test exercises x86_64 instructions (inline assembly, SSE/AVX,
    rep movs/stos): on another architecture it is a skip, never a pass."""
    def deco(fn):
        def f():
            only_on('x86_64', why=why)
            return fn()
        f.__name__ = fn.__name__
        return f
    return deco


def s390x_only(why):
    def deco(fn):
        def f():
            only_on('s390x', why=why)
            return fn()
        f.__name__ = fn.__name__
        return f
    return deco


# ------------------------------------------------ instruction classes (C)

def insn(scenario, **kw):
    twin_test('insn.c', [scenario], levels=ALL_LEVELS, **kw)


@test
def insn_loads_stores_8_16_32_64_log_matches_explicit():
    insn('loadstore')


@test
def insn_loads_stores_backend_region_log_matches_explicit():
    insn('loadstore', env={'MMIOSHIM_BACKEND': 'region'}, ref_env={})


@test
@s390x_only('the syscall backend (s390_pci_mmio_read/write)')
def insn_loads_stores_backend_syscall_log_matches_explicit():
    insn('loadstore', env={'MMIOSHIM_BACKEND': 'syscall'}, ref_env={})


@test
def insn_zero_sign_extension_log_matches_explicit():
    insn('extend')


@test
def insn_immediate_stores_log_matches_explicit():
    insn('immediate')


@test
def insn_rmw_memory_destination_log_matches_explicit():
    insn('rmw')


@test
def insn_rmw_shift_memory_destination_log_matches_explicit():
    insn('rmw_shift')


@test
def insn_arith_memory_source_log_matches_explicit():
    insn('memsrc')


@test
def insn_cmp_test_memory_log_matches_explicit():
    insn('cmptest')


@test
@x86_only('movnti')
def insn_movnti_log_matches_explicit():
    insn('movnti')


@test
@x86_only('SSE moves')
def insn_sse_moves_log_matches_explicit():
    insn('sse')


@test
@x86_only('AVX moves')
def insn_avx_vex_moves_log_matches_explicit():
    insn('avx128')


@test
def insn_memcpy_memset_into_bytes_device_contents_match_explicit():
    # glibc and the compilers may store in pieces, overlapping or out of
    # order: compare what the device ends up holding (printed), not the log
    insn('copies', logs=False)


# ------------------------------------------------ instruction forms (asm)

@test
@x86_only('x86_64 inline assembly')
def asm_load_register_writeback_matches_explicit():
    twin_test('asmops.c', ['loads'])


@test
@x86_only('rep movs/stos are x86_64 string instructions')
def asm_string_instructions_are_element_accesses_match_explicit():
    # rep stosl onto four 32-bit doorbells is four 4-byte writes (not two
    # 8-byte ones the device rejects); rep movs BAR to BAR alternates read
    # and write per element
    twin_test('asmops.c', ['strings'])


@test
@x86_only('x86_64 inline assembly')
def asm_store_forms_log_matches_explicit():
    twin_test('asmops.c', ['stores'])


@test
@x86_only('x86_64 inline assembly')
def asm_flags_of_cmp_test_arith_rmw_match_explicit():
    twin_test('asmops.c', ['flags'])


# ------------------------------------------------ VFIO flows and mappings

@test
def vfio_group_flow_log_matches_explicit():
    twin_test('mapping.c', ['basic'], env={'DRV_FLOW': 'group'})


@test
def vfio_cdev_flow_log_matches_explicit():
    twin_test('mapping.c', ['basic'], env={'DRV_FLOW': 'cdev'})


@test
def map_fixed_over_reservation_log_matches_explicit():
    twin_test('mapping.c', ['fixed'])


@test
def map_fixed_over_reservation_cdev_flow_log_matches_explicit():
    twin_test('mapping.c', ['fixed'], env={'DRV_FLOW': 'cdev'})


@test
def double_mapping_rw_and_wo_both_reach_device():
    chk = twin_test('mapping.c', ['double'])
    # beyond equality with the twin: the doorbell writes made through the
    # write-only mapping are in the log
    for label, normal, _ in builds('mapping.c'):
        got = under_shim(normal, ['double'])
        log = parse_log(got.log)
        dbs = [(o, v) for _, b, o, w, d, v, _ in log if b == 0 and d == 'W' and 0x100 <= o < 0x200]
        want = [(0x114, 0xd0000002), (0x118, 0xd0000003), (0x100, 0x100), (0x104, 0x101),
                (0x108, 0x102), (0x10c, 0x103)]
        want = [(o, swap32(v)) for o, v in want]
        chk.check(dbs == want, label, 'doorbell writes through the write-only mapping: got %s, want %s'
                  % ([(hex(o), hex(v)) for o, v in dbs], [(hex(o), hex(v)) for o, v in want]))
        ids = [v for _, b, o, w, d, v, _ in log if o == 0 and d == 'R']
        chk.check(ids == [0x4d4d494f], label, 'ID reads through the read-write mapping: %s' % ids)
    chk.report()


@test
def remap_after_munmap_log_matches_explicit():
    twin_test('mapping.c', ['remap'])


@test
def dup_device_fd_log_matches_explicit():
    twin_test('mapping.c', ['dupfd'])


@test
def device_fd_received_over_socket_log_matches_explicit():
    twin_test('mapping.c', ['received'])


@test
def sysfs_resource_file_mapping_trapped_with_trap_all():
    """A BAR mapped through /sys/bus/pci/devices/BDF/resource2: recognised
    by its path, trapped with MMIOSHIM_TRAP=all (direct backend), and the
    stores reach BAR2 (read back through the VFIO region)."""
    chk = Checker()
    want = ['read back 51500002'] + ['BAR2[%d] 5150000%d' % (i, i) for i in range(4)]
    for label, normal, _ in builds('sysfs_bar.c', explicit_too=False):
        got = under_shim(normal, [], env={'MMIOSHIM_TRAP': 'all'}, opts=['-v'])
        ok = chk.check(got.status == 0 and got.out.splitlines() == want, label,
                       'output or status wrong\n' + got.describe())
        # s390x: the kernel's mapping is reached with the PCI MMIO system calls
        backend = 'syscall' if ARCH == 's390x' else 'direct'
        ok &= chk.check(re.search(r'BAR2: trapping .* backend ' + backend, got.err) is not None, label,
                        'the sysfs mapping was not trapped with the %s backend:\n%s' % (backend, got.err))
        if ok:
            chk.ok(label)
    chk.report()


# ------------------------------------------------ faults that are not ours

def fault_same_as_without_shim(scenario):
    """The fault under the shim (BAR mapped through the simulator) must look
    exactly like the same program without shim or simulator, where the BAR
    is anonymous memory laid out the same way: same exit status, the
    mapping at the address hint, and an application handler sees the same
    signal, si_code and address."""
    chk = Checker()
    for label, normal, _ in builds('faults.c', explicit_too=False):
        for extra in ([], ['handler']):
            lab = '%s %s' % (label, ' '.join([scenario] + extra))
            ref = plain(normal, [scenario] + extra + ['anon'])
            got = under_shim(normal, [scenario] + extra)
            want = 42 if extra else SIGSEGV_STATUS
            if not chk.check(ref.status == want, lab, 'the reference run itself did not end as expected '
                             '(status %d, want %d)\n%s' % (ref.status, want, ref.describe())):
                continue
            if not chk.check(got.status == ref.status, lab, 'exit status %d under the shim, %d without'
                             '\n%s' % (got.status, ref.status, got.describe())):
                continue
            hint = 'mapping not at the hint'
            good = chk.check(hint not in got.err or hint in ref.err, lab,
                             'the shim did not honour the address hint the kernel honours without it'
                             '\n%s' % got.describe())
            d = first_difference(ref.out.splitlines(), got.out.splitlines(), 'without', 'shim')
            good &= chk.check(not d, lab, 'what the program saw differs: %s\n  shim stderr: %s'
                              % (d, got.err.strip()))
            good &= chk.check(not got.shim_lines(), lab, 'the shim reported a fault that is not on '
                              'its mapping: %s' % got.shim_lines())
            if good:
                chk.ok(lab, '(%s)' % (got.out.strip().splitlines()[-1]))
    chk.report()


@test
def fault_null_read_same_as_without_shim():
    fault_same_as_without_shim('null_read')


@test
def fault_null_write_same_as_without_shim():
    fault_same_as_without_shim('null_write')


@test
def fault_past_end_same_as_without_shim():
    fault_same_as_without_shim('pastend')


@test
def fault_past_end_into_app_reservation_same_as_without_shim():
    fault_same_as_without_shim('pastend_fixed')


@test
def forced_backend_that_cannot_work_fails_the_mmap_with_message():
    """MMIOSHIM_BACKEND (mmio-run --backend) forcing a backend that cannot
    work on a region: the driver's mmap fails with ENODEV, one message names
    the device, BAR, backend and why, and a failed MAP_FIXED mmap leaves the
    driver's reservation in place."""
    chk = Checker()
    # what cannot work here: another architecture's backend, and `direct`
    # on BAR0, which the (simulated) kernel does not map
    cases = {'x86_64': [('syscall', 'not available on x86_64'), ('mio', 'not available on x86_64'),
                        ('direct', 'the kernel did not map this BAR')],
             's390x': [('direct', 'not available on s390x'), ('mio', 'no PCI MIO instructions')]}[ARCH]
    label, normal, _ = builds('faults.c', explicit_too=False)[0]
    for backend, why in cases:
        lab = '%s --backend %s' % (label, backend)
        got = under_shim(normal, ['map_refused'], opts=['--backend', backend])
        want = 'plain: ENODEV\nfixed: ENODEV\nreservation intact\n'
        good = chk.check(got.status == 0 and got.out == want, lab, 'expected output %r, exit 0\n%s'
                         % (want, got.describe()))
        msg = [l for l in got.shim_lines() if 'backend %s cannot work here' % backend in l]
        good &= chk.check(len(msg) == 2 and all(BDF in l and 'BAR0' in l and why in l for l in msg), lab,
                          'expected one message per mmap naming %s, BAR0, backend %s and %r:\n%s'
                          % (BDF, backend, why, got.err))
        good &= chk.check(not got.log, lab, 'the device saw accesses: %r' % got.log)
        if good:
            chk.ok(lab, msg[0].strip())
    chk.report()


@test
def fault_straddling_end_refused_with_message():
    """A 16-byte load at BAR0+0xff8 of a 4 KiB mapping runs past its end:
    the shim cannot emulate it; it says so and the process dies by
    SIGSEGV, as it does without the shim; the device sees no access."""
    chk = Checker()
    for label, normal, _ in builds('faults.c', explicit_too=False):
        ref = plain(normal, ['straddle', 'anon'])
        got = under_shim(normal, ['straddle'])
        direct = preload_shim(normal, ['straddle'])
        good = chk.check(ref.status == SIGSEGV_STATUS, label, 'reference: ' + ref.describe())
        good &= chk.check(got.status == SIGSEGV_STATUS, label, 'status under mmio-run %d, want %d\n%s'
                          % (got.status, SIGSEGV_STATUS, got.describe()))
        good &= chk.check(direct.rc == -11, label, 'the process did not die by SIGSEGV (returncode %d)\n%s'
                          % (direct.rc, direct.describe()))
        good &= chk.check('after fault' not in got.out, label, 'the program went on after the fault')
        good &= chk.check(len(got.shim_lines()) == 1, label, 'want one "mmioshim:" line on stderr, got: %r'
                          % got.err)
        late = [l for l in parse_log(got.log) if l[2] >= 0xff0]
        good &= chk.check(not late, label, 'the device saw (part of) the refused access: %s' % late)
        if good:
            chk.ok(label, got.shim_lines()[0])
    chk.report()


# ------------------------------------------------ the application's signals

@test
def app_sigsegv_handler_gets_own_faults_bar_still_works():
    chk = twin_test('sighandler.c', ['handler'])
    for label, normal, _ in builds('sighandler.c'):
        out = under_shim(normal, ['handler']).out
        # s390x reports the page of a fault, not the byte
        offsets = ('0x0', '0x1000') if ARCH == 's390x' else ('0x10', '0x1020')
        for want in ('write own page: faults 1 code 2 offset %s\n' % offsets[0],
                     'read own page: faults 2 code 2 offset %s\n' % offsets[1],
                     'sigaction reports app handler: yes, SA_SIGINFO: yes'):
            chk.check(want in out, label, 'missing %r in output:\n%s' % (want, out))
    chk.report()


@test
def app_sigsegv_handler_may_touch_bar():
    twin_test('sighandler.c', ['handler_bar'])


@test
def app_signal_handler_with_full_mask_may_touch_bar():
    twin_test('sighandler.c', ['usr1_fullmask'])


@test
def app_sigsegv_blocked_bar_still_works():
    chk = twin_test('sighandler.c', ['block'])
    for label, normal, _ in builds('sighandler.c'):
        out = under_shim(normal, ['block']).out
        chk.check('mask reports SIGSEGV blocked: yes' in out, label,
                  'the application no longer sees its own signal mask:\n' + out)
    chk.report()


@test
def app_sigsegv_blocked_in_thread_bar_still_works():
    twin_test('sighandler.c', ['block_thread'])


@test
def app_sigsegv_blocked_own_fault_dies_as_without_shim():
    twin_test('sighandler.c', ['block_own'], expect_status=SIGSEGV_STATUS)


# ------------------------------------------------ threads and fork

@test
def invisible_siglongjmp_out_of_a_sigsegv_handler_catches_the_next_fault():
    twin_test('invisible.c', ['siglongjmp'])


@test
def invisible_longjmp_without_saved_mask_dies_on_the_next_fault_as_without_shim():
    twin_test('invisible.c', ['longjmp'], expect_status=SIGSEGV_STATUS)


def says_test(args, want):
    """Under the shim the program exits 0 and prints a line matching each
    regular expression of want (the kernel's answers it reads back)."""
    chk = Checker()
    for label, normal, _ in builds('invisible.c'):
        r = under_shim(normal, args)
        lines = r.out.splitlines()
        missing = [w for w in want if not any(re.match(w + '$', l) for l in lines)]
        if chk.check(r.status == 0 and not missing, label, 'missing %r\n%s' % (missing, r.describe())):
            chk.ok(label, ' / '.join(l for l in lines if any(re.match(w + '$', l) for w in want)))
    chk.report()


def pending_test(mode, want):
    """A blocked SIGSEGV sent to the program: its output must be want (the
    kernel's answers). Natively the run without the shim says the same;
    qemu-user's sigpending does not report a signal its guest blocked (it
    queues it itself), so there only the device log and the status are
    compared with that run."""
    twin_test('invisible.c', [mode], output=not WRAPPER)
    says_test([mode], [re.escape(w) for w in want])


@test
def invisible_blocked_sigsegv_sent_stays_pending():
    pending_test('pending', ['after kill: pending yes, handled 0', 'pending: done'])


@test
def invisible_blocked_sigsegv_sent_runs_handler_at_unblock():
    pending_test('pending_unblock', ['after kill: pending yes, handled 0', 'after unblock: pending no, handled 1'])


@test
def invisible_new_thread_inherits_blocked_sigsegv():
    twin_test('invisible.c', ['thread'])


@test
def invisible_fork_while_threads_map_and_access_bar_children_never_hang():
    # the threads' doorbell counts vary from run to run: output and status
    twin_test('invisible.c', ['fork_threads'], logs=False)


@test
def invisible_vfork_and_fork_exec_while_threads_hammer_the_bar():
    # each child execs the program again, preloaded again: it must start
    # clean (no lock of the parent's threads held) and reach the device
    if WRAPPER:
        raise Skip('a guest program that execs itself needs binfmt_misc for %s' % ARCH)
    twin_test('invisible.c', ['vfork_threads'], logs=False)


@test
def invisible_device_fd_beyond_65535_is_still_trapped():
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 70001
    if soft < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (max(want, min(soft, hard)), max(want, hard)))
        except (ValueError, OSError) as e:
            raise Skip('RLIMIT_NOFILE cannot be raised to %d here (soft %d, hard %d: %s)'
                       % (want, soft, hard, e))
    try:
        twin_test('invisible.c', ['highfd'])
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@test
def invisible_handler_on_6k_alternate_stack_may_touch_bar():
    twin_test('invisible.c', ['altstack', '6144'])


@test
def invisible_handler_on_4k_alternate_stack_may_touch_bar():
    twin_test('invisible.c', ['altstack', '4096'])


@test
def invisible_sigaltstack_reads_back_the_programs_stack():
    # the shim gives the kernel a larger stack of its own; the program must
    # still read back its buffer, its size and the kernel's flags
    says_test(['altstack', '8192'],
              [r'handler: on its stack yes, ID 0x[0-9a-f]+, scratch 0xa175',
               r'after: the program\'s stack yes, size 8192, flags 0x0',
               r'disabled: old is the program\'s yes, size 8192',
               r'now: flags 0x%x' % 2])       # SS_DISABLE


@test
def setup_failures_are_said_not_passed_over():
    # what the shim says when a setup step of its own fails: the BAR is not
    # silently left untrapped, and capstone never mallocs in the handler
    lib = os.environ.get('FAILSETUP_LIB')
    if not lib or not os.path.exists(lib):
        raise Fail('the failsetup helper is not built (FAILSETUP_LIB=%r)' % lib)
    cases = (('cs_mem', r"capstone refused the shim's signal-safe allocator .*this BAR mapping fails \(ENOMEM\)"),
             ('get_info', r': VFIO_DEVICE_GET_INFO failed \(Input/output error\): mappings of its BARs '
                          r'will not be trapped'),
             ('get_region_info', r': VFIO_DEVICE_GET_REGION_INFO of region 0 failed \(Input/output error\): '
                                 r'mappings of this BAR will not be trapped'))
    chk = Checker()
    label, prog, _ = builds('invisible.c', levels=('2',), explicit_too=False)[0]
    for mode, msg in cases:
        r = _run(guest(prog) + ['bar'], {'LD_PRELOAD': '%s %s %s' % (LIBMMIOSHIM, lib, LIBMMIOSIM),
                                          'MMIOSIM_DEVICES': 'regs@' + BDF, 'FAILSETUP': mode}, 60)
        lines = [l for l in r.shim_lines() if re.search(msg, l)]
        if chk.check(len(lines) == 1 and r.status != 0 and 'again:' not in r.out, mode,
                     'want one message matching %r and the driver stopped\n%s' % (msg, r.describe())):
            chk.ok(mode, lines[0])
    chk.report()


@test
def invisible_mprotect_of_bar_never_opens_the_guard():
    twin_test('invisible.c', ['mprotect_race'])


@test
def threads_4_doorbells_nothing_lost_or_duplicated():
    n = 2000
    doorbells = {1: 1, 7: 2, 30: 3, 63: 4}      # doorbell index -> thread tag
    chk = Checker()
    for label, normal, _ in builds('threads.c', explicit_too=False):
        got = under_shim(normal, [str(n)], timeout=300)
        if not chk.check(got.status == 0, label, got.describe()):
            continue
        log = parse_log(got.log)
        bad = [l for l in log if not (l[4] == 'W' and l[3] == 4 and (l[2] - 0x100) // 4 in doorbells
                                      and l[2] % 4 == 0)]
        good = chk.check(not bad, label, '%d unexpected log lines, first: %s' % (len(bad), bad[:3]))
        good &= chk.check(len(log) == 4 * n, label, '%d doorbell writes logged, want %d' % (len(log), 4 * n))
        for db, tag in doorbells.items():
            vals = [l[5] for l in log if l[2] == 0x100 + 4 * db]
            want = [swap32((tag << 24) | k) for k in range(1, n + 1)]
            if vals != want:
                i = next((k for k in range(min(len(vals), n)) if vals[k] != want[k]), min(len(vals), n))
                chk.fail(label, 'doorbell %d: %d writes; first difference at write %d: got %s want %s' % (
                    db, len(vals), i + 1, hex(vals[i]) if i < len(vals) else 'nothing',
                    hex(want[i]) if i < n else 'nothing'))
                good = False
        seqs = [l[0] for l in log]
        good &= chk.check(seqs == list(range(1, len(log) + 1)), label, 'sequence numbers not 1..N')
        if good:
            chk.ok(label, '(%d writes)' % len(log))
    chk.report()


@test
def fork_parent_and_child_both_reach_device():
    chk = twin_test('forking.c', [])
    for label, normal, _ in builds('forking.c'):
        got = under_shim(normal, [])
        log = parse_log(got.log)
        writes = [(o, v) for _, _, o, _, d, v, _ in log if d == 'W']
        for w in ((0x104, swap32(0xc0de)), (0x8, swap32(0x2222)), (0x108, swap32(0xda7a))):
            chk.check(w in writes, label, 'write %s=%s missing from the log' % (hex(w[0]), hex(w[1])))
        chk.check('child exit: status 0' in got.out and 'parent after child: scratch 00012222' in got.out,
                  label, 'output:\n' + got.out + got.err)
    chk.report()


# ------------------------------------------------ what the shim must refuse

def refused(scenario, mnemonic_re, reason_re=None, offsets=(0x8,), env=None):
    """Under the shim: "before" printed, one stderr line starting mmioshim:
    naming the instruction, the device and the offset; death by SIGSEGV
    (139 through mmio-run); the device saw nothing of the access."""
    chk = Checker()
    for label, normal, _ in builds('unsupported.c', explicit_too=False):
        got = under_shim(normal, [scenario], env=env)
        direct = preload_shim(normal, [scenario], env=env)
        good = chk.check(got.status == SIGSEGV_STATUS, label, 'status %d under mmio-run, want %d\n%s'
                         % (got.status, SIGSEGV_STATUS, got.describe()))
        good &= chk.check(direct.rc == -11, label, 'did not die by SIGSEGV (returncode %d)\n%s'
                          % (direct.rc, direct.describe()))
        good &= chk.check(got.out.startswith('before') and 'after' not in got.out, label,
                          'output: %r' % got.out)
        lines = got.shim_lines()
        if not chk.check(len(lines) == 1, label, 'want exactly one "mmioshim:" line, stderr: %r' % got.err):
            continue
        line = lines[0]
        for what, pat in (('instruction', mnemonic_re), ('device', re.escape(BDF)),
                          ('offset', '|'.join('0x0*%x\\b' % o for o in offsets)), ('reason', reason_re)):
            if pat:
                good &= chk.check(re.search(pat, line, re.I), label, 'the message does not name the %s '
                                  '(/%s/): %s' % (what, pat, line))
        # setup wrote SCRATCH (0x8) once and BYTES (0x30, 0x38) once each
        log = parse_log(got.log)
        late = [l for l in log[3:] if any(o <= l[2] < o + 8 for o in offsets)]
        good &= chk.check(not late, label, 'the device saw the refused access: %s' % late)
        if good:
            chk.ok(label, line)
    chk.report()


# the instruction each scenario of unsupported.c uses, per architecture
REFUSED_INSN = {
    'x86_64': {'lock_or': r'lock\s*or', 'xchg': r'xchg', 'cmpxchg': r'cmpxchg', 'lock_xadd': r'xadd',
               'crc32': r'crc32', 'load': r'mov', 'store': r'mov'},
    's390x': {'lock_or': r'\blao\b', 'xchg': r'\bcs\b', 'cmpxchg': r'\bcsg\b', 'lock_xadd': r'\blaa\b',
              'crc32': r'\bldeb\b', 'load': r'\bl[a-z]*\b', 'store': r'\bst[a-z]*\b'},
}.get(ARCH, {})


def refused_insn(what):
    if what not in REFUSED_INSN:
        raise Skip('no scenario for %s' % ARCH)
    return REFUSED_INSN[what]


@test
def unsupported_lock_or_dies_with_message():
    refused('lock_or', refused_insn('lock_or'))


@test
def unsupported_xchg_dies_with_message():
    refused('xchg', refused_insn('xchg'))


@test
def unsupported_lock_cmpxchg_dies_with_message():
    refused('cmpxchg', refused_insn('cmpxchg'))


@test
def unsupported_lock_xadd_dies_with_message():
    refused('lock_xadd', refused_insn('lock_xadd'))


@test
def unknown_instruction_crc32_dies_with_message():
    refused('crc32', refused_insn('crc32'))


@test
def unaligned_load32_refused_by_default():
    refused('unaligned_load32', refused_insn('load'), r'align', offsets=(0x31,))


@test
def unaligned_store64_refused_by_default():
    refused('unaligned_store64', refused_insn('store'), r'align', offsets=(0x32,))


@test
def unaligned_load16_refused_by_default():
    refused('unaligned_load16', refused_insn('load'), r'align', offsets=(0x33,))


def split(scenario, want):
    """MMIOSHIM_UNALIGNED=split: the access becomes naturally aligned pieces
    in address order (as vfio-pci splits a pread/pwrite), identical to the
    explicit twin's pread/pwrite of the same bytes."""
    env = {'MMIOSHIM_UNALIGNED': 'split'}
    chk = twin_test('unsupported.c', [scenario], env=env, ref_env={})
    for label, normal, _ in builds('unsupported.c'):
        got = under_shim(normal, [scenario], env=env)
        pieces = [(o, w, d) for _, _, o, w, d, _, _ in parse_log(got.log)[3:]]
        pieces = pieces[:len(want)]
        chk.check(pieces == want, label, 'pieces %s, want %s' % (
            [(hex(o), w, d) for o, w, d in pieces], [(hex(o), w, d) for o, w, d in want]))
    chk.report()


@test
def unaligned_load32_split_into_aligned_pieces():
    split('unaligned_load32', [(0x31, 1, 'R'), (0x32, 2, 'R'), (0x34, 1, 'R')])


@test
def unaligned_store64_split_into_aligned_pieces():
    split('unaligned_store64', [(0x32, 2, 'W'), (0x34, 4, 'W'), (0x38, 2, 'W')])


@test
def unaligned_load16_split_into_aligned_pieces():
    split('unaligned_load16', [(0x33, 1, 'R'), (0x34, 1, 'R')])


# ------------------------------------------------ BAR2: block copies

def bulk(env, scenarios=('libc', 'repb'), perms='---', shim=True):
    """A scenario this CPU cannot run (avx2, avx512) makes bulk exit 77:
    the test is a skip with its reason, never a pass."""
    chk = Checker()
    for label, normal, _ in builds('bulk.c', explicit_too=False):
        args = ['perms'] + list(scenarios)
        got = under_shim(normal, args, env=env) if shim else sim_only(normal, args, env=env)
        if got.status == 77:
            m = re.search(r'^SKIP: (.*)$', got.out, re.M)
            raise Skip(m.group(1) if m else 'bulk exited 77 without a reason:\n' + got.describe())
        good = chk.check(got.status == 0 and 'MISMATCH' not in got.out, label,
                         'BAR2 contents wrong or the run failed\n' + got.describe())
        m = re.search(r'bar2 perms (\S+)', got.out)
        if perms and m:
            good &= chk.check(m.group(1).startswith(perms), label,
                              'BAR2 page permissions %s, want %s... (%s)' % (
                                  m.group(1), perms, 'trapped' if perms == '---' else 'the real mapping'))
        if good:
            chk.ok(label, '(%d checks ok)' % got.out.count('\nok '))
    chk.report()


@test
@x86_only('the CPU reaches the simulated BAR2 mapping (on s390x a BAR mapping faults)')
def bar2_block_copies_simulator_alone():
    bulk({}, scenarios=('libc', 'repb', 'repq'), perms=None, shim=False)


@test
@x86_only('the CPU reaches the simulated BAR2 mapping (on s390x a BAR mapping faults)')
def bar2_avx2_moves_simulator_alone():
    bulk({}, scenarios=('avx2',), perms=None, shim=False)


@test
@x86_only('the CPU reaches the simulated BAR2 mapping (on s390x a BAR mapping faults)')
def bar2_avx512_moves_simulator_alone():
    bulk({}, scenarios=('avx512',), perms=None, shim=False)


@test
@x86_only('the x86_64 vector scenarios')
def bulk_scenario_the_cpu_lacks_is_a_skip_not_a_pass():
    # what a CPU without AVX-512 or AVX2 makes of the vector scenarios:
    # exit 77 with the reason, which bulk() turns into a skip
    chk = Checker()
    label, normal, _ = builds('bulk.c', levels=('2',), explicit_too=False)[0]
    for scenario, feature in (('avx512', 'avx512f'), ('avx2', 'avx2')):
        r = under_shim(normal, ['perms', scenario], env={'DRV_CPU_LACKS': feature})
        lab = '%s without %s' % (scenario, feature)
        if chk.check(r.status == 77 and 'SKIP: the CPU lacks %s' % feature in r.out, lab,
                     'want exit 77 and the reason\n' + r.describe()):
            try:
                bulk({'DRV_CPU_LACKS': feature}, scenarios=(scenario,))
                chk.fail(lab, 'bulk() passed a scenario that did not run')
            except Skip as e:
                chk.ok(lab, 'SKIP: %s' % e)
    chk.report()


BAR2_MODES = {
    'region_backend_mmap_none': {'MMIOSIM_MMAP': 'none'},
    'region_backend_mmap_refused': {'MMIOSIM_MMAP': 'refuse'},
    'direct_backend_trap_all': {'MMIOSHIM_TRAP': 'all'},
    'syscall_backend': {'MMIOSHIM_BACKEND': 'syscall'},
}
BAR2_MODE_ARCH = {'direct_backend_trap_all': 'x86_64', 'syscall_backend': 's390x'}
BAR2_KINDS = {
    'rep_movsb_stosb': ('repb',),                 # explicit rep movsb/stosb
    'libc_memcpy_memset': ('libc',),              # whatever glibc picks on this CPU
    'avx2_moves': ('avx2',),                      # vmovdqu ymm, vmovntdq (skip without AVX2)
    'avx512_moves': ('avx512',),                  # vmovdqu64 zmm (skip without AVX-512F)
    'rep_movsq_stosq': ('repq',),
}
BAR2_KIND_X86 = ('rep_movsb_stosb', 'avx2_moves', 'avx512_moves', 'rep_movsq_stosq')


def _bar2_test(kind, mode):
    def f():
        if kind in BAR2_KIND_X86:
            only_on('x86_64', why='x86_64 block copies (%s)' % kind)
        if mode in BAR2_MODE_ARCH:
            only_on(BAR2_MODE_ARCH[mode], why='the %s' % mode.replace('_', ' '))
        bulk(BAR2_MODES[mode], scenarios=BAR2_KINDS[kind])
    f.__name__ = 'bar2_%s_%s' % (kind, mode)
    return f


for _k in BAR2_KINDS:
    for _m in BAR2_MODES:
        if _k == 'rep_movsq_stosq' and _m != 'region_backend_mmap_none':
            continue
        if _m == 'syscall_backend' and _k != 'libc_memcpy_memset':
            continue
        test(_bar2_test(_k, _m))


@test
@x86_only('on s390x every BAR is trapped (the CPU cannot reach one)')
def bar2_not_trapped_by_default():
    bulk({}, perms='rw')


@test
@s390x_only('on s390x every BAR mapping is trapped')
def bar2_trapped_by_default_s390x():
    bulk({}, scenarios=('libc',), perms='---')


@test
@s390x_only('the syscall backend')
def bar2_backend_region_and_syscall_agree():
    chk = Checker()
    for label, normal, _ in builds('bulk.c', explicit_too=False):
        runs = {}
        for be in ('region', 'syscall'):
            runs[be] = r = under_shim(normal, ['perms', 'libc'], env={'MMIOSHIM_BACKEND': be})
            chk.check(r.status == 0 and 'MISMATCH' not in r.out and 'bar2 perms ---' in r.out,
                      '%s backend %s' % (label, be), r.describe())
        d = first_difference(runs['region'].out.splitlines(), runs['syscall'].out.splitlines(),
                             'region', 'syscall')
        if chk.check(not d, label, 'the backends disagree: ' + d):
            chk.ok(label)
    chk.report()


@test
@x86_only('the direct backend and x86_64 rep movs/stos')
def bar2_backend_region_and_direct_with_trap_all_agree():
    chk = Checker()
    for label, normal, _ in builds('bulk.c', explicit_too=False):
        runs = {}
        for be in ('region', 'direct'):
            runs[be] = r = under_shim(normal, ['perms', 'repb', 'repq'],
                                      env={'MMIOSHIM_TRAP': 'all', 'MMIOSHIM_BACKEND': be})
            chk.check(r.status == 0 and 'MISMATCH' not in r.out and 'bar2 perms ---' in r.out,
                      '%s backend %s' % (label, be), r.describe())
        d = first_difference(runs['region'].out.splitlines(), runs['direct'].out.splitlines(),
                             'region', 'direct')
        if chk.check(not d, label, 'the backends disagree: ' + d):
            chk.ok(label)
    chk.report()


# ------------------------------------------------ environment

BAD_ENV = {
    'MMIOSHIM_BACKEND': ('bogus', ['auto', 'region', 'direct', 'syscall', 'mio']),
    'MMIOSHIM_TRAP': ('sometimes', ['auto', 'all']),
    'MMIOSHIM_UNALIGNED': ('maybe', ['refuse', 'split']),
    'MMIOSHIM_LOG': ('loud', ['error', 'warn', 'info', 'debug']),
    'MMIOSHIM_COMPAT': ('on', ['auto', 'none']),
    'MMIOSIM_DEVICES': ('nosuchmodel@0000:00:01.0', ['regs']),
    'MMIOSIM_MMAP': ('sometimes', ['normal', 'none', 'refuse']),
    'MMIOSIM_MIO': ('2', ['0', '1']),
}


def hello():
    cc = compilers()[0]
    return build('hello.c', cc, '2')


def bad_env(var):
    value, accepted = BAD_ENV[var]
    prog = hello()
    chk = Checker()
    runs = []
    if var.startswith('MMIOSHIM_'):
        runs.append(('mmio-run', under_shim(prog, env={var: value})))
        runs.append(('LD_PRELOAD=libmmioshim.so', _run(guest(prog), {'LD_PRELOAD': LIBMMIOSHIM, var: value}, 30)))
    else:
        runs.append(('LD_PRELOAD=libmmiosim.so', sim_only(prog, env={var: value})))
        if var != 'MMIOSIM_DEVICES':        # mmio-run --sim sets that one itself
            runs.append(('mmio-run --sim regs', under_shim(prog, env={var: value})))
    for how, r in runs:
        lab = '%s=%s via %s' % (var, value, how)
        good = chk.check(r.status == 2, lab, 'exit status %d, want 2\n%s' % (r.status, r.describe()))
        good &= chk.check('main reached' not in r.out, lab, 'main() ran')
        good &= chk.check(var in r.err, lab, 'the message does not name %s: %r' % (var, r.err))
        missing = [a for a in accepted if not re.search(r'\b%s\b' % a, r.err)]
        good &= chk.check(not missing, lab, 'the message does not list accepted value(s) %s: %r'
                          % (missing, r.err))
        if good:
            chk.ok(lab, r.err.strip().splitlines()[0] if r.err.strip() else '')
    chk.report()


def _bad_env_test(var):
    def f():
        bad_env(var)
    f.__name__ = 'bad_env_%s_exits_2_before_main' % var
    return f


for _v in BAD_ENV:
    test(_bad_env_test(_v))


@test
def good_env_values_accepted():
    prog = hello()
    chk = Checker()
    for var, (_, accepted) in BAD_ENV.items():
        for a in accepted:
            if var == 'MMIOSIM_DEVICES' or (ARCH != 's390x' and a in ('syscall', 'mio')):
                continue        # s390x-only backends may be refused on x86_64
            r = under_shim(prog, env={var: a})
            lab = '%s=%s' % (var, a)
            if chk.check(r.status == 0 and 'main reached' in r.out, lab, r.describe()):
                chk.ok(lab)
    chk.report()


# ------------------------------------------------ compatibility fixes

COMPAT_NOTICE = re.compile(r'^mmioshim: %s: PCI_COMMAND write ([0-9a-f]{2}) ([0-9a-f]{2}) sent as '
                           r'([0-9a-f]{2}) ([0-9a-f]{2}): the driver set bus master \(0x0004\) in host byte '
                           r'order, which on this big-endian host is 0x0400 \(INTx disable\) on the device; '
                           r'MMIOSHIM_COMPAT=none \(mmio-run --compat=none\) turns this fix off$' % re.escape(BDF))


def compat_run(mode, opts=(), env=None):
    """[(label, result, device's PCI_COMMAND bytes after it)] of the compat
    driver in mode, for every compiler at -O0 and -O2 (-O2: pread through
    __pread64_chk)."""
    res = []
    for label, prog, _ in builds('compat.c', explicit_too=False):
        r = under_shim(prog, [mode], env=env, opts=opts)
        m = re.search(r'^PCI_COMMAND ([0-9a-f]{2}) ([0-9a-f]{2})$', r.out, re.M)
        res.append((label, r, m.group(1) + ' ' + m.group(2) if m and r.status == 0 else None))
    return res


def compat_expect(mode, want_be, want_le, fires, opts=(), env=None):
    """The device holds want_be (big-endian host) or want_le, and the notice
    appears exactly when fires (never on a little-endian host)."""
    big = ARCH == 's390x'
    want, fires = (want_be, fires) if big else (want_le, False)
    chk = Checker()
    for label, r, got in compat_run(mode, opts, env):
        lab = '%s %s %s' % (label, mode, ' '.join(opts))
        notices = [l for l in r.shim_lines() if 'PCI_COMMAND' in l]
        good = chk.check(got == want, lab, 'device PCI_COMMAND %s, want %s\n%s' % (got, want, r.describe()))
        if fires:
            good &= chk.check(len(notices) == 1 and COMPAT_NOTICE.match(notices[0]), lab,
                              'want exactly one notice naming the device, the bytes and how to turn it off, '
                              'got %r' % notices)
        else:
            good &= chk.check(not notices, lab, 'a notice although nothing may change: %r' % notices)
        if good:
            chk.ok(lab, notices[0] if notices else '(no notice)')
    chk.report()


@test
def compat_buggy_bus_master_write_reaches_device_as_meant():
    # big-endian: the driver writes 02 04 (bit 10, INTx disable), the device
    # gets 06 00 (memory space and bus master)
    compat_expect('buggy', '06 00', '06 00', fires=True)


@test
def compat_none_sends_the_buggy_write_unchanged():
    compat_expect('buggy', '02 04', '06 00', fires=False, opts=['--compat=none'])
    compat_expect('buggy', '02 04', '06 00', fires=False, env={'MMIOSHIM_COMPAT': 'none'})


@test
def compat_correct_driver_never_changed():
    compat_expect('correct', '06 00', '06 00', fires=False)
    compat_expect('blind', '02 04', '02 04', fires=False)
    compat_expect('dword', '02 00', '06 00', fires=False)


@test
def compat_intx_disable_set_correctly_is_indistinguishable_and_said():
    # the documented limit (README, Limits): on a big-endian host a correct
    # read-modify-write setting INTx disable has the buggy write's bytes
    compat_expect('intx', '06 00', '02 04', fires=True)
    compat_expect('intx', '02 04', '02 04', fires=False, opts=['--compat=none'])


@test
def compat_fix_is_an_event_in_every_trace_format():
    big = ARCH == 's390x'
    # text: time, pid, tid, then the words
    want = {'text': r'^\d+\.\d{6} \d+ \d+ compat %s config 0x4 len 2 wrote 0x0402 sent 0x0006 '
                    r'fix pci-command-byte-order$',
            'mmiotrace': r'^MARK \d+\.\d{6} compat %s config 0x4 len 2 wrote 0x0402 sent 0x0006 '
                         r'fix pci-command-byte-order$'}
    chk = Checker()
    for fmt_name in ('text', 'mmiotrace', 'jsonl'):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'trace')
            for label, r, got in compat_run('buggy', opts=['--trace=' + path, '--format', fmt_name]):
                lab = '%s %s' % (label, fmt_name)
                with open(path) as f:
                    lines = f.read().splitlines()
                if fmt_name == 'jsonl':
                    recs = [json.loads(l) for l in lines]
                    events = [x for x in recs if x.get('event') == 'compat']
                    ok = len(events) == (1 if big else 0) and all(
                        (e['bdf'], e['offset'], e['width'], e['wrote'], e['sent'], e['fix']) ==
                        (BDF, 4, 2, 0x0402, 0x0006, 'pci-command-byte-order') for e in events)
                else:
                    events = [l for l in lines if 'compat' in l]
                    ok = len(events) == (1 if big else 0) and all(
                        re.match(want[fmt_name] % re.escape(BDF), l) for l in events)
                if chk.check(r.status == 0 and ok, lab, 'compat records %r\n%s' % (events, r.describe())):
                    chk.ok(lab, str(events[0]) if events else '(no event: little-endian host)')
    chk.report()


@test
def mmio_run_compat_bad_value_exits_2_with_message():
    prog = hello()
    chk = Checker()
    for opts in (['--compat=on'], ['--compat', 'yes'], ['--compat=']):
        r = _run(mmio_run_argv() + opts + ['--'] + guest(prog), {}, 30)
        lab = ' '.join(opts)
        good = chk.check(r.status == 2 and 'main reached' not in r.out, lab, r.describe())
        good &= chk.check('--compat' in r.err and (opts[-1].split('=')[-1] in r.err), lab,
                          'the message names neither the option nor the value: %r' % r.err)
        if opts != ['--compat=']:
            good &= chk.check('auto' in r.err and 'none' in r.err, lab, 'accepted values missing: %r' % r.err)
        if good:
            chk.ok(lab, r.err.strip().splitlines()[0])
    chk.report()


@test
@s390x_only('s390_pci_mmio_read/write are s390x system calls')
def converted_driver_syscalls_on_trapped_bar_same_as_without_shim():
    # a hand-converted driver (QEMU 10.1+) under mmio-run, e.g. for tracing:
    # its system calls on the guard mapping reach the device as without the
    # shim, errors included, and the trace shows them
    chk = Checker()
    for label, prog, _ in builds('converted.c', explicit_too=False):
        ref = sim_only(prog)
        for backend, extra in backend_configs({}):
            if backend == 'region':
                continue        # the calls need the kernel's mapping, as on a real kernel
            lab = '%s, %s backend' % (label, backend)
            with tempfile.TemporaryDirectory() as d:
                path = os.path.join(d, 'trace')
                got = under_shim(prog, env=extra, opts=['-v', '--trace=' + path])
                with open(path) as f:
                    trace = [l for l in f.read().splitlines() if re.search(r' [RW] \d+ ', l)]
            if not compare_runs(chk, lab, ref, got):
                continue
            if not chk.check(ref.status == 0 and ref.log, lab, 'the reference run failed\n' + ref.describe()):
                continue
            if chk.check(len(trace) == len(ref.log) and all(' main+0x' in l or 'call+0x' in l or ' rd+0x' in l
                                                            or ' wr+0x' in l for l in trace),
                         lab, 'want %d trace lines naming the caller, got:\n%s' % (len(ref.log), '\n'.join(trace))):
                chk.ok(lab, '(%d accesses, output identical)' % len(ref.log))
    chk.report()


# ------------------------------------------------ mmio-run

@test
def mmio_run_exit_status_is_the_programs():
    prog = hello()
    chk = Checker()
    for args, want in ((['exit', '0'], 0), (['exit', '7'], 7), (['exit', '255'], 255),
                       (['raise', '6'], 134), (['raise', '11'], 139), (['raise', '15'], 143)):
        r = under_shim(prog, args)
        lab = ' '.join(args)
        if chk.check(r.status == want and 'main reached' in r.out, lab, 'status %d, want %d\n%s'
                     % (r.status, want, r.describe())):
            chk.ok(lab)
    chk.report()


@test
def mmio_run_help_and_version():
    chk = Checker()
    with open(os.path.join(SOURCE_ROOT, 'meson.build')) as f:
        version = re.search(r"version\s*:\s*'([^']+)'", f.read()).group(1)
    shells = [['sh'], ['dash'], ['busybox', 'sh']]
    for sh in shells:
        if not shutil.which(sh[0]):
            continue
        if sh[0] == 'busybox' and _run(['busybox', 'sh', '-c', 'true'], {}, 10).rc != 0:
            continue
        for opt in ('--help', '-h'):
            r = _run(sh + [MMIO_RUN, opt], {}, 30)
            lab = '%s mmio-run %s' % (' '.join(sh), opt)
            if chk.check(r.rc == 0 and '--sim' in r.out and '--backend' in r.out, lab, r.describe()):
                chk.ok(lab)
        for opt in ('--version', '-V'):
            r = _run(sh + [MMIO_RUN, opt], {}, 30)
            lab = '%s mmio-run %s' % (' '.join(sh), opt)
            if chk.check(r.rc == 0 and version in r.out, lab, 'want version %s\n%s' % (version, r.describe())):
                chk.ok(lab, r.out.strip())
    r = _run(mmio_run_argv() + ['--no-such-option', 'true'], {}, 30)
    chk.check(r.rc == 2 and r.err, 'unknown option', 'want status 2 and a message\n' + r.describe())
    chk.report()


@test
def mmio_run_keeps_existing_ld_preload():
    prog = hello()
    r = _run(mmio_run_argv() + ['--sim', 'regs', '--'] + guest(prog) + ['env', 'LD_PRELOAD'],
             {'LD_PRELOAD': 'libm.so.6'}, 30)
    chk = Checker()
    m = re.search(r'LD_PRELOAD=(.*)', r.out)
    val = m.group(1) if m else ''
    for want in ('libm.so.6', 'libmmioshim.so', 'libmmiosim.so'):
        chk.check(want in val, 'LD_PRELOAD', 'missing %s in the program\'s LD_PRELOAD %r\n%s'
                  % (want, val, r.describe()))
    chk.report()


if __name__ == '__main__':
    sys.exit(run_main(TESTS))
