#!/bin/sh
# references.sh B - grade every exercise's reference solution with the
# grader and lab VM built in B (build/, or build-V/ for a second kernel).
# Each must score full marks; the exit status is the number that did not.
set -u
B=${1:?usage: tests/references.sh BUILD_DIR}
fails=0
for sol in exercises/*/solution; do
	ex=${sol%/solution}
	ex=${ex#exercises/}
	out=$("$B/bin/addrlab-grade" "$sol" 2>&1)
	rc=$?
	score=$(printf '%s\n' "$out" | sed -n 's/^score //p' | tail -n 1)
	if [ $rc -eq 0 ]; then
		echo "references: $ex $score"
	else
		printf '%s\n' "$out"
		echo "references: $ex: FAILED (exit $rc, score ${score:-none}) on kernel $(cat "$B/kver")"
		fails=$((fails + 1))
	fi
done
exit $fails
