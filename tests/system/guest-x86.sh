#!/bin/sh
# The x86_64 guest's checks, run in the host's own root (shared read-only
# over 9p, entered with chroot; $run is the host's run folder, writable):
# bookworm's amd64 qemu-img/qemu-io without the shim, under
# `mmio-run --trace` (direct backend) and under MMIOSHIM_TRAP=all.
bdf=$1
run=$(cd "$(dirname "$0")/.." && pwd)
out=$run/out
. "$run/in/guest-lib.sh"
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
MR=$(cat "$run/in/mmio-run")
D=nvme://$bdf/1
M=$(cat "$run/in/marker")
uname -a >"$out/uname"
# Debian's debug files of qemu-img, if the host fetched them, where the shim
# looks for them (this mount is the guest's own)
dbg=$(cat "$run/in/debug-root" 2>/dev/null)
[ -n "$dbg" ] && { mount --bind "$dbg" /usr/lib/debug || echo "cannot mount $dbg on /usr/lib/debug" >"$out/debug-root.err"; }
io() { # PATTERN-BYTE OFFSET RANDOM-ARGS-FILE
	echo "-c 'read -v 0 16' -c 'read -P $M 1048576 4096' -c 'write -P $1 $2 4096' -c 'read -P $1 $2 4096' $(cat "$3")"
}
step probe-noshim "$run/in/nvmeprobe" "$bdf"
step probe-trace "$MR" -v --trace="$out/probe-trace.txt" "$run/in/nvmeprobe" "$bdf"
step probe-region "$MR" -v --backend region "$run/in/nvmeprobe" "$bdf"
step noshim-info qemu-img info "$D"
step trace-info "$MR" -v --trace="$out/trace-info.txt" qemu-img info "$D"
step trapall-info env MMIOSHIM_TRAP=all "$MR" -v qemu-img info "$D"
step noshim-io eval "qemu-io -f raw $(io 0xab 8192 "$run/in/noshim-random.args") $D"
step trace-io eval "$MR --trace=$out/trace-io.txt qemu-io -f raw $(io 0xef 12288 "$run/in/trace-random.args") $D"
step trapall-io eval "MMIOSHIM_TRAP=all $MR qemu-io -f raw $(io 0x77 16384 "$run/in/trapall-random.args") $D"
