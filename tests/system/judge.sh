# Sourced by scripts/systest: judge what a guest left in $cache/run-GUEST/out
# after it powered off. Uses pass/fail/skip from scripts/systest.

# helpers over $out
rc_of() { cat "$out/$1.rc" 2>/dev/null || echo none; }
time_of() { cat "$out/$1.time" 2>/dev/null || echo 0; }
log_has() { grep -q -- "$2" "$out/$1.log" 2>/dev/null; }
why_log() { # NAME: the last meaningful line of a step's log
	if [ -f "$out/$1.timeout" ]; then
		echo "timed out after $(cat "$out/$1.timeout") s, killed"
		return
	fi
	# the shim's compatibility notice says nothing about a failure
	l=$(grep -v -e '^\s*$' -e 'PCI_COMMAND write .* sent as' "$out/$1.log" 2>/dev/null | grep -iE 'error|fail|cannot|illegal|signal' | head -1)
	[ -n "$l" ] || l=$(grep -v -e '^\s*$' -e 'PCI_COMMAND write .* sent as' "$out/$1.log" 2>/dev/null | grep 'mmioshim' | head -1)
	[ -n "$l" ] || l=$(grep -v '^\s*$' "$out/$1.log" 2>/dev/null | tail -1)
	echo "$l" | cut -c1-200
}

# qemu-img info of a 64 MiB disk
check_info() { # CHECK STEP
	r=$(rc_of "$2")
	if [ "$r" = 0 ] && log_has "$2" 'virtual size: 64 MiB (67108864 bytes)'; then
		pass "$1"
	else
		fail "$1" "exit $r; $(why_log "$2")"
	fi
}

# qemu-io steps: exit 0, no failed command, no failed pattern check, and
# COUNT "wrote"/"read" lines when given
check_io() { # CHECK STEP [MIN-OPS]
	r=$(rc_of "$2")
	n=$(grep -cE '^(wrote|read) [0-9]+/[0-9]+ bytes' "$out/$2.log" 2>/dev/null)
	if [ "$r" != 0 ]; then
		fail "$1" "exit $r; $(why_log "$2")"
	elif grep -qiE 'fail|error|mismatch' "$out/$2.log"; then
		fail "$1" "$(grep -iE 'fail|error|mismatch' "$out/$2.log" | head -1 | cut -c1-200)"
	elif [ -n "${3:-}" ] && [ "$n" -lt "$3" ]; then
		fail "$1" "only $n of $3 operations completed"
	else
		pass "$1"
	fi
}

check_marker() { # CHECK STEP
	r=$(rc_of "$2")
	text=$(cat "$run/in/marker-text")
	if [ "$r" = 0 ] && log_has "$2" "$text" && ! grep -qiE 'fail|error' "$out/$2.log"; then
		pass "$1"
	else
		fail "$1" "exit $r; marker $text $(log_has "$2" "$text" && echo found || echo 'not found'); $(why_log "$2")"
	fi
}

# the guest never got to the checks: every check fails with the reason
guest_failed() { # LIST REASON
	for c in $1; do fail "$c" "$2"; done
	echo "---- last lines of $run/console.log:"
	tail -15 "$run/console.log" 2>/dev/null | sed 's/^/    /'
}

# nvmeprobe: exit 0 and every check ok, on the backend named
check_probe() { # CHECK STEP BACKEND-WORD
	r=$(rc_of "$2")
	if [ "$r" = 0 ] && log_has "$2" 'nvmeprobe: all ok' && { [ -z "$3" ] || log_has "$2" "backend $3"; }; then
		pass "$1"
	else
		fail "$1" "exit $r; $(grep -h '^bad\|cannot\|mmioshim' "$out/$2.log" 2>/dev/null | head -1 | cut -c1-200)"
	fi
}

# the trace of nvmeprobe (not stripped) names its instructions
check_probe_symbols() { # CHECK TRACE
	l=$(grep -m1 ' R 8 .* BAR0 0x0 ' "$2" 2>/dev/null)
	if echo "$l" | grep -q ' main+0x[0-9a-f]* in nvmeprobe$'; then
		pass "$1"
		echo "      $(echo "$l" | cut -d' ' -f4-)"
	else
		fail "$1" "the CAP read of nvmeprobe is not named main+0x... in nvmeprobe: '$l'"
	fi
}

