# Sourced by scripts/systest: fetch and unpack the Debian packages the
# system test needs, through private apt configurations (suites sid, trixie
# and bookworm, architectures amd64 and s390x) that read the mirror from the
# host's own apt sources. Nothing is installed into the host.
#
# Folders under $cache:
#   apt-SUITE/                private apt state (lists, cache, status)
#   debs/SET/                 the downloaded .deb files of each set
#   root/SET/                 each set unpacked with dpkg-deb -x
#
# Sets:
#   sid-x86     sid amd64: qemu-system-s390x, qemu-system-x86 and their
#               dependencies (started through sid's own ld.so)
#   sid-s390x   sid s390x: qemu-utils (the hand-converted NVMe driver)
#   tx-s390x    trixie s390x: qemu-utils 10.0 (unmodified, like bookworm's),
#               with what trixie's pool lacks taken from sid
#   kern-s390x  sid s390x: linux-binary-*, linux-modules-* (vfio-pci, 9p)
#   bw-s390x    bookworm s390x: qemu-utils, busybox-static, libcapstone4,
#               libelf1, zlib1g (the unmodified driver, the shim's deps)
#   kern-x86    bookworm amd64: linux-image-*-amd64
#   bb-x86      bookworm amd64: busybox-static
#   dbg         bookworm-debug: qemu-utils-dbgsym of the guests' architectures
#               (optional: only the function names in traces need it)

# Print the Debian mirror URI the host's apt sources name (first one that is
# not a security archive).
host_mirror() {
	{
		cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
			awk '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
				if ($i ~ /debian/ && $(i + 1) !~ /security/) print $i }'
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] || continue
			awk 'function flush() {
					if (types ~ /(^| )deb( |$)/ && uris ~ /debian/ && suites !~ /security/) {
						n = split(uris, u, " "); for (a = 1; a <= n; a++) print u[a] }
					types = uris = suites = ""
				}
				/^[ \t]*#/ { next }
				/^[ \t]*$/ { flush(); next }
				{ k = $1; sub(/:$/, "", k); $1 = ""; sub(/^ /, "")
				  if (k == "Types") types = $0; else if (k == "URIs") uris = $0
				  else if (k == "Suites") suites = $0 }
				END { flush() }' "$f"
		done
	} | grep -v security | head -1
}

# apt_setup SUITE: private apt state under $cache/apt-SUITE; sets $aptopts.
apt_setup() {
	a=$cache/apt-$1
	mkdir -p "$a/lists/partial" "$a/cache/archives/partial" || return 1
	: >"$a/status"
	key=
	[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] &&
		key=" signed-by=/usr/share/keyrings/debian-archive-keyring.gpg"
	# suite-debug lives in Debian's debug archive beside the mirror
	m=$mirror
	case $1 in *-debug) m=${mirror%/}-debug ;; esac
	echo "deb [arch=amd64,s390x$key] $m $1 main" >"$a/sources.list"
	aptopts="-o Dir::Etc::SourceList=$a/sources.list -o Dir::Etc::SourceParts=$a/none
 -o Dir::State::Lists=$a/lists -o Dir::State::status=$a/status -o Dir::Cache=$a/cache
 -o APT::Architecture=amd64 -o APT::Architectures::=amd64 -o APT::Architectures::=s390x
 -o APT::Sandbox::User=root -o Debug::NoLocking=1 -o Acquire::Retries=3 -q"
}

