#!/bin/sh
# /init of the system-test guests (busybox in the initramfs). Loads the
# modules listed in /modules (in order), binds the NVMe function(s) to
# vfio-pci, mounts the 9p shares described in /shares ("TAG MOUNTPOINT ro|rw"
# per line; the first one is the root the test runs in), enters it with
# chroot and runs the test script named in /guest-script, then powers off.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
up() { cut -d' ' -f1 /proc/uptime; }
echo "systest: guest up at $(up) s: $(uname -m) $(uname -r)"
while read -r m; do
	[ -f "/lib/modules/$m.ko" ] || continue
	insmod "/lib/modules/$m.ko" || echo "systest: insmod $m failed"
done </modules
echo 1 >/proc/sys/debug/exception-trace 2>/dev/null
class=$(cat /class 2>/dev/null)
bdf=
for d in /sys/bus/pci/devices/*; do
	[ -e "$d" ] || continue
	b=${d##*/}
	if [ -n "$class" ] && [ "$(cat "$d/class")" != "$class" ]; then
		continue
	fi
	echo vfio-pci >"$d/driver_override"
	[ -e "$d/driver" ] && echo "$b" >"$d/driver/unbind"
	echo "$b" >/sys/bus/pci/drivers_probe
	drv=$(readlink "$d/driver"); grp=$(readlink "$d/iommu_group")
	echo "systest: PCI $b class $(cat "$d/class") driver ${drv##*/} iommu_group ${grp##*/}"
	[ -z "$bdf" ] && [ "${drv##*/}" = vfio-pci ] && bdf=$b
done
root=
while read -r tag mnt mode; do
	[ -z "$root" ] && root=$mnt
	mkdir -p "$mnt" 2>/dev/null
	o=trans=virtio,version=9p2000.L,msize=512000
	[ "$mode" = ro ] && o=$o,ro
	mount -t 9p -o "$o" "$tag" "$mnt" || echo "systest: cannot mount 9p $tag on $mnt"
	# scratch space before the other shares, which may live below /tmp
	[ "$mnt" = "$root" ] && mount -t tmpfs tmp "$root/tmp"
done </shares
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount -t devtmpfs dev "$root/dev"
echo "systest: tests start at $(up) s (device ${bdf:-none})"
chroot "$root" /bin/sh "$(cat /guest-script)" "${bdf:-none}"
echo "systest: tests end at $(up) s, rc=$?"
sync
poweroff -f
