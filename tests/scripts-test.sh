#!/bin/sh
# scripts-test.sh - the set-up scripts that pick and unpack the guest kernel:
# scripts/kver.sh (which kernel, and which second series) and
# scripts/extract-vmlinux.sh (xz in 6.1's images, zstd in 6.12's), on fake
# /boot and /usr/src trees.  Prints one line per case; exit status = failures.
set -u
cd "$(dirname "$0")/.."
T=$(mktemp -d /tmp/addrlab-scripts-XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0

expect() {	# NAME WANT GOT
	if [ "$2" = "$3" ]; then
		echo "scripts: $1: ok"
	else
		echo "scripts: $1: FAILED: want '$2', got '$3'"
		fails=$((fails + 1))
	fi
}

kernel() {	# VERSION [image] [headers]
	for what in "$@"; do
		case $what in
		image) : >"$T/boot/vmlinuz-$1" ;;
		headers) mkdir -p "$T/src/linux-headers-$1" ;;
		esac
	done
}

mkdir -p "$T/boot" "$T/src"
export ADDRLAB_BOOT_DIR="$T/boot" ADDRLAB_HEADERS_DIR="$T/src" ADDRLAB_DISTRO_KVER=
expect "no kernel: an error naming the packages" \
	"addrlab: no kernel has both $T/boot/vmlinuz-V and $T/src/linux-headers-V; install them with: apt-get install linux-image-amd64 linux-headers-amd64" \
	"$(scripts/kver.sh 2>&1)"
kernel 6.1.0-57-amd64 image headers
kernel 6.1.0-9-amd64 image headers
kernel 6.12.118+deb12-amd64 image
expect "newest with image and headers, in version order" "6.1.0-57-amd64" "$(scripts/kver.sh)"
expect "no second series without its headers" "" "$(scripts/kver.sh --second)"
kernel 6.12.118+deb12-amd64 headers
kernel 6.12.115+deb12-amd64 image headers
expect "no distribution default: the newest" "6.12.118+deb12-amd64" "$(scripts/kver.sh)"
expect "and the second is the other series' newest" "6.1.0-57-amd64" "$(scripts/kver.sh --second)"
export ADDRLAB_DISTRO_KVER=6.1.0-57-amd64
expect "the distribution's kernel comes first" "6.1.0-57-amd64" "$(scripts/kver.sh)"
expect "the newest of the other series" "6.12.118+deb12-amd64" "$(scripts/kver.sh --second)"
expect "a distribution kernel not installed: the newest" \
	"6.12.118+deb12-amd64" "$(ADDRLAB_DISTRO_KVER=6.1.0-99-amd64 scripts/kver.sh)"
expect "KVER= named and usable" "6.1.0-9-amd64" "$(scripts/kver.sh 6.1.0-9-amd64)"
expect "KVER= without headers: an error and status 1" \
	"addrlab: kernel '6.13.0-1-amd64' needs both $T/boot/vmlinuz-6.13.0-1-amd64 and $T/src/linux-headers-6.13.0-1-amd64; install linux-image-6.13.0-1-amd64 and linux-headers-6.13.0-1-amd64, or drop KVER=
 1" \
	"$(scripts/kver.sh 6.13.0-1-amd64 2>&1; echo " $?")"

# A bzImage is a setup stub, then the compressed ELF, then more bytes.
printf '\177ELF fake vmlinux\n' >"$T/elf"
for c in xz zstd; do
	{ printf 'setup stub'; $c -c <"$T/elf"; printf 'trailer'; } >"$T/bz-$c"
	scripts/extract-vmlinux.sh "$T/bz-$c" "$T/out-$c" 2>&1
	expect "extract-vmlinux: $c" "$(cat "$T/elf")" "$(cat "$T/out-$c" 2>/dev/null)"
done
printf 'no stream here' >"$T/bz-none"
expect "extract-vmlinux: neither: an error" \
	"addrlab: '$T/bz-none' holds no xz or zstd stream; is it a Debian kernel image?" \
	"$(scripts/extract-vmlinux.sh "$T/bz-none" "$T/out-none" 2>&1)"
exit $fails