# apt_update SUITE [TRIES]: refresh the lists once a day (retried: mirrors
# are sometimes mid-sync).
apt_update() {
	apt_setup "$1" || return 1
	stamp=$cache/apt-$1/updated
	if [ -f "$stamp" ] && [ -n "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
		return 0
	fi
	for try in $(seq "${2:-3}"); do
		# shellcheck disable=SC2086
		if apt-get $aptopts update >"$cache/apt-$1/update.log" 2>&1 &&
			! grep -q '^[WE]:' "$cache/apt-$1/update.log"; then
			touch "$stamp"
			return 0
		fi
		sleep 5
	done
	fetch_error="apt-get update for $1 from $m failed: $(grep '^[WE]:' "$cache/apt-$1/update.log" | head -1)"
	# older lists from an earlier run: go on with them (what they name is
	# probably unpacked already)
	if [ -f "$stamp" ]; then
		echo "systest: $fetch_error; using the lists of $(date -r "$stamp" '+%F %R')"
		fetch_error=
		return 0
	fi
	return 1
}

# closure SUITE PKG...: print pkg:arch=version of PKG and everything it
# depends on (no recommends), as apt would install it on an empty system.
closure() {
	apt_setup "$1" || return 1
	shift
	# shellcheck disable=SC2086
	apt-get $aptopts -s install --no-install-recommends "$@" 2>"$cache/closure.err" |
		awk '$1 == "Inst" { p = $0; sub(/^[^(]*\(/, "", p); sub(/\).*/, "", p)
			k = split(p, f, " "); v = f[1]; a = f[k]; gsub(/[][]/, "", a)
			n = $2; sub(/:.*/, "", n)
			print (a == "all" ? n : n ":" a) "=" v }'
}

# fetch_set SET SUITE PKG...: download the closure of PKG (or, with
# SUITE=SUITE/nodeps, exactly PKG) into debs/SET and unpack it into root/SET.
# With SUITE=SUITE+OTHER, a package of the closure that the mirror's pool
# does not hold is downloaded in OTHER's version instead (OTHER's lists
# must be read already): the mirror's trixie index names a few s390x
# versions its pool has not got (libc6, libpcre2-8-0, zlib1g), and sid's
# newer ones work for trixie's programs.
fetch_set() {
	set=$1 suite=$2 sarg=$2
	shift 2
	deps=1 other=
	case $suite in */nodeps) suite=${suite%/nodeps} deps=0 ;; esac
	case $suite in *+*) other=${suite#*+} suite=${suite%%+*} ;; esac
	args="$suite${other:++$other} $deps $*"
	debs=$cache/debs/$set root=$cache/root/$set
	apt_setup "$suite" || return 1
	# unpacked from the current lists with the same request: nothing to do
	if [ -f "$root/.systest-set" ] && [ "$(cat "$root/.systest-args" 2>/dev/null)" = "$args" ] &&
		[ "$root/.systest-set" -nt "$cache/apt-$suite/updated" ]; then
		return 0
	fi
	if [ $deps = 1 ]; then
		list=$(closure "$suite" "$@")
	else
		list=
		for p in "$@"; do
			# shellcheck disable=SC2086
			v=$(apt-cache $aptopts show --no-all-versions "$p" 2>/dev/null | awk '$1 == "Version:" { print $2; exit }')
			[ -n "$v" ] && list="$list ${p}=$v"
		done
	fi
	if [ -z "$list" ]; then
		fetch_error="$set: apt cannot resolve $* in $suite ($(grep -v '^$' "$cache/closure.err" 2>/dev/null | tail -1))"
		return 1
	fi
	want=$(echo "$list" | tr ' ' '\n' | grep . | sort)
	if [ -f "$root/.systest-set" ] && [ "$(cat "$root/.systest-set")" = "$want" ]; then
		echo "$args" >"$root/.systest-args"
		touch "$root/.systest-set"
		return 0
	fi
	rm -rf "$debs" "$root"
	mkdir -p "$debs" "$root"
	for try in 1 2 3; do
		# shellcheck disable=SC2086
		(cd "$debs" && apt-get $aptopts download $want) >"$debs/download.log" 2>&1 && break
		sleep 5
	done
	n=$(ls "$debs"/*.deb 2>/dev/null | wc -l)
	if [ "$n" -ne "$(echo "$want" | wc -l)" ] && [ -n "$other" ]; then
		# what the pool refused, as NAME:ARCH, from OTHER
		miss=$(sed -n 's,^E: Failed to fetch .*/\([^/_]*\)_[^/_]*_\([^/_]*\)\.deb .*,\1:\2,p' "$debs/download.log" | sort -u)
		if [ -n "$miss" ] && apt_setup "$other"; then
			echo "systest: $set: not in the pool for $suite, taken from $other:" $miss
			# shellcheck disable=SC2086
			(cd "$debs" && apt-get $aptopts download $miss) >"$debs/download-$other.log" 2>&1
		fi
		apt_setup "$suite" || return 1
		n=$(ls "$debs"/*.deb 2>/dev/null | wc -l)
	fi
	if [ "$n" -ne "$(echo "$want" | wc -l)" ] && [ -z "${refetched:-}" ] && [ -f "$cache/apt-$suite/updated" ]; then
		# the mirror has moved on since the lists were read (sid changes
		# daily): read them again and resolve again, once
		echo "systest: $set: the mirror no longer has some packages; reading the $suite lists again"
		rm -f "$cache/apt-$suite/updated"
		apt_update "$suite" || return 1
		refetched=1
		fetch_set "$set" "$sarg" "$@"
		r=$?
		refetched=
		return $r
	fi
	if [ "$n" -ne "$(echo "$want" | wc -l)" ]; then
		fetch_error="$set: downloaded $n of $(echo "$want" | wc -l) packages from $m ($(grep '^[WE]:' "$debs/download.log" | head -1))"
		return 1
	fi
	for d in "$debs"/*.deb; do
		dpkg-deb -x "$d" "$root" || { fetch_error="$set: cannot unpack $d"; return 1; }
	done
	rm -f "$debs"/*.deb
	echo "$want" >"$root/.systest-set"
	echo "$args" >"$root/.systest-args"
}

# dep_of SUITE PKG PREFIX: the package PKG depends on whose name starts with
# PREFIX (resolves the versioned kernel package names).
dep_of() {
	apt_setup "$1" || return 1
	# shellcheck disable=SC2086
	apt-cache $aptopts depends "$2" 2>/dev/null |
		awk -v p="$3" '$1 == "Depends:" { n = $2; sub(/:.*/, "", n); if (index(n, p) == 1) { print n; exit } }'
}

