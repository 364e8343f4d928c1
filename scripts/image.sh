#!/bin/sh
# image.sh [BUILD_DIR] - the grading image: a local podman image addrlab:TAG,
# also tagged addrlab:latest, made from Debian's archive alone (no container
# registry).  It holds addrlab-grade with what it grades with (gcc and make,
# the headers of exactly the guest's kernel, QEMU with qboot, bubblewrap,
# sparse), the workbook, the lessons, the students' skeletons and the lab
# VM's guest; never a reference solution, an alternative or a mutant.
#
# TAG is a hash of the inputs: the built programs and guest, the lessons,
# the skeletons, the include files, this script and its package list.  When
# addrlab:TAG exists already nothing is built (the archive's newer packages
# come in with the next change of an input).
#
# The root is `debootstrap --variant=minbase` of this host's release (the
# programs were built against its libraries), made once and kept as a
# tarball in ADDRLAB_IMAGE_CACHE (default ~/.cache/addrlab/image) with the
# downloaded .debs and package lists, so a rebuild downloads nothing new.
# Packages are installed --no-install-recommends, without documentation,
# manual pages or translations; sparse is its one program, without the LLVM
# of its package's sparse-llvm.
#
# The image is made with `podman import` of the root, not buildah: one
# layer from one tar stream, no container is ever run to make it (so no OCI
# runtime, which this kind of host may lack), and buildah is not needed.
#
# Needs root (debootstrap, chroot, mounts); installs podman and debootstrap
# when missing.  ADDRLAB_DEBIAN_MIRROR and ADDRLAB_DEBIAN_SECURITY pick the
# mirrors (default http://deb.debian.org/debian and .../debian-security).
set -eu
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 || {
		echo "addrlab: make image needs root (debootstrap, chroot); run it as root" >&2
		exit 1
	}
	exec sudo -E "$0" "$@"
fi

