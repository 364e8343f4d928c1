#!/bin/sh
# deps.sh - install the Debian packages addrlab needs, and only the missing ones.
# Quiet and quick (one dpkg-query) when everything is there.
set -eu

# clang with libclang-rt-N-dev (libFuzzer and the sanitizers' runtimes) builds
# the fuzz targets (tests/fuzz/); gcc's own libasan/libubsan serve SAN=1.
PACKAGES="
	gcc make pkg-config libc6-dev
	qemu-system-x86 seabios
	linux-image-amd64 linux-headers-amd64
	busybox-static pciutils kmod cpio xz-utils zstd
	sparse
	libncurses-dev liblua5.4-dev libcunit1-dev libcmark-dev libjansson-dev libsqlite3-dev sqlite3
	libzip-dev
	bubblewrap tmux procps unzip
	podman debootstrap
	clang
"

. /etc/os-release 2>/dev/null || true
# libFuzzer comes with the runtime of Debian's default clang.
case "${VERSION_CODENAME:-}" in
trixie)	PACKAGES="$PACKAGES libclang-rt-19-dev" ;;
*)	PACKAGES="$PACKAGES libclang-rt-14-dev" ;;
esac
# Debian 12 also gets the 6.12 kernel (from Debian's own archive, as in
# bookworm-backports): make check tests the chapter modules on both series.
if [ "${VERSION_CODENAME:-}" = "bookworm" ]; then
	PACKAGES="$PACKAGES linux-image-6.12-amd64 linux-headers-6.12-amd64"
fi

missing=""
for p in $PACKAGES; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing="$missing $p"
done
[ -n "$missing" ] || exit 0

echo "addrlab: installing missing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "addrlab: cannot install packages: not root and no sudo; install as root:" >&2
	echo "  apt-get install$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# An install straight away works when the package lists are fresh; refresh
# them only if it fails (a fresh machine has no lists at all).
# shellcheck disable=SC2086
if ! $SUDO apt-get install -y -q --no-install-recommends $missing >/tmp/addrlab-apt.$$.log 2>&1; then
	$SUDO apt-get update -q >/dev/null
	$SUDO apt-get install -y -q --no-install-recommends $missing >/tmp/addrlab-apt.$$.log 2>&1 || {
		tail -n 20 /tmp/addrlab-apt.$$.log >&2
		echo "addrlab: apt-get install failed for:$missing (log above)" >&2
		rm -f /tmp/addrlab-apt.$$.log
		exit 1
	}
fi
rm -f /tmp/addrlab-apt.$$.log
echo "addrlab: packages installed"
