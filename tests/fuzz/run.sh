#!/bin/sh
# run.sh DIR SECONDS [JOBS] - runs every fuzz target built in DIR (DIR/NAME,
# from tests/fuzz/NAME.c) for SECONDS each, JOBS of them at a time (default
# 1), starting from its seeds in tests/fuzz/corpus/NAME/ (and lessons/ for the
# lesson and page targets), with
# tests/fuzz/NAME.dict and the libFuzzer flags in tests/fuzz/NAME.options
# when they are there.  New inputs go to DIR/corpus/NAME/,
# the log to DIR/NAME.log, a crash's reproducer to DIR/NAME-crash-* (or
# -leak-, -timeout-, -oom-).  Prints the executions per target and the
# total; exits 1 if any target crashed or reported.
set -u

dir=$1
secs=$2
jobs=${3:-1}
src=$(dirname "$0")

# The seed folders of a target: its corpus in the tree, and for the lesson
# and page targets the lessons themselves rather than copies of them
# (libFuzzer reads a folder recursively).
seeds() {
	[ -d "$src/corpus/$1" ] && echo "$src/corpus/$1"
	case $1 in
	lesson|md) echo "$src/../../lessons" ;;
	esac
}

# One target; its status goes to DIR/NAME.rc.
run_one() {
	name=$1
	dict=""
	opts=""
	[ -f "$src/$name.dict" ] && dict="-dict=$src/$name.dict"
	[ -f "$src/$name.options" ] && opts=$(grep -v '^#' "$src/$name.options")
	mkdir -p "$dir/corpus/$name"
	# shellcheck disable=SC2086
	"$dir/$name" -max_total_time="$secs" -print_final_stats=1 \
		-timeout=10 -rss_limit_mb=2048 $dict $opts \
		-artifact_prefix="$dir/$name-" "$dir/corpus/$name" \
		$(seeds "$name") >"$dir/$name.log" 2>&1
	echo $? >"$dir/$name.rc"
}

names=""
for bin in "$dir"/*; do
	name=$(basename "$bin")
	[ -f "$bin" ] && [ -x "$bin" ] && [ -f "$src/$name.c" ] || continue
	names="$names $name"
	rm -f "$dir/$name.rc"
done
[ -n "$names" ] || { echo "fuzz: no targets in '$dir'; build them: make fuzz"; exit 1; }

n=0
for name in $names; do
	run_one "$name" &
	n=$((n + 1))
	[ $((n % jobs)) -eq 0 ] && wait
done
wait

total=0
failed=""
for name in $names; do
	log="$dir/$name.log"
	rc=$(cat "$dir/$name.rc" 2>/dev/null || echo 1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	execs=${execs:-0}
	total=$((total + execs))
	if [ "$rc" -ne 0 ]; then
		failed="$failed $name"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | head -n 5
		printf 'fuzz: %-14s %12s executions  FAILED (exit %s, log %s, reproducer %s-*)\n' \
			"$name" "$execs" "$rc" "$log" "$dir/$name"
	else
		printf 'fuzz: %-14s %12s executions  ok\n' "$name" "$execs"
	fi
done
printf 'fuzz: %-14s %12s executions\n' "total" "$total"
if [ -n "$failed" ]; then
	echo "fuzz: crashed or reported:$failed; reproduce: $dir/NAME $dir/NAME-crash-..."
	exit 1
fi
exit 0
