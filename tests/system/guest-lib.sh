# Sourced by the guest test scripts. $out is where results go; the host
# reads them after the guest has powered off.
#
# step NAME CMD...   runs CMD with stdout and stderr in $out/NAME.log, and
#                    writes its exit status to NAME.rc and its wall time in
#                    seconds (guest clock) to NAME.time.
# CMD may be `eval "..."` (qemu-io argument lists the host wrote).
up() { cut -d' ' -f1 /proc/uptime; }

step() {
	name=$1
	shift
	echo "systest: [$(up)] $name: $*" | cut -c1-200
	t0=$(up)
	"$@" >"$out/$name.log" 2>&1
	rc=$?
	t1=$(up)
	echo "$rc" >"$out/$name.rc"
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }' >"$out/$name.time"
	echo "systest: [$t1] $name: rc=$rc, $(cat "$out/$name.time") s"
	tail -3 "$out/$name.log" | sed 's/^/    | /' | cut -c1-200
}