# fetch_all [s390x] [x86]: everything the named guests need; on failure
# $fetch_error says why.
fetch_all() {
	fetch_error=
	mirror=$(host_mirror)
	[ -n "$mirror" ] || { fetch_error="the host's apt sources name no Debian mirror"; return 1; }
	apt_update sid || return 1
	apt_update bookworm || return 1
	fetch_set sid-x86 sid qemu-system-s390x:amd64 qemu-system-x86:amd64 || return 1
	for g in "$@"; do
		case $g in
		s390x)
			apt_update trixie || return 1
			fetch_set sid-s390x sid qemu-utils:s390x || return 1
			fetch_set tx-s390x trixie+sid qemu-utils:s390x || return 1
			fetch_set bw-s390x bookworm qemu-utils:s390x busybox-static:s390x \
				libcapstone4:s390x libelf1:s390x zlib1g:s390x || return 1
			img=$(dep_of sid linux-image-s390x:s390x linux-image-)
			[ -n "$img" ] || { fetch_error="sid has no linux-image-s390x:s390x"; return 1; }
			ver=${img#linux-image-}
			fetch_set kern-s390x sid/nodeps "linux-binary-$ver:s390x" "linux-modules-$ver:s390x" || return 1
			;;
		x86)
			img=$(dep_of bookworm linux-image-amd64:amd64 linux-image-)
			[ -n "$img" ] || { fetch_error="bookworm has no linux-image-amd64"; return 1; }
			fetch_set kern-x86 bookworm/nodeps "$img:amd64" || return 1
			fetch_set bb-x86 bookworm/nodeps busybox-static:amd64 || return 1
			;;
		esac
	done
}

# fetch_debug [s390x] [x86]: Debian's separate debug files of the unmodified
# qemu-img (qemu-utils-dbgsym, from the debug archive beside the mirror),
# for function names in its traces; on failure $debug_error says why.
fetch_debug() {
	debug_error=
	pkgs=
	for g in "$@"; do
		case $g in
		s390x) pkgs="$pkgs qemu-utils-dbgsym:s390x" ;;
		x86) pkgs="$pkgs qemu-utils-dbgsym:amd64" ;;
		esac
	done
	[ -n "$pkgs" ] || return 0
	fetch_error=
	# shellcheck disable=SC2086
	if ! apt_update bookworm-debug 1 || ! fetch_set dbg bookworm-debug/nodeps $pkgs; then
		debug_error=$fetch_error
		return 1
	fi
}