# Why Debian's debug file of the stripped program FILE is not in the guest;
# nothing if it is.
no_debug_file() { # FILE
	id=$(readelf -n "$1" 2>/dev/null | awk '/Build ID/ { print $3; exit }')
	f=$debug_root/.build-id/$(echo "$id" | cut -c1-2)/$(echo "$id" | cut -c3-).debug
	if [ -n "$debug_error" ]; then
		echo "$1 is stripped; its function names are only in Debian's qemu-utils-dbgsym, which cannot be fetched: $debug_error"
	elif [ -z "$id" ]; then
		echo "$1 is stripped and has no build ID to find its debug file by"
	elif [ -z "$debug_root" ] || [ ! -f "$f" ]; then
		echo "$1 is stripped and the fetched qemu-utils-dbgsym ($(cat "$cache/root/dbg/.systest-set" | tr '\n' ' ')) has no debug file for its build ID $id"
	fi
}

# judge_symbols CHECK-TRACE CHECK-SYMBOLS TRACECHECK-OUTPUT FILE
judge_symbols() {
	case $3 in
	ok*) pass "$1"; pass "$2"; echo "      $3" ;;
	stripped*)
		pass "$1"
		why=$(no_debug_file "$4")
		if [ -n "$why" ]; then
			skip "$2" "$why; $3"
		else
			fail "$2" "qemu-img's debug file was in the guest, yet the trace names no function: $3"
		fi
		;;
	*"no instruction is named"*) pass "$1"; fail "$2" "$3" ;;
	*) fail "$1" "$3"; fail "$2" "no init sequence" ;;
	esac
}

# the upstream version (major.minor) of qemu-utils in the unpacked set SET
qemu_version() { # SET
	sed -n 's/^qemu-utils:[^=]*=\([0-9]*:\)\{0,1\}\([0-9]*\.[0-9]*\).*/\2/p' "$cache/root/$1/.systest-set" 2>/dev/null
}

# qemu-img convert of the whole namespace before anything wrote to it: the
# md5 of its output is that of disk.img as the host left it before boot
check_convert() { # CHECK STEP
	r=$(rc_of "$2")
	want=$(cat "$run/in/disk.md5" 2>/dev/null)
	got=$(cat "$out/$2.md5" 2>/dev/null)
	if [ "$r" != 0 ]; then
		fail "$1" "exit $r; $(why_log "$2")"
	elif [ -n "$got" ] && [ "$got" = "$want" ]; then
		pass "$1"
	else
		fail "$1" "md5 of the converted image ${got:-none}, of disk.img before boot $want"
	fi
}

# the shim's compatibility fix for PCI_COMMAND written in host byte order
# (QEMU before 10.1 on big-endian hosts): one notice on stderr when it fires
notice='PCI_COMMAND write .* sent as'
check_notice() { # CHECK STEP
	n=$(grep -c -- "$notice" "$out/$2.log" 2>/dev/null)
	if [ "${n:-0}" = 1 ]; then
		pass "$1"
	elif [ ! -f "$out/$2.log" ]; then
		fail "$1" "no log of $2"
	else
		fail "$1" "expected one line '$notice' on stderr, got ${n:-0} (exit $(rc_of "$2"); $(why_log "$2"))"
	fi
}

# a driver that writes PCI_COMMAND right is never changed: no notice, in a
# run that got through its initialisation
check_no_notice() { # CHECK STEP
	if grep -q 'PCI_COMMAND write' "$out/$2.log" 2>/dev/null; then
		fail "$1" "$(grep -h 'PCI_COMMAND write' "$out/$2.log" | head -1 | cut -c1-200)"
	elif [ "$(rc_of "$2")" != 0 ]; then
		fail "$1" "the run failed (exit $(rc_of "$2"); $(why_log "$2")), so its lack of a notice proves nothing"
	else
		pass "$1"
	fi
}

check_sigill() { # CHECK STEP WHAT
	r=$(rc_of "$2")
	if [ "$r" = 132 ]; then
		pass "$1"
	else
		fail "$1" "expected exit 132 (SIGILL) from $3 without the shim, got $r"
	fi
}

