#!/bin/sh
# debian13-check.sh [TARGET...] - run the whole `make check` (or make TARGET,
# e.g. bench) in a Debian 13 (trixie) root on a Debian 12 host: kernel 6.12,
# QEMU 10, busybox 1.37, gcc 14.
#
# The root is built once with debootstrap from Debian's archive and kept in
# ADDRLAB_DEBIAN13_ROOT (default ~/.cache/addrlab/debian13); `make check` in it
# installs what it lacks, as on a fresh Debian 13 machine.  Each run copies
# this tree's files (tracked and new, not ignored) into a fresh /src/addrlab
# there, so nothing built on the host leaks in.
#
# Needs root (or sudo).  ADDRLAB_DEBIAN_MIRROR picks the mirror
# (default http://deb.debian.org/debian).
set -eu
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 || {
		echo "addrlab: debian13-check needs root (debootstrap, bind mounts); run it as root" >&2
		exit 1
	}
	exec sudo -E "$0" "$@"
fi

ROOT=${ADDRLAB_DEBIAN13_ROOT:-$HOME/.cache/addrlab/debian13}
MIRROR=${ADDRLAB_DEBIAN_MIRROR:-http://deb.debian.org/debian}

need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	echo "addrlab: installing $2 for the Debian 13 root"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$2" >/dev/null ||
		{ echo "addrlab: could not install $2; install it with: apt-get install $2" >&2; exit 1; }
}
need debootstrap debootstrap

if [ ! -f "$ROOT/.addrlab-root" ]; then
	echo "== building a Debian 13 root in $ROOT (debootstrap, once)"
	rm -rf "$ROOT.tmp"
	mkdir -p "$(dirname "$ROOT")"
	debootstrap --variant=minbase --include=ca-certificates,git,make \
		trixie "$ROOT.tmp" "$MIRROR" >"$ROOT.log" 2>&1 || {
		tail -n 20 "$ROOT.log" >&2
		echo "addrlab: debootstrap of trixie from $MIRROR failed (log: $ROOT.log)" >&2
		exit 1
	}
	echo "deb $MIRROR trixie main" >"$ROOT.tmp/etc/apt/sources.list"
	rm -rf "$ROOT"
	mv "$ROOT.tmp" "$ROOT"
	date -u +%FT%TZ >"$ROOT/.addrlab-root"
fi

echo "== copying the tree into $ROOT/src/addrlab"
rm -rf "$ROOT/src/addrlab"
mkdir -p "$ROOT/src/addrlab"
git ls-files -z --cached --others --exclude-standard |
	tar --null -T - -c | tar -x -C "$ROOT/src/addrlab"

# What a user types `make check` with: make itself (the rest is make's).
[ -x "$ROOT/usr/bin/make" ] || chroot "$ROOT" /bin/sh -c \
	'apt-get update -q && apt-get install -y -q --no-install-recommends make' >/dev/null

[ $# -gt 0 ] || set -- check
echo "== make $* in Debian 13 ($(cat "$ROOT/etc/debian_version"))"
# A mount and PID namespace of its own whose root *is* the Debian 13 tree
# (pivot_root, not a plain chroot: the grader's sandbox cannot make a user
# namespace inside a chroot), with a fresh /proc (bubblewrap's own --proc
# would cover parts of it, and a nested bubblewrap could then mount none),
# the host's /dev and /sys, and a /tmp of its own.  The grading image's
# containers are tested on the host (make check there), not nested here.
touch "$ROOT/etc/resolv.conf"
export ROOT TERM="${TERM:-xterm}"
exec unshare --mount --pid --fork --propagation private /bin/sh -eu -c '
	mount --rbind "$ROOT" "$ROOT"
	mount -t proc proc "$ROOT/proc"
	mount --rbind /dev "$ROOT/dev"
	mount --rbind /sys "$ROOT/sys"
	mount -t tmpfs -o mode=1777 tmpfs "$ROOT/tmp"
	mount -t tmpfs -o mode=755 tmpfs "$ROOT/run"
	mount --bind /etc/resolv.conf "$ROOT/etc/resolv.conf"
	cd "$ROOT"
	mkdir -p .oldroot
	pivot_root . .oldroot
	umount -l /.oldroot
	cd /src/addrlab
	exec /usr/bin/env -i HOME=/root TERM="$TERM" LANG=C.UTF-8 ADDRLAB_CONTAINER_TESTS=0 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		make "$@"
' debian13 "$@"
