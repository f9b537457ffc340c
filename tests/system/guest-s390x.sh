#!/bin/sh
# The s390x guest's checks, run inside the bookworm s390x root (chroot):
# /run/in holds the host's inputs, results go to /run/out; scripts/systest
# judges them after the guest has powered off (tests/system/judge.sh).
bdf=$1
export PATH=/bb:/usr/bin:/bin:/opt/mmioshim/bin
out=/run/out
. /run/in/guest-lib.sh
D=nvme://$bdf/1
M=$(cat /run/in/marker)
SID="/sid/usr/lib/ld64.so.1 --library-path /sid/usr/lib/s390x-linux-gnu"
# bookworm's QEMU 7.2 never sets bus master on big-endian hosts (see
# tests/system/bmfix.c): without this its first DMA fails, shim or not
BMFIX=/opt/systest/bmfix.so
uname -a >"$out/uname"

# qemu-io commands: the host's markers, fixed writes with verified reads,
# then the random workload
io() { # PATTERN-BYTE OFFSET RANDOM-ARGS-FILE
	echo "-c 'read -v 0 16' -c 'read -P $M 1048576 4096' -c 'write -P $1 $2 4096' -c 'read -P $1 $2 4096' $(cat "$3")"
}

# A small driver of our own (plain loads and stores of several widths on
# the mapped BAR0): SIGILL without the shim, right values with it.
step probe-noshim /opt/systest/nvmeprobe "$bdf"
step probe-syscall mmio-run -v --trace=$out/probe-trace.txt /opt/systest/nvmeprobe "$bdf"
step probe-region mmio-run -v --backend region /opt/systest/nvmeprobe "$bdf"

# The unmodified bookworm driver without the shim: the reference failure.
step bw-noshim-info qemu-img info "$D"

# The same driver under the shim, backend auto (syscall: no MIO under QEMU).
step shim-info env LD_PRELOAD=$BMFIX mmio-run -v qemu-img info "$D"
step shim-io eval "LD_PRELOAD=$BMFIX mmio-run qemu-io -f raw $(io 0xab 8192 /run/in/shim-random.args) -c 'write -P 0xcd 65536 65536' -c 'read -P 0xcd 65536 65536' $D"
step shim-trace env LD_PRELOAD=$BMFIX mmio-run --trace=$out/shim-trace.txt qemu-img info "$D"

# --backend region: what a kernel before 6.15 (no BAR mmap) would force.
step region-info env LD_PRELOAD=$BMFIX mmio-run -v --backend region qemu-img info "$D"
step region-io eval "LD_PRELOAD=$BMFIX mmio-run --backend region qemu-io -f raw $(io 0xef 12288 /run/in/region-random.args) $D"

# Side by side: sid's qemu-img/qemu-io, whose NVMe driver was converted by
# hand to the s390x accessors. Same workload, its own part of the disk.
step sid-info $SID /sid/usr/bin/qemu-img info "$D"
step sid-io eval "$SID /sid/usr/bin/qemu-io -f raw $(io 0x77 16384 /run/in/sid-random.args) $D"
dmesg | tail -30 >"$out/dmesg"
