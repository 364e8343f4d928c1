#!/bin/sh
# kver.sh [KVER]   - print the kernel version the lab VM boots and modules build for.
# kver.sh --second - print a second kernel, of another series, to test on too.
#
# The default is the distribution's own kernel, the one the linux-image-amd64
# package installs (6.1 on Debian 12, 6.12 on Debian 13), when both
# /boot/vmlinuz-V and /usr/src/linux-headers-V are there; otherwise the newest
# V that has both.  A given KVER is checked the same way.
#
# --second prints the newest kernel with both whose series (6.1, 6.12) is not
# the default's, or nothing.  On Debian 12 that is 6.12 (linux-image-6.12-amd64).
set -eu
BOOT=${ADDRLAB_BOOT_DIR:-/boot}
SRC=${ADDRLAB_HEADERS_DIR:-/usr/src}

usable() {
	[ -f "$BOOT/vmlinuz-$1" ] && [ -d "$SRC/linux-headers-$1" ]
}

# Every usable version, one per line, oldest first.
all_usable() {
	for k in "$BOOT"/vmlinuz-*; do
		[ -f "$k" ] || continue
		v=${k#"$BOOT"/vmlinuz-}
		usable "$v" && echo "$v"
	done | sort -V
}

# The version linux-image-amd64 depends on ("linux-image-6.1.0-57-amd64 (= ...)");
# ADDRLAB_DISTRO_KVER stands in for it (the tests' fake /boot has no package).
distro_default() {
	if [ -n "${ADDRLAB_DISTRO_KVER+set}" ]; then
		echo "$ADDRLAB_DISTRO_KVER"
		return 0
	fi
	dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null |
		sed -n 's/^linux-image-\([^ ,]*\).*/\1/p'
}

series() {
	echo "$1" | cut -d. -f1-2 | sed 's/[^0-9.].*//'
}

default_kver() {
	d=$(distro_default)
	if [ -n "$d" ] && usable "$d"; then
		echo "$d"
	else
		all_usable | tail -n 1
	fi
}

if [ "${1:-}" = "--second" ]; then
	d=$(default_kver)
	[ -n "$d" ] || exit 0
	all_usable | while read -r v; do
		[ "$(series "$v")" = "$(series "$d")" ] || echo "$v"
	done | tail -n 1
	exit 0
fi

if [ $# -gt 0 ] && [ -n "$1" ]; then
	v=$1
	if ! usable "$v"; then
		echo "addrlab: kernel '$v' needs both $BOOT/vmlinuz-$v and $SRC/linux-headers-$v; install linux-image-$v and linux-headers-$v, or drop KVER=" >&2
		exit 1
	fi
	echo "$v"
	exit 0
fi
best=$(default_kver)
if [ -z "$best" ]; then
	echo "addrlab: no kernel has both $BOOT/vmlinuz-V and $SRC/linux-headers-V; install them with: apt-get install linux-image-amd64 linux-headers-amd64" >&2
	exit 1
fi
echo "$best"
