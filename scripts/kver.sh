#!/bin/sh
# kver.sh [KVER] - print the kernel version the lab VM boots and modules build for.
# The newest V with both /boot/vmlinuz-V and /usr/src/linux-headers-V, or the
# given KVER checked the same way.  Prints one clear error otherwise.
set -eu
BOOT=${ADDRLAB_BOOT_DIR:-/boot}
SRC=${ADDRLAB_HEADERS_DIR:-/usr/src}

if [ $# -gt 0 ] && [ -n "$1" ]; then
	v=$1
	if [ ! -f "$BOOT/vmlinuz-$v" ] || [ ! -d "$SRC/linux-headers-$v" ]; then
		echo "addrlab: kernel '$v' needs both $BOOT/vmlinuz-$v and $SRC/linux-headers-$v; install linux-image-$v and linux-headers-$v, or drop KVER=" >&2
		exit 1
	fi
	echo "$v"
	exit 0
fi
best=""
for k in "$BOOT"/vmlinuz-*; do
	[ -f "$k" ] || continue
	v=${k#"$BOOT"/vmlinuz-}
	[ -d "$SRC/linux-headers-$v" ] && best="$best$v
"
done
best=$(printf '%s' "$best" | sort -V | tail -n 1)
if [ -z "$best" ]; then
	echo "addrlab: no kernel has both $BOOT/vmlinuz-V and $SRC/linux-headers-V; install them with: apt-get install linux-image-amd64 linux-headers-amd64" >&2
	exit 1
fi
echo "$best"
