#!/bin/sh
# extract-vmlinux.sh BZIMAGE OUT - the uncompressed ELF vmlinux inside a
# packaged bzImage: xz-compressed in Debian 12's 6.1, zstd in 6.12.  The ELF
# keeps the PVH entry note, so QEMU boots it directly with qboot: no firmware
# detour, no decompression at boot.
set -eu
in=$1 out=$2
# Offset of the first match of a byte pattern, or nothing.
find_magic() {
	LC_ALL=C grep -obUaP "$1" "$in" | head -n 1 | cut -d: -f1
}
# An xz stream starts with FD 37 7A 58 5A 00, a zstd frame with 28 B5 2F FD.
# Either tool complains about the bytes after the stream; the stream itself
# is whole, and the ELF check below is what decides.
if off=$(find_magic '\xfd\x37\x7a\x58\x5a\x00') && [ -n "$off" ]; then
	tail -c +$((off + 1)) "$in" | xz -dc >"$out.tmp" 2>/dev/null || true
elif off=$(find_magic '\x28\xb5\x2f\xfd') && [ -n "$off" ]; then
	tail -c +$((off + 1)) "$in" | zstd -dcq >"$out.tmp" 2>/dev/null || true
else
	echo "addrlab: '$in' holds no xz or zstd stream; is it a Debian kernel image?" >&2
	exit 1
fi
if ! head -c 4 "$out.tmp" | grep -q 'ELF'; then
	rm -f "$out.tmp"
	echo "addrlab: could not extract an ELF vmlinux from '$in'" >&2
	exit 1
fi
mv "$out.tmp" "$out"
