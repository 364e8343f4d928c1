#!/bin/sh
# extract-vmlinux.sh BZIMAGE OUT - the uncompressed ELF vmlinux inside a
# packaged (xz-compressed) bzImage.  The ELF keeps the PVH entry note, so QEMU
# boots it directly with qboot: no firmware detour, no decompression at boot.
set -eu
in=$1 out=$2
# The xz stream starts with FD 37 7A 58 5A 00.
off=$(LC_ALL=C grep -obUaP '\xfd\x37\x7a\x58\x5a\x00' "$in" | head -n 1 | cut -d: -f1)
if [ -z "$off" ]; then
	echo "addrlab: '$in' holds no xz stream; is it a Debian kernel image?" >&2
	exit 1
fi
# xz complains about the bytes after the stream; the stream itself is whole.
tail -c +$((off + 1)) "$in" | xz -dc >"$out.tmp" 2>/dev/null || true
if ! head -c 4 "$out.tmp" | grep -q 'ELF'; then
	rm -f "$out.tmp"
	echo "addrlab: could not extract an ELF vmlinux from '$in'" >&2
	exit 1
fi
mv "$out.tmp" "$out"