check_backend() { # CHECK STEP BACKEND
	if log_has "$2" "backend $3"; then
		pass "$1"
	else
		fail "$1" "mmio-run -v did not name the $3 backend: $(grep mmioshim "$out/$2.log" 2>/dev/null | head -2 | tr '\n' ' ' | cut -c1-200)"
	fi
}

judge_s390x() {
	run=$cache/run-s390x out=$run/out
	if [ ! -f "$out/tx-region-io.rc" ]; then
		echo "---- the s390x guest did not finish its checks (qemu exit $(cat "$run/qemu.rc" 2>/dev/null || echo none); see $cache/${run##*-}.log); last lines of $run/console.log:"
		tail -15 "$run/console.log" 2>/dev/null | sed 's/^/    /'
	fi
	r=$(rc_of probe-noshim)
	if [ "$r" = 132 ]; then
		pass s390x-probe-noshim-sigill
	else
		fail s390x-probe-noshim-sigill "expected exit 132 (SIGILL) from nvmeprobe without the shim, got $r"
	fi
	check_probe s390x-probe-syscall probe-syscall syscall
	check_probe s390x-probe-region probe-region region
	check_probe_symbols s390x-probe-trace-symbols "$out/probe-trace.txt"
	check_sigill s390x-bw-noshim-sigill bw-noshim-info "bookworm's qemu-img"
	check_sigill s390x-tx-noshim-sigill tx-noshim-info "trixie's qemu-img"
	for q in bookworm:bw trixie:tx; do
		s=${q#*:}-noshim-info
		echo "      reference: ${q%:*} qemu-img info without the shim: exit $(rc_of "$s") ($(grep -i 'illegal\|signal' "$out/$s.log" 2>/dev/null | head -1))"
	done
	check_convert s390x-bw-convert bw-convert
	check_convert s390x-tx-convert tx-convert
	check_convert s390x-sid-convert sid-convert

	# bookworm's qemu-img/qemu-io under mmio-run alone
	check_info s390x-shim-info shim-info
	check_backend s390x-shim-backend shim-info syscall
	grep -h '^mmioshim' "$out/shim-info.log" 2>/dev/null | grep -v 'PCI_COMMAND write' | head -2 | sed 's/^/      /'
	check_notice s390x-bw-compat-notice shim-info
	grep -h -- "$notice" "$out/shim-info.log" 2>/dev/null | head -1 | sed 's/^/      compat notice (bookworm): /'
	check_marker s390x-shim-marker shim-io
	check_io s390x-shim-io shim-io $((ops + 6))
	if [ "$(rc_of shim-trace)" != 0 ]; then
		fail s390x-shim-trace "exit $(rc_of shim-trace); $(why_log shim-trace)"
		fail s390x-shim-trace-symbols "no trace"
	else
		t=$(python3 "$sys/tracecheck.py" "$out/shim-trace.txt" qemu-img)
		judge_symbols s390x-shim-trace s390x-shim-trace-symbols "$t" "$cache/root/bw-s390x/usr/bin/qemu-img"
	fi
	# the compatibility fix is an event of the trace too
	l=$(grep -m1 ' compat [0-9a-f:.]* config 0x4 len 2 ' "$out/shim-trace.txt" 2>/dev/null)
	if [ -n "$l" ]; then
		pass s390x-shim-trace-compat
		echo "      $(echo "$l" | cut -d' ' -f4-)"
	else
		fail s390x-shim-trace-compat "no compat event for the PCI_COMMAND write in $out/shim-trace.txt"
	fi
	check_info s390x-region-info region-info
	check_backend s390x-region-backend region-info region
	check_marker s390x-region-marker region-io
	check_io s390x-region-io region-io $((ops + 4))

	# trixie's, the same way
	check_info s390x-tx-info tx-info
	check_backend s390x-tx-backend tx-info syscall
	check_notice s390x-tx-compat-notice tx-info
	grep -h -- "$notice" "$out/tx-info.log" 2>/dev/null | head -1 | sed 's/^/      compat notice (trixie): /'
	check_marker s390x-tx-marker tx-io
	check_io s390x-tx-io tx-io $((ops + 4))
	check_info s390x-tx-region-info tx-region-info
	check_backend s390x-tx-region-backend tx-region-info region
	check_marker s390x-tx-region-marker tx-region-io
	check_io s390x-tx-region-io tx-region-io $((ops + 4))

	# sid's hand-converted one, plain and under the shim
	check_info s390x-sid-info sid-info
	check_marker s390x-sid-marker sid-io
	check_io s390x-sid-io sid-io $((ops + 4))
	check_info s390x-sid-shim-info sid-shim-info
	check_no_notice s390x-sid-no-compat-notice sid-shim-info

	# the disk image, read on the host after the guest powered off
	m=$(($(cat "$run/in/marker")))
	python3 - "$run/in" "$m" <<'EOF'
import json, sys
d, m = sys.argv[1], int(sys.argv[2])
# the fixed writes of shim-io, region-io, sid-io, tx-io, tx-region-io
blocks = {8192: 0xab, 12288: 0xef, 16384: 0x77, 20480: 0x5a, 24576: 0xa5}
blocks.update({o: 0xcd for o in range(65536, 131072, 4096)})
json.dump({"base": 4096, "span": 126976, "writes": 6, "blocks": blocks}, open(d + "/fixed-rw.json", "w"))
json.dump({"base": 1 << 20, "span": 4096, "writes": 0, "blocks": {1 << 20: m}}, open(d + "/marker-block.json", "w"))
EOF
	if res=$(python3 "$sys/workload.py" check "$run/disk.img" "$run/in/marker-block.json" "$run/in/fixed-rw.json" \
		"$run/in/shim-random.json" "$run/in/region-random.json" "$run/in/sid-random.json" \
		"$run/in/tx-random.json" "$run/in/tx-region-random.json") &&
		[ "$(head -c 16 "$run/disk.img")" = "$(cat "$run/in/marker-text")" ]; then
		pass s390x-image
	else
		fail s390x-image "$(echo "$res" | grep bad | head -2 | tr '\n' ' ')"
	fi
	echo "$res" | sed 's/^/      /'
	# anything the shim refused, with the exact message
	missing=
	for s in bw-convert tx-convert shim-info shim-io shim-trace region-info region-io \
		tx-info tx-io tx-region-info tx-region-io sid-shim-info; do
		[ -f "$out/$s.rc" ] || missing="$missing $s"
	done
	if grep -h 'mmioshim: cannot emulate' "$out"/*.log >/dev/null 2>&1; then
		fail s390x-no-emulation-error "$(grep -h 'mmioshim: cannot emulate' "$out"/*.log | head -1)"
	elif [ -n "$missing" ]; then
		fail s390x-no-emulation-error "the shim steps did not all run:$missing"
	else
		pass s390x-no-emulation-error
	fi
	# side by side: the two unmodified drivers under the shim and the one
	# converted by hand (in parentheses: their times over its time)
	bwv=$(qemu_version bw-s390x) txv=$(qemu_version tx-s390x) sidv=$(qemu_version sid-s390x)
	for p in "qemu-img info:shim-info:tx-info:sid-info" \
		"qemu-img convert, 64 MiB to raw:bw-convert:tx-convert:sid-convert" \
		"qemu-io, $ops random ops (syscall backend):shim-io:tx-io:sid-io" \
		"qemu-io, $ops random ops (region backend):region-io:tx-region-io:sid-io"; do
		what=${p%%:*} r=${p#*:}
		a=$(time_of "${r%%:*}") r=${r#*:}
		b=$(time_of "${r%%:*}") c=$(time_of "${r#*:}")
		awk -v w="$what" -v a="$a" -v b="$b" -v c="$c" -v bv="$bwv" -v tv="$txv" -v sv="$sidv" 'BEGIN {
			x = c > 0 ? sprintf(" (%.2fx)", a / c) : ""; y = c > 0 ? sprintf(" (%.2fx)", b / c) : ""
			printf "      time %s: bookworm %s under the shim %.2f s%s, trixie %s under the shim %.2f s%s, sid %s hand-converted %.2f s\n",
				w, bv, a, x, tv, b, y, sv, c }'
	done
}

judge_x86() {
	run=$cache/run-x86 out=$run/out
	if [ ! -f "$out/trapall-io.rc" ]; then
		echo "---- the x86_64 guest did not finish its checks (qemu exit $(cat "$run/qemu.rc" 2>/dev/null || echo none); see $cache/${run##*-}.log); last lines of $run/console.log:"
		tail -15 "$run/console.log" 2>/dev/null | sed 's/^/    /'
	fi
	check_probe x86-probe-noshim probe-noshim ""
	check_probe x86-probe-trace probe-trace direct
	check_probe x86-probe-region probe-region region
	check_probe_symbols x86-probe-trace-symbols "$out/probe-trace.txt"
	check_info x86-noshim-info noshim-info
	# same qemu-img output with and without the shim (shim messages aside)
	same_info() { # CHECK STEP BACKEND-WORD
		check_info "$1" "$2"
		if [ -f "$out/$2.log" ] && grep -v '^mmioshim' "$out/$2.log" | cmp -s - "$out/noshim-info.log" &&
			log_has "$2" "backend $3"; then
			pass "$1-same"
		else
			fail "$1-same" "output differs from the run without the shim, or backend $3 not named: $(grep '^mmioshim' "$out/$2.log" 2>/dev/null | head -1)"
		fi
	}
	same_info x86-trace-info trace-info direct
	grep -h '^mmioshim' "$out/trace-info.log" 2>/dev/null | head -1 | sed 's/^/      /'
	same_info x86-trapall-info trapall-info direct
	if [ "$(rc_of trace-info)" = 0 ]; then
		t=$(python3 "$sys/tracecheck.py" "$out/trace-info.txt" qemu-img)
		judge_symbols x86-trace-init x86-trace-symbols "$t" /usr/bin/qemu-img
	else
		fail x86-trace-init "exit $(rc_of trace-info)"
		fail x86-trace-symbols "no trace"
	fi
	check_marker x86-noshim-marker noshim-io
	check_io x86-noshim-io noshim-io $((ops + 4))
	check_marker x86-trace-marker trace-io
	check_io x86-trace-io trace-io $((ops + 4))
	n=$(grep -c ' [RW] [0-9] ' "$out/trace-io.txt" 2>/dev/null)
	echo "      trace of the qemu-io run: ${n:-0} accesses"
	check_marker x86-trapall-marker trapall-io
	check_io x86-trapall-io trapall-io $((ops + 4))
	m=$(($(cat "$run/in/marker")))
	python3 - "$run/in" "$m" <<'PY'
import json, sys
d, m = sys.argv[1], int(sys.argv[2])
blocks = {8192: 0xab, 12288: 0xef, 16384: 0x77}
json.dump({"base": 4096, "span": 126976, "writes": 3, "blocks": blocks}, open(d + "/fixed-rw.json", "w"))
json.dump({"base": 1 << 20, "span": 4096, "writes": 0, "blocks": {1 << 20: m}}, open(d + "/marker-block.json", "w"))
PY
	if res=$(python3 "$sys/workload.py" check "$run/disk.img" "$run/in/marker-block.json" "$run/in/fixed-rw.json" \
		"$run/in/noshim-random.json" "$run/in/trace-random.json" "$run/in/trapall-random.json") &&
		[ "$(head -c 16 "$run/disk.img")" = "$(cat "$run/in/marker-text")" ]; then
		pass x86-image
	else
		fail x86-image "$(echo "$res" | grep bad | head -2 | tr '\n' ' ')"
	fi
	echo "$res" | sed 's/^/      /'
	# the three runs did the same operations: their parts of the disk agree
	if python3 - "$run/disk.img" <<'PY'
import sys
f = open(sys.argv[1], "rb")
parts = []
for i in range(3):
    f.seek((8 + 16 * i) << 20)
    parts.append(f.read(16 << 20))
sys.exit(0 if parts[0] == parts[1] == parts[2] else 1)
PY
	then
		pass x86-same-data
	else
		fail x86-same-data "the parts written without the shim, under --trace and under MMIOSHIM_TRAP=all differ"
	fi
	for p in "qemu-img info:noshim-info:trace-info:trapall-info" "qemu-io, $ops random ops:noshim-io:trace-io:trapall-io"; do
		what=${p%%:*} r=${p#*:}
		a=$(time_of "${r%%:*}") r=${r#*:}
		b=$(time_of "${r%%:*}") c=$(time_of "${r#*:}")
		echo "      time $what: no shim $a s, --trace $b s, MMIOSHIM_TRAP=all $c s"
	done
}
