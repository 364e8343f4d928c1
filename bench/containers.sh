#!/bin/sh
# containers.sh [BUILD_DIR] - what grading in a container costs: the grading
# image (make image) against the same programs on this host, one submission
# at a time (the grader fixture's good "hello", its 4 checks).
#
#   container start and stop, nothing else                (figure)
#   a submission graded on this host                      (figure)
#   the same in a container, snapshots in a volume        (figure)
#   container overhead per submission: the difference     target <= 0.5 s
#   the same in a fresh container, no volume              (figure: its lab
#                                                          VM boots cold)
#
# Containers run as tests/containers.sh runs them: --network none, and the
# limits scripts/podman-flags.sh says this host needs.  RUNS (default 5).
set -u
cd "$(dirname "$0")/.."
B=${1:-build}
RUNS=${RUNS:-5}
IMAGE=${ADDRLAB_IMAGE:-addrlab}:latest
scripts/image.sh "$B" >/dev/null || { echo "bench-containers: make image failed" >&2; exit 2; }
FLAGS=$(scripts/podman-flags.sh "$IMAGE" 2>/dev/null) || { echo "bench-containers: podman cannot run $IMAGE" >&2; exit 2; }
export ADDRLAB_LESSONS=$PWD/tests/grade/lessons ADDRLAB_EXERCISES=$PWD/tests/grade/exercises
SUB=$PWD/tests/grade/submissions/good

timed() {	# N COMMAND...: N wall-clock times in seconds, one a line
	n=$1
	shift
	for _ in $(seq "$n"); do
		s=$(date +%s.%N)
		"$@" >/dev/null 2>&1 || echo "bench-containers: failed: $*" >&2
		awk -v s="$s" -v e="$(date +%s.%N)" 'BEGIN { printf "%.3f\n", e - s }'
	done
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
report() {	# NAME FILE [CMP TARGET]: bench.h's line
	sort -n "$2" | awk -v name="$1" -v cmp="${3:-}" -v t="${4:-0}" '
		{ v[NR] = $1 }
		END {
			m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%-44s median %9.2f %-7s (min %.2f, max %.2f, n=%d)", name, m, "s", v[1], v[NR], NR
			if (cmp != "") printf "  target %s %g: %s", cmp, t, (m <= t) ? "met" : "MISSED"
			printf "\n"
			exit (cmp != "" && m > t)
		}'
}
# shellcheck disable=SC2086
in_container() {
	podman run --rm --network none $FLAGS -v addrlab-bench-cache:/root/.cache/addrlab \
		-v "$SUB:/submission:ro" -v "$ADDRLAB_LESSONS:/l:ro" -v "$ADDRLAB_EXERCISES:/e:ro" \
		-e ADDRLAB_LESSONS=/l -e ADDRLAB_EXERCISES=/e "$IMAGE" addrlab-grade /submission
}
# shellcheck disable=SC2086
fresh() {
	podman run --rm --network none $FLAGS -v "$SUB:/submission:ro" -v "$ADDRLAB_LESSONS:/l:ro" \
		-v "$ADDRLAB_EXERCISES:/e:ro" -e ADDRLAB_LESSONS=/l -e ADDRLAB_EXERCISES=/e \
		"$IMAGE" addrlab-grade /submission
}
# shellcheck disable=SC2086
start_stop() { podman run --rm --network none $FLAGS "$IMAGE" true; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$B/bin/addrlab-grade" "$SUB" >/dev/null 2>&1	# warm: the host's snapshot, its Kbuild lines
in_container >/dev/null 2>&1			# and the volume's
timed "$RUNS" start_stop >"$T/start"
timed "$RUNS" "$B/bin/addrlab-grade" "$SUB" >"$T/host"
timed "$RUNS" in_container >"$T/container"
# The overhead: the two medians' difference (the runs are not pairs).
awk -v c="$(median <"$T/container")" -v h="$(median <"$T/host")" 'BEGIN { printf "%.3f\n", c - h }' >"$T/overhead"
timed 2 fresh >"$T/fresh"
report "container start and stop (podman run true)" "$T/start"
report "a submission graded on this host" "$T/host"
report "the same in a container, snapshots kept" "$T/container"
report "container overhead per submission" "$T/overhead" "<=" 0.5
met=$?
report "the same in a fresh container, no snapshot" "$T/fresh"
exit $met
