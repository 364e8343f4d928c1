#!/bin/sh
# podman-flags.sh [IMAGE] - prints the podman run flags this host needs to
# start a container of IMAGE (default addrlab:latest), and nothing when it
# needs none.  A host where podman cannot set its default limits (a
# container or VM without CAP_SYS_RESOURCE: "error setting rlimit type 7")
# gets limits it allows instead: its own hard open-file limit, and the
# largest of its own process limit, 32768, 16384 or 4096 that works.
# The reason goes to stderr.  Exit status 1 when no flags make it start.
set -u
IMAGE=${1:-addrlab:latest}
err=$(podman run --rm --network none "$IMAGE" true 2>&1) && exit 0
hard() { awk -v l="$1" 'index($0, l) == 1 { print $(NF - 1) }' /proc/self/limits; }
nofile=$(hard 'Max open files')
for nproc in $(hard 'Max processes') 32768 16384 4096; do
	flags="--ulimit nofile=$nofile:$nofile --ulimit nproc=$nproc:$nproc"
	# shellcheck disable=SC2086
	if podman run --rm --network none $flags "$IMAGE" true 2>/dev/null; then
		echo "addrlab: podman's default limits fail here ($(echo "$err" | tail -n 1 |
			sed 's/.*\(error setting rlimit[^:]*\).*/\1/')); using $flags" >&2
		echo "$flags"
		exit 0
	fi
done
echo "addrlab: podman cannot start $IMAGE here: $(echo "$err" | tail -n 1)" >&2
exit 1
