# Sourced by the guest test scripts. $out is where results go; the host
# reads them after the guest has powered off.
#
# step NAME CMD...   runs CMD with stdout and stderr in $out/NAME.log, and
#                    writes its exit status to NAME.rc and its wall time in
#                    seconds (guest clock) to NAME.time. A step still running
#                    after $step_limit seconds (the host's in/step-limit,
#                    default 300) is killed: NAME.timeout then holds the
#                    limit, and its exit status is 137.
# CMD may be `eval "..."` (qemu-io argument lists the host wrote).
up() { cut -d' ' -f1 /proc/uptime; }
step_limit=$(cat "$out/../in/step-limit" 2>/dev/null) || step_limit=300

# The time bound kills CMD's whole process group, not just CMD (as
# `timeout` would): the driver may be a child of CMD rather than CMD itself
# (an eval step runs through `sh -c`), and a hung driver left running holds
# the VFIO group open: every later step's open of the device would fail
# with "Device or resource busy". setsid makes CMD the leader of a group of
# its own (it is not one already: this shell has no job control, so the
# background child shares our group and setsid execs CMD in place, as the
# same process).
step() {
	name=$1
	shift
	echo "systest: [$(up)] $name: $*" | cut -c1-200
	t0=$(up)
	if [ "$1" = eval ]; then
		setsid sh -c "$2" >"$out/$name.log" 2>&1 </dev/null &
	else
		setsid "$@" >"$out/$name.log" 2>&1 </dev/null &
	fi
	pid=$!
	( sleep "$step_limit"; kill -9 "-$pid" 2>/dev/null && echo "$step_limit" >"$out/$name.timeout" ) &
	dog=$!
	wait "$pid"
	rc=$?
	t1=$(up)
	kill "$dog" 2>/dev/null
	if [ -f "$out/$name.timeout" ]; then
		echo "systest: timed out after $step_limit s, process group killed" >>"$out/$name.log"
	elif [ "$rc" -gt 128 ]; then
		echo "systest: killed by signal $((rc - 128)) (SIG$(kill -l $((rc - 128))))" >>"$out/$name.log"
	fi
	echo "$rc" >"$out/$name.rc"
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }' >"$out/$name.time"
	echo "systest: [$t1] $name: rc=$rc, $(cat "$out/$name.time") s"
	tail -3 "$out/$name.log" | sed 's/^/    | /' | cut -c1-200
}
