#!/bin/sh
# mkimage.sh OUT.cpio KVER AGENT [MODULE.ko...] [--bin TOOL...]
# Builds the lab VM's initramfs: busybox-static with its applets, lspci and
# setpci with the libraries they load, the static guest agent, the packaged
# kernel modules the channel needs (in load order), addrlab's own modules
# (in /lib/modules/KVER/extra) and its static guest tools (in /usr/bin).
# Left uncompressed: decompressing under emulation costs more than copying.
set -eu
out=$1 kver=$2 agent=$3
shift 3
root=$out.root
rm -rf "$root"
mkdir -p "$root"/bin "$root"/sbin "$root"/usr/bin "$root"/usr/sbin \
	"$root"/etc/addrlab "$root"/proc "$root"/sys "$root"/dev "$root"/tmp \
	"$root"/root "$root"/lib/modules/"$kver"/extra "$root"/usr/share/misc

cp /bin/busybox "$root"/bin/busybox
for app in $(/bin/busybox --list-full); do
	[ -e "$root/$app" ] || ln -s /bin/busybox "$root/$app"
done

# lspci and setpci, and every shared object they pull in.
for exe in /usr/bin/lspci /usr/bin/setpci; do
	cp "$exe" "$root"/usr/bin/
	for lib in $(ldd "$exe" | awk '/=>/ { print $3 } /^\t\// { print $1 }'); do
		mkdir -p "$root$(dirname "$lib")"
		[ -e "$root$lib" ] || cp -L "$lib" "$root$lib"
	done
done
cp -L /usr/share/misc/pci.ids "$root"/usr/share/misc/pci.ids

# The agent is also PID 1 (it knows by its pid): no shell script at boot.
cp "$agent" "$root"/sbin/addrlab-agent
chmod 755 "$root"/sbin/addrlab-agent
ln -s /sbin/addrlab-agent "$root"/init

# The channel: virtio-pci and virtio-console are modules in Debian's kernel.
: >"$root"/etc/addrlab/modules
for m in virtio_pci virtio_console; do
	modprobe -S "$kver" --show-depends "$m" | while read -r verb path _; do
		[ "$verb" = insmod ] || continue
		grep -qxF "$path" "$root"/etc/addrlab/modules && continue
		mkdir -p "$root$(dirname "$path")"
		cp "$path" "$root$path"
		echo "$path" >>"$root"/etc/addrlab/modules
	done
done
dest=lib/modules/"$kver"/extra
for arg in "$@"; do
	if [ "$arg" = --bin ]; then
		dest=usr/bin
		continue
	fi
	cp "$arg" "$root/$dest/"
done
# modules.dep and friends for what we ship, so lspci -k and modprobe work.
for f in modules.builtin modules.builtin.modinfo modules.order; do
	[ -f /lib/modules/"$kver"/$f ] && cp /lib/modules/"$kver"/$f "$root"/lib/modules/"$kver"/
done
depmod -b "$root" "$kver"

echo 'root:x:0:0:root:/root:/bin/sh' >"$root"/etc/passwd
echo 'root:x:0:' >"$root"/etc/group
echo "$kver" >"$root"/etc/addrlab/kver

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
rm -rf "$root"
