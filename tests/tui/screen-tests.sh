#!/bin/sh
# screen-tests.sh - the workbook as a learner sees it: the real build/bin/addrlab
# in a tmux terminal of a fixed size, keys sent, the screen text asserted.
#
#   tests/tui/screen-tests.sh [BUILD_DIR] [NAME...]
#
# Each test starts addrlab with a fresh progress store and workspace (temp
# folders), so tests do not depend on each other or on the user's own
# progress.  A failing assertion prints the expected text and the screen.
# Exit status: the number of failed tests (0: all passed).
set -u

B=${1:-build}
[ $# -gt 0 ] && shift
ONLY="$*"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ADDRLAB="$ROOT/$B/bin/addrlab"
SOCK="addrlab-screen-$$"
TMP=$(mktemp -d /tmp/addrlab-screen.XXXXXX)
TMUX_CMD="tmux -L $SOCK-0 -f /dev/null"
failed=0 passed=0 current="" servers=0

# Every start gets a tmux server of its own: a server being killed can
# still hold its socket for a moment.
cleanup() {
	i=0
	while [ $i -le $servers ]; do
		tmux -L "$SOCK-$i" kill-server 2>/dev/null
		i=$((i + 1))
	done
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

# start COLS ROWS [VAR=value...]: addrlab in a fresh session of that size.
start() {
	cols=$1 rows=$2
	shift 2
	$TMUX_CMD kill-server 2>/dev/null
	servers=$((servers + 1))
	TMUX_CMD="tmux -L $SOCK-$servers -f /dev/null"
	rm -rf "$TMP/state" "$TMP/work"
	mkdir -p "$TMP/state" "$TMP/work"
	$TMUX_CMD new-session -d -s t -x "$cols" -y "$rows" \
		env TERM=tmux-256color LANG=C.UTF-8 XDG_STATE_HOME="$TMP/state" \
		ADDRLAB_WORKSPACE="$TMP/work" EDITOR=true "$@" "$ADDRLAB"
	$TMUX_CMD set-option -t t remain-on-exit on >/dev/null
}

# restart COLS ROWS [env VAR=value...]: kills addrlab with SIGKILL (no
# chance to save anything) and starts it again on the same progress store
# and workspace.
restart() {
	cols=$1 rows=$2
	shift 2
	pid=$($TMUX_CMD display-message -p -t t '#{pane_pid}')
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	$TMUX_CMD kill-server 2>/dev/null
	servers=$((servers + 1))
	TMUX_CMD="tmux -L $SOCK-$servers -f /dev/null"
	$TMUX_CMD new-session -d -s t -x "$cols" -y "$rows" \
		env TERM=tmux-256color LANG=C.UTF-8 XDG_STATE_HOME="$TMP/state" \
		ADDRLAB_WORKSPACE="$TMP/work" EDITOR=true "$@" "$ADDRLAB"
}

screen() { $TMUX_CMD capture-pane -p -t t; }
line() { screen | sed -n "$(($1 + 1))p" | sed 's/ *$//'; }
keys() { $TMUX_CMD send-keys -t t "$@"; }
# type TEXT: literally (tmux would read "0x1" as a key code)
type_text() { $TMUX_CMD send-keys -t t -l "$1"; }

fail() {
	echo "  FAIL: $current: $*"
	echo "  --- screen ---"
	screen | sed 's/^/  |/'
	echo "  ---"
	failed=$((failed + 1))
	current=""
}

# wait_for TEXT [SECONDS]: until the screen shows TEXT (a fixed string).
wait_for() {
	t=0 limit=$((${2:-10} * 10))
	while [ $t -lt $limit ]; do
		$TMUX_CMD has-session -t t 2>/dev/null || break
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
		t=$((t + 1))
	done
	fail "'$1' did not appear within ${2:-10} s (or the terminal went away)"
	return 1
}

# wait_gone TEXT [SECONDS]
wait_gone() {
	t=0 limit=$((${2:-10} * 10))
	while [ $t -lt $limit ]; do
		screen | grep -qF -- "$1" || return 0
		sleep 0.1
		t=$((t + 1))
	done
	fail "'$1' was still there after ${2:-10} s"
	return 1
}

# expect_line N TEXT: screen line N (0-based, trailing spaces removed) is TEXT.
expect_line() {
	got=$(line "$1")
	[ "$got" = "$2" ] && return 0
	fail "line $1 is '$got', expected '$2'"
	return 1
}

# expect_has TEXT / expect_not TEXT
expect_has() { screen | grep -qF -- "$1" || { fail "no '$1' on the screen"; return 1; }; }
expect_not() { ! screen | grep -qF -- "$1" || { fail "'$1' should not be on the screen"; return 1; }; }

# run NAME: runs the function t_NAME (from cases.sh) unless NAMEs were given
# and this is not one of them.  A test stops at its first failed step
# (steps are chained with ||return).
run() {
	case " $ONLY " in "  "|*" $1 "*) ;; *) return 0 ;; esac
	current=$1
	_before=$failed
	"t_$1"
	if [ $failed = $_before ] && [ -n "$current" ]; then
		echo "  ok: $1"
		passed=$((passed + 1))
	elif [ $failed = $_before ]; then
		failed=$((failed + 1))
	fi
	$TMUX_CMD kill-server 2>/dev/null
	current=""
}

. "$ROOT/tests/tui/cases.sh"

echo "screen tests: $passed passed, $failed failed"
exit $failed
