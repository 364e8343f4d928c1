#!/bin/sh
# containers.sh [BUILD_DIR] - the grading image (make image) in default,
# unprivileged podman containers: `podman run --rm` without a security
# flag, the submission mounted read-only, results written to a mounted
# folder.  Every reference solution gets full marks; a broken build, an oops
# and a hang get their verdicts; the Gradescope bundle's run_autograder and
# the GitHub Actions workflow's grading step run in the image as they would
# there.  Prints one line per case; exit status = failures.
#
# No network (--network none: grading needs none, and it starts 0.3 s
# sooner); one case runs with podman's defaults to show they work too.
# A host where podman cannot set its default limits (no CAP_SYS_RESOURCE)
# gets limits it allows passed instead (scripts/podman-flags.sh says which).
# The lab VMs' snapshots are kept in a volume (addrlab-test-cache), as a
# course's host would keep them.
set -u
cd "$(dirname "$0")/.."
B=${1:-build}
IMAGE=${ADDRLAB_IMAGE:-addrlab}:latest
T=$(mktemp -d /tmp/addrlab-containers-XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0

expect() {	# NAME WANT GOT: GOT must contain WANT
	case $3 in
	*"$2"*) echo "containers: $1: ok" ;;
	*)	echo "containers: $1: FAILED: want '$2' in:"
		echo "$3" | sed 's/^/    | /'
		fails=$((fails + 1)) ;;
	esac
}

if ! scripts/image.sh "$B" >"$T/image.log" 2>&1; then
	tail -n 5 "$T/image.log"
	echo "containers: make image failed"
	exit 1
fi
tail -n 2 "$T/image.log" | head -n 1

FLAGS=$(scripts/podman-flags.sh "$IMAGE") || exit 1
run() {	# podman run, as a course's host would
	# shellcheck disable=SC2086
	podman run --rm --network none $FLAGS -v addrlab-test-cache:/root/.cache/addrlab "$@"
}

# Every reference solution, a batch of the class in one container.
mkdir -p "$T/refs" "$T/out"
for d in exercises/*/solution; do
	id=$(basename "$(dirname "$d")")
	cp -r "$d" "$T/refs/$id"
done
out=$(run -v "$T/refs:/refs:ro" -v "$T/out:/out" "$IMAGE" \
	sh -c 'addrlab-grade batch -j 2 --out /out /refs/*; echo "rc=$?"' 2>&1)
expect "batch of every reference: exit 0" "rc=0" "$out"
for d in "$T"/refs/*; do
	id=$(basename "$d")
	line=$(grep "^$id," "$T/out/grades.csv")
	n=$(echo "$line" | cut -d, -f4)
	expect "reference $id: full marks" "$id,$id,$n,$n,graded," "$line"
done

# The grader's fixtures: a broken build, an oops, a hang (its own lessons).
rm -rf "$T/out" && mkdir "$T/out"
out=$(run -v "$PWD/tests/grade:/fixture:ro" -v "$T/out:/out" \
	-e ADDRLAB_LESSONS=/fixture/lessons -e ADDRLAB_EXERCISES=/fixture/exercises "$IMAGE" \
	addrlab-grade batch -j 2 --out /out /fixture/submissions/broken \
	/fixture/submissions/oops /fixture/submissions/hangs 2>&1; echo "rc=$?")
expect "fixtures: exit 0" "rc=0" "$out"
csv=$(cat "$T/out/grades.csv" 2>/dev/null)
expect "a broken build fails every check" "broken,hello,0,5,graded,builds;greets;sparse;unloads" "$csv"
expect "an oops fails what it runs" "oops,hello,2,5,graded,greets;unloads" "$csv"
expect "a hang fails what it runs" "hangs,hello,2,5,graded,greets;unloads" "$csv"
why=$(sqlite3 "$T/out/gradebook.sqlite" "select submission || ': ' || substr(message, 1, 40)
	from checks where name = 'greets' and submission in ('oops', 'hangs') order by submission")
expect "the oops and the hang named" "hangs: the guest stopped answering: no reply fr
oops: the kernel oopsed: BUG: kernel NULL poin" "$why"

# podman's own defaults (the network too), and the sandbox they give.
mkdir -p "$T/sub" && cp exercises/edu-id/solution/* "$T/sub/"
# shellcheck disable=SC2086
out=$(podman run --rm $FLAGS -v "$T/sub:/submission:ro" "$IMAGE" addrlab-grade /submission 2>&1)
expect "podman's defaults: edu-id's reference" "score 13/13" "$out"
expect "podman's defaults: the sandbox" "built in the 'bwrap-noproc' sandbox" "$out"

# Gradescope: the bundle's run_autograder where the custom image has it.
build/bin/addrlab-grade gradescope-bundle edu-id --out "$T/gs.zip" >/dev/null &&
	mkdir "$T/gs" "$T/results" && (cd "$T/gs" && unzip -q ../gs.zip)
out=$(run -v "$T/gs/run_autograder:/autograder/run_autograder:ro" \
	-v "$T/sub:/autograder/submission:ro" -v "$T/results:/autograder/results" "$IMAGE" \
	/autograder/run_autograder 2>&1)
expect "Gradescope: run_autograder's log" "addrlab-grade exited 0; grading /autograder/submission" "$out"
got=$(sqlite3 :memory: "select json_extract(j, '\$.score') || ' ' ||
	json_extract(j, '\$.output_format') || ' ' || json_array_length(j, '\$.tests') || ' ' ||
	json_extract(j, '\$.tests[0].status') || ' ' || json_extract(j, '\$.tests[0].visibility')
	from (select readfile('$T/results/results.json') as j)")
expect "Gradescope: results.json" "13 md 7 passed visible" "$got"

# GitHub Actions: the workflow's grading step, in the image.
step=$(tests/script-block.sh grade deploy/github-actions/addrlab.yml)
mkdir -p "$T/ws" && cp exercises/edu-id/solution/* "$T/ws/" && : >"$T/summary"
out=$(run -v "$T/ws:/ws" -v "$T/summary:/summary" -w /ws -e EXERCISE=edu-id -e SUBMISSION=. \
	-e GITHUB_STEP_SUMMARY=/summary "$IMAGE" sh -c "$step" 2>&1; echo "rc=$?")
expect "GitHub Actions: the step passes" "addrlab: every check passed
rc=0" "$out"
expect "GitHub Actions: the summary" "### addrlab: exercise \`edu-id\`: 13/13 points" "$(cat "$T/summary")"

exit $fails