B=${1:-build}
IMAGE=${ADDRLAB_IMAGE:-addrlab}
CACHE=${ADDRLAB_IMAGE_CACHE:-$HOME/.cache/addrlab/image}
MIRROR=${ADDRLAB_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY=${ADDRLAB_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
PREFIX=/usr/local		# as `make install PREFIX=/usr/local` lays it out
SHARE=$PREFIX/share/addrlab

# What addrlab-grade runs besides itself: gcc (cc1, as, ld, libc.a for the
# static user programs) and make, for Kbuild too; QEMU (qemu-system-x86 and
# its qemu-system-data: qboot.rom, pvh.bin, kvmvapic.bin); bwrap for the
# build sandbox; tini as PID 1 to reap what a grade leaves and pass signals
# on; procps (ps, pgrep) to look at a running grade.  The kernel headers,
# the libraries of our own programs and sparse are added below.
PACKAGES="gcc make libc6-dev qemu-system-x86 bubblewrap tini procps"

die() {
	echo "addrlab: $*" >&2
	exit 1
}

need() {	# COMMAND PACKAGE
	command -v "$1" >/dev/null 2>&1 && return 0
	echo "addrlab: installing $2 for make image"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$2" \
		>/dev/null 2>&1 || die "could not install $2; install it with: apt-get install $2"
}
need podman podman

for f in bin/addrlab bin/addrlab-grade guest/vmlinux guest/initrd.cpio guest/kver \
	exercises/.stamp; do
	[ -e "$B/$f" ] || die "$B/$f is missing; build the tree first: make image (or make)"
done
SUITE=${ADDRLAB_IMAGE_SUITE:-$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release 2>/dev/null)}
[ -n "$SUITE" ] || die "this host's Debian release is unknown (/etc/os-release); set ADDRLAB_IMAGE_SUITE"
KVER=$(cat "$B/guest/kver")
PACKAGES="$PACKAGES linux-headers-$KVER"

# The packages of the libraries our programs link (as on this host, where
# they were built): not a list to keep up by hand.
libs=$(ldd "$B/bin/addrlab" "$B/bin/addrlab-grade" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u)
for l in $libs; do
	p=$(dpkg -S "$l" 2>/dev/null || dpkg -S "$(readlink -f "$l")" 2>/dev/null) ||
		die "no Debian package holds $l, which $B/bin links; install its package"
	PACKAGES="$PACKAGES ${p%%:*}"
done
PACKAGES=$(echo "$PACKAGES" | tr ' ' '\n' | sort -u | tr '\n' ' ')

# The files that go in (the copy below takes the same), for the tag.
shipped() {
	find "$B/bin/addrlab" "$B/bin/addrlab-grade" "$B/guest/vmlinux" \
		"$B/guest/initrd.cpio" "$B/guest/kver" "$B/exercises" lessons \
		templates/gradescope kmod/*.h scripts/image.sh \
		-type f ! -name '.*' ! -name '*~'
}
TAG=$( { echo "$SUITE $MIRROR $PACKAGES"; shipped | LC_ALL=C sort | while read -r f; do
	sha256sum "$f"; done; } | sha256sum | cut -c1-12)

if podman image exists "$IMAGE:$TAG"; then
	podman tag "$IMAGE:$TAG" "$IMAGE:latest"
	echo "addrlab: $IMAGE:$TAG is up to date (also $IMAGE:latest)"
	exit 0
fi
start=$(date +%s)
need debootstrap debootstrap

# ---- the debootstrapped base, once ----
mkdir -p "$CACHE/debs" "$CACHE/lists"
BASE=$CACHE/$SUITE-minbase.tar
if [ ! -f "$BASE" ]; then
	echo "== debootstrap --variant=minbase $SUITE (once; kept in $BASE)"
	rm -rf "$CACHE/base.tmp"
	debootstrap --variant=minbase "$SUITE" "$CACHE/base.tmp" "$MIRROR" \
		>"$CACHE/debootstrap.log" 2>&1 || {
		tail -n 20 "$CACHE/debootstrap.log" >&2
		die "debootstrap of $SUITE from $MIRROR failed (log: $CACHE/debootstrap.log)"
	}
	# debootstrap's .debs and lists: the cache's own are used from now on.
	rm -rf "$CACHE/base.tmp/var/cache/apt/archives/"*.deb "$CACHE/base.tmp/var/lib/apt/lists/"*
	tar -C "$CACHE/base.tmp" --numeric-owner -cf "$BASE.tmp" .
	mv "$BASE.tmp" "$BASE"
	rm -rf "$CACHE/base.tmp"
fi

ROOT=$CACHE/root.$$
trap 'rm -rf "$ROOT"' EXIT
trap 'exit 130' INT TERM
mkdir "$ROOT"
tar -C "$ROOT" --numeric-owner -xf "$BASE"

# ---- the packages ----
cat >"$ROOT/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY $SUITE-security main
EOF
# Kept in the image: an image made FROM this one stays as slim.
cat >"$ROOT/etc/apt/apt.conf.d/90addrlab" <<'EOF'
// addrlab image (scripts/image.sh): no recommended packages.
APT::Install-Recommends "false";
EOF
cat >"$ROOT/etc/dpkg/dpkg.cfg.d/addrlab" <<'EOF'
# addrlab image (scripts/image.sh): what dpkg leaves out.  Nobody reads
# documentation, manual pages or translations in a grading container (each
# package's copyright stays); nothing here is built with -flto, so gcc's LTO
# compiler and dumper are never run.  Delete this file before installing a
# package that needs them.
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
path-exclude=/usr/share/lintian/*
path-exclude=/usr/lib/gcc/x86_64-linux-gnu/*/lto1
path-exclude=/usr/bin/x86_64-linux-gnu-lto-dump-*
EOF
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"	# start no daemon
chmod 755 "$ROOT/usr/sbin/policy-rc.d"

echo "== $SUITE packages: $PACKAGES"
# In a mount namespace of its own: the mounts end with it, however it ends.
# The .debs and lists are the cache's, bound in, so none stays in the root.
export ROOT CACHE PACKAGES
unshare --mount --propagation private /bin/sh -eu -c '
	mount -t proc proc "$ROOT/proc"
	mount --rbind /dev "$ROOT/dev"
	mount --bind "$CACHE/debs" "$ROOT/var/cache/apt/archives"
	mount --bind "$CACHE/lists" "$ROOT/var/lib/apt/lists"
	touch "$ROOT/etc/resolv.conf"
	mount --bind /etc/resolv.conf "$ROOT/etc/resolv.conf"
	in_root() {
		chroot "$ROOT" /usr/bin/env -i DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 \
			PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
	}
	in_root apt-get update -q
	in_root apt-get upgrade -y -q
	in_root apt-get install -y -q --no-install-recommends $PACKAGES
	# sparse alone: the package also has sparse-llvm, hence LLVM (100 MB).
	in_root sh -ec "cd /tmp && apt-get download -q sparse && dpkg-deb -x sparse_*.deb s &&
		install -m 755 s/usr/bin/sparse /usr/bin/sparse &&
		install -D -m 644 s/usr/share/doc/sparse/copyright /usr/share/doc/sparse/copyright &&
		rm -rf s sparse_*.deb"
	in_root apt-get autoclean -q
' >"$CACHE/apt.log" 2>&1 || {
	tail -n 20 "$CACHE/apt.log" >&2
	die "installing the image's packages failed (log: $CACHE/apt.log); is linux-headers-$KVER in $SUITE's archive?"
}

# ---- addrlab: as make install lays it out, but skeletons, no references ----
echo "== addrlab: programs, guest, lessons, skeletons"
install -d "$ROOT$PREFIX/bin" "$ROOT$SHARE/guest" "$ROOT$SHARE/include" \
	"$ROOT$SHARE/exercises" "$ROOT$SHARE/templates"
install -m 755 "$B/bin/addrlab" "$B/bin/addrlab-grade" "$ROOT$PREFIX/bin/"
install -m 644 "$B/guest/vmlinux" "$B/guest/initrd.cpio" "$B/guest/kver" "$ROOT$SHARE/guest/"
install -m 644 kmod/*.h "$ROOT$SHARE/include/"
tar -c --exclude='.*' --exclude='*~' lessons templates/gradescope | tar -x -C "$ROOT$SHARE"
for d in "$B"/exercises/*/; do
	id=$(basename "$d")
	install -d "$ROOT$SHARE/exercises/$id/skeleton"
	install -m 644 "$d"* "$ROOT$SHARE/exercises/$id/skeleton/"
done

# ---- trimmed, then checked ----
rm -f "$ROOT/usr/sbin/policy-rc.d"
find "$ROOT/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
find "$ROOT/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$ROOT/usr/share/man/"* "$ROOT/usr/share/info/"* "$ROOT/usr/share/lintian" \
	"$ROOT/var/lib/apt/lists/"* "$ROOT/var/cache/apt/"*.bin "$ROOT/var/cache/apt/archives/"*.deb \
	"$ROOT/var/cache/debconf/"*-old \
	"$ROOT/var/lib/dpkg/"*-old "$ROOT/var/log/"* "$ROOT/tmp/"* "$ROOT/var/tmp/"* \
	"$ROOT/usr/lib/gcc/x86_64-linux-gnu/"*/lto1 "$ROOT/usr/bin/x86_64-linux-gnu-lto-dump-"*
find "$ROOT/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
# The working folder, writable whatever --user runs the container: mount a
# folder there to keep what is written (a batch's --out, a bundle).
install -d -m 1777 "$ROOT/work"
# Nothing of this host's: the container runtime writes its own.
: >"$ROOT/etc/resolv.conf"
echo addrlab >"$ROOT/etc/hostname"
[ ! -f "$ROOT/etc/machine-id" ] || : >"$ROOT/etc/machine-id"

bad=$(find "$ROOT$SHARE" -name solution -o -name alternatives -o -name mutants.lua)
[ -z "$bad" ] || die "reference material in the image: $bad"
for f in /usr/share/qemu/qboot.rom /usr/share/qemu/pvh.bin /usr/bin/qemu-system-x86_64 \
	/usr/bin/bwrap /usr/bin/gcc /usr/bin/make /usr/bin/sparse /usr/bin/tini \
	"/usr/src/linux-headers-$KVER/Makefile"; do
	[ -e "$ROOT$f" ] || die "$f is missing from the image's root"
done
missing=$(chroot "$ROOT" /usr/bin/ldd "$PREFIX/bin/addrlab" "$PREFIX/bin/addrlab-grade" \
	/usr/bin/sparse /usr/bin/qemu-system-x86_64 | grep 'not found' || true)
[ -z "$missing" ] || die "libraries missing from the image: $missing"

# ---- the image ----
echo "== podman import $IMAGE:$TAG"
# tar's failure would be lost in the pipe: it leaves a mark.
rm -f "$CACHE/tar.failed"
{ tar -C "$ROOT" --numeric-owner --exclude='./dev/*' --exclude='./proc/*' \
	--exclude='./sys/*' -c . || : >"$CACHE/tar.failed"; } |
	podman import --quiet \
		--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		--change 'ENV LANG=C.UTF-8' \
		--change 'WORKDIR /work' \
		--change 'ENTRYPOINT ["/usr/bin/tini", "--"]' \
		--change 'CMD ["addrlab-grade", "--help"]' \
		--change 'LABEL org.opencontainers.image.title=addrlab' \
		--change "LABEL org.opencontainers.image.version=$TAG" \
		--message "addrlab $TAG: Debian $SUITE, kernel headers $KVER (scripts/image.sh)" \
		- "$IMAGE:$TAG" >/dev/null
[ ! -e "$CACHE/tar.failed" ] || { podman rmi "$IMAGE:$TAG" >/dev/null 2>&1 || true;
	die "could not read the image's root $ROOT"; }
podman tag "$IMAGE:$TAG" "$IMAGE:latest"
# The images this one replaces (about 470 MB each) go, unless a container
# still uses one; an image a course pushed elsewhere is not touched.
podman images --format '{{.Repository}}:{{.Tag}}' |
	grep -E "^(localhost/)?$IMAGE:[0-9a-f]{12}\$" | grep -v ":$TAG\$" |
	while read -r old; do podman rmi "$old" >/dev/null 2>&1 || true; done
size=$(podman image inspect --format '{{.Size}}' "$IMAGE:$TAG")
echo "addrlab: built $IMAGE:$TAG (also $IMAGE:latest): $((size / 1000000)) MB, in $(($(date +%s) - start)) s"
echo "addrlab: grade with: podman run --rm -v SUBMISSION:/submission:ro $IMAGE:latest addrlab-grade /submission"
