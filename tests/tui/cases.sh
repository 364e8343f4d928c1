# cases.sh - the screen tests (sourced by screen-tests.sh, which defines
# start, keys, screen, line, wait_for, expect_line, expect_has, run...).
# Lines are 0-based screen rows with trailing spaces removed.

FIXTURES="ADDRLAB_LESSONS=$ROOT/tests/grade/lessons ADDRLAB_EXERCISES=$ROOT/tests/grade/exercises"

# The first screen: every chapter with its quiz and exercise progress.
t_list() {
	start 80 24
	wait_for "Chapters:" || return
	expect_line 1 " Chapters: how Linux reaches memory and devices" || return
	expect_line 2 "   1  Three address spaces                                 quiz 0/4" || return
	expect_line 3 "      exercise pagemap                                     not started" || return
	expect_line 12 "   6  DMA and the IOMMU                                    quiz 0/7" || return
	expect_line 13 "      exercise dma-roundtrip                               not started" || return
	expect_line 15 "  5 live views, 4 quiz questions, one exercise" || return
	expect_line 23 " Enter open  j/k move  L 한국어  K kernel log  ! shell  ? help  q quit" || return
	# The VM's state is always in the title bar, and turns ready.
	line 0 | grep -qE '^ addrlab +en │ VM (booting [0-9.]+s|ready .*)$' ||
		{ fail "title bar: '$(line 0)'"; return; }
	wait_for "VM ready (" 60 || return
	keys j j j
	expect_line 15 "  Size a BAR the way firmware does" || return
	expect_line 16 "  your files: $TMP/work/bar-sizing/" || return
}

# 120x40: the same list, the columns follow the width.
t_list_wide() {
	start 120 40
	wait_for "Chapters:" || return
	# The progress column starts 21 columns from the right edge.
	expect_line 2 "$(printf '%-99s%s' '   1  Three address spaces' 'quiz 0/4')" || return
	expect_line 7 "$(printf '%-99s%s' '      exercise edu-id' 'not started')" || return
	expect_line 39 " Enter open  j/k move  L 한국어  K kernel log  ! shell  ? help  q quit" || return
}

# A Korean page wraps by columns at spaces (two columns per syllable), and
# the choice of language is remembered.
t_korean() {
	start 80 24
	wait_for "Chapters:" || return
	keys L
	wait_for "장: 리눅스가 메모리와 디바이스에 닿는 방법" || return
	keys Enter
	wait_for "세 가지 주소 공간" || return
	expect_line 1 " 세 가지 주소 공간" || return
	expect_line 2 " =================" || return
	expect_line 4 " 디바이스 드라이버는 세 종류의 주소를 다룹니다. 드라이버 버그의 상당수는 이" || return
	expect_line 5 " 셋을 헷갈리는 데서 나옵니다." || return
	expect_line 7 " • 가상 주소(virtual address): C 포인터에 들어 있는 값입니다. 커널이든" || return
	expect_line 8 "   프로세스든 마찬가지입니다." || return
	expect_line 9 " • 물리 주소(physical address): 데이터가 실제로 있는 곳입니다. RAM의 한 위치일" || return
	expect_line 10 "   수도 있고, 디바이스의 레지스터일 수도 있습니다." || return
	# No line is wider than the terminal.
	w=$(screen | while IFS= read -r l; do printf '%s' "$l" | wc -L; done | sort -n | tail -1)
	[ "$w" -le 80 ] || { fail "a line is $w columns wide"; return; }
	# Quit and start again: still Korean.
	keys q q
	sleep 0.5
	restart 80 24
	wait_for "장: 리눅스가 메모리와 디바이스에 닿는 방법" || return
	line 0 | grep -q ' ko │ VM ' || { fail "title bar: '$(line 0)'"; return; }
}

# A live view: /proc/iomem from the VM, edu's line highlighted.
t_live_view() {
	start 80 24
	wait_for "Chapters:" || return
	keys j j Enter
	wait_for "The physical map" || return
	keys v
	wait_for "─ /proc/iomem: who owns which physical addresses [1/4] ─" 60 || return
	wait_for ": 0000:00:02.0" 60 || return
	expect_has " \$ cat /proc/iomem" || return
	# The BAR's line is the highlight (reverse video when NO_COLOR...
	# here in colour: black on yellow, SGR 30;43 in tmux's escapes).
	esc=$(printf '\033')
	$TMUX_CMD capture-pane -p -e -t t | grep ': 0000:00:02.0' | grep -q "$esc\[30m$esc\[43m" ||
		{ fail "the edu line is not highlighted: $($TMUX_CMD capture-pane -p -e -t t | grep ': 0000:00:02.0' | od -c | head -3)"; return; }
	# The range in the view is the BAR the kernel recorded (sysfs), 1 MiB.
	bar=$(screen | grep ': 0000:00:02.0' | head -1 | sed 's/^ *//; s/ : .*//')
	start_hex=${bar%-*} end_hex=${bar#*-}
	[ $((0x$end_hex - 0x$start_hex + 1)) = 1048576 ] ||
		{ fail "edu's range '$bar' is not 1 MiB"; return; }
	# v again: the next view (lspci), its "Memory at" line.
	keys v
	wait_for "[2/4]" || return
	wait_for "Memory at" 60 || return
	# Tab: the scroll keys move the view; the text stays.
	text_line=$(line 1)
	keys Tab g
	wait_for "00:02.0 Unclassified device [00ff]: Device 1234:11e8 (rev 10)" || return
	[ "$(line 1)" = "$text_line" ] || { fail "the text moved: '$(line 1)'"; return; }
	keys Tab
	# The quiz asks for that base; its answer is computed in the VM.
	keys Q
	wait_for "Quiz: 0 of 5 right" || return
	expect_line 3 "  · 1. At which physical address did the firmware put edu's BAR0 in this VM? (…" || return
	keys Enter
	wait_for "your answer:" || return
	type_text 0x1
	keys Enter
	wait_for "✗ not quite: 0x1" 30 || return
	keys Enter
	wait_for "your answer:" || return
	type_text "0x$start_hex"
	keys Enter
	wait_for "✓ right: 0x$start_hex" 30 || return
	expect_line 1 " Quiz: 1 of 5 right" || return
	expect_line 3 "  ✓ 1. At which physical address did the firmware put edu's BAR0 in this VM? (…" || return
	# A choice is answered with its number.
	keys j j j 1
	wait_for "✗ not quite: 1" || return
	keys 2
	wait_for "✓ right: 2" || return
	expect_line 1 " Quiz: 2 of 5 right" || return
}

# The exercise flow: a check fails on the skeleton, a save of a fixed
# file is checked by the watcher and passes; a killed workbook loses
# nothing.
t_check() {
	start 80 24 env $FIXTURES
	wait_for "Chapters:" || return
	keys G Enter
	wait_for "✎ $TMP/work/count/count.c" || return
	expect_line 1 "  Count to N" || return
	expect_line 3 "  watch: inotify · attempts: 0 · best: 0/4" || return
	expect_line 6 "   ·  builds without warnings (0/1)" || return
	keys c
	wait_for "score 1/4" 90 || return
	expect_line 6 "   ✗  builds without warnings (0/1)" || return
	expect_has "   ✗  counts to 5 (0/2)" || return
	expect_has "unused variable ‘n’" || return
	keys G
	expect_has "   ✓  leaves the lab VM usable (1/1)" || return
	expect_has " Hints: 0 of 2 shown (h for the next)" || return
	keys h
	wait_for " 1. Read N from argv[1] with strtol()." || return
	keys g
	cp "$ROOT/tests/grade/exercises/count/solution/count.c" "$TMP/work/count/count.c"
	wait_for "score 4/4" 90 || return
	wait_for "★ Chapter 2 complete ★" || return
	keys Escape
	wait_gone "★ Chapter 2 complete ★" || return
	expect_line 6 "   ✓  builds without warnings (1/1)" || return
	expect_line 7 "   ✓  counts to 5 (2/2)" || return
	expect_line 3 "  watch: inotify · attempts: 2 · best: 4/4" || return
	# Reset: the skeleton back, the passing file kept in .backup/.
	keys R
	wait_for "reset to the skeleton?" || return
	keys y Enter
	wait_for "reset; your old files are in $TMP/work/count/.backup" || return
	cmp -s "$TMP/work/count/.backup/count.c.1" "$ROOT/tests/grade/exercises/count/solution/count.c" ||
		{ fail "the backup is not the file that passed"; return; }
	grep -q "TODO 1: Read N from the first argument." "$TMP/work/count/count.c" ||
		{ fail "the workspace file is not the skeleton again"; return; }
	expect_line 3 "  watch: inotify · attempts: 0 · best: 0/4" || return
	cp "$ROOT/tests/grade/exercises/count/solution/count.c" "$TMP/work/count/count.c"
	wait_for "score 4/4" 90 || return
	# kill -9, start again: the result is still there.
	restart 80 24 env $FIXTURES
	wait_for "Chapters:" || return
	expect_line 5 "      exercise count                                       done 4/4" || return
}

# The screen as it is equals what a full repaint (^L) draws: nothing was
# left behind.  Waits for the transient message to go first (a key clears it).
same_after_repaint() {
	wait_for " e edit  c check  w watch" || return
	sleep 0.3
	before=$(screen)
	keys C-l
	sleep 0.5
	after=$(screen)
	[ "$before" = "$after" ] && return 0
	fail "the screen changed on a full repaint (garbage): $(printf '%s\n' "$before" >"$TMP/b"; printf '%s\n' "$after" >"$TMP/a"; diff "$TMP/b" "$TMP/a")"
	return 1
}

# e opens $EDITOR on the workspace file, in the exercise's folder, with
# curses suspended; the save it makes is checked, and the screen comes
# back whole.
t_edit() {
	cat >"$TMP/editor" <<-EOF
	#!/bin/sh
	pwd >"$TMP/editor-ran"
	echo "\$@" >>"$TMP/editor-ran"
	cp "$ROOT/tests/grade/exercises/count/solution/count.c" "\$1"
	EOF
	chmod +x "$TMP/editor"
	start 80 24 env $FIXTURES EDITOR="$TMP/editor"
	wait_for "Chapters:" || return
	keys G Enter
	wait_for "✎ $TMP/work/count/count.c" || return
	keys e
	wait_for "score 4/4" 90 || return
	[ "$(cat "$TMP/editor-ran")" = "$(printf '%s\n%s' "$TMP/work/count" count.c)" ] ||
		{ fail "the editor ran as '$(cat "$TMP/editor-ran")'"; return; }
	expect_line 1 "  Count to N" || return
	wait_for "★ Chapter 2 complete ★" || return
	keys Escape
	wait_gone "★ Chapter 2 complete ★" || return
	same_after_repaint || return
}

# Resizing: during a check, then below the minimum, then back: the screen
# is what a full repaint gives, with nothing left behind.
t_resize() {
	start 80 24 env $FIXTURES
	wait_for "Chapters:" || return
	keys G Enter
	wait_for "✎ $TMP/work/count/count.c" || return
	keys c
	wait_for "checking…" || return
	$TMUX_CMD resize-window -t t -x 120 -y 40
	sleep 0.5
	expect_line 39 " e edit  c check  w watch  h hint  R reset  ? help  q back" || return
	wait_for "score 1/4" 90 || return
	same_after_repaint || return
	$TMUX_CMD resize-window -t t -x 50 -y 10
	wait_for "terminal too small: 50x10; addrlab needs 60x16" || return
	$TMUX_CMD resize-window -t t -x 80 -y 24
	wait_for "  Count to N" || return
	same_after_repaint || return
}

# The help comes from the key table, for the screen it was asked from.
t_help() {
	start 80 24
	wait_for "Chapters:" || return
	keys '?'
	wait_for "Keys on this screen" || return
	expect_line 2 " Enter, l, Right  open the chapter or exercise" || return
	expect_has " q, ^C            quit addrlab (progress is already saved)" || return
	expect_has " L                switch language (English/Korean)" || return
	expect_not "search this page" || return
	# One step at a time: a wait must not be met by the screen before
	# the keys were read (the list's help is still up right after q).
	keys q
	wait_for "Chapters:" || return
	keys Enter
	wait_for "Space/b page" || return
	keys '?'
	wait_for "Keys on this screen" || return
	expect_has " /                search this page" || return
	keys q
	wait_for "Space/b page" || return
}

# Every chapter, in both languages, page by page to its end: the page
# opens with its title, no line is wider than the terminal, and Space
# reaches 100%.
t_all_pages() {
	start 80 24
	wait_for "Chapters:" || return
	for lang in en ko; do
		for ch in 1 2 3 4 5 6; do
			keys Enter g	# a chapter opens where it was left: go to the top
			wait_for "│ $ch. " || return
			title=$(line 0 | sed 's/^ addrlab │ [0-9]\. //; s/  .*//')
			expect_line 1 " $title" || return
			pages=0
			until line 23 | grep -q ' 100%$'; do
				w=$(screen | while IFS= read -r l; do printf '%s' "$l" | wc -L; done | sort -n | tail -1)
				[ "$w" -le 80 ] || { fail "chapter $ch ($lang): a line is $w columns wide"; return; }
				expect_not "cannot read" || return
				keys Space
				sleep 0.1
				pages=$((pages + 1))
				[ $pages -lt 60 ] || { fail "chapter $ch ($lang): no end after 60 pages"; return; }
			done
			keys q j
			[ $ch -lt 6 ] && keys j
			sleep 0.1
		done
		[ $lang = ko ] && break
		keys L g
		wait_for "장: 리눅스가 메모리와 디바이스에 닿는 방법" || return
	done
}

# The guest shell from the workbook, on the workbook's terminal.
t_shell() {
	start 80 24
	wait_for "Chapters:" || return
	keys '!'
	wait_for "root@addrlab:~#" 60 || return
	type_text "stty size; echo shell-ok-\$((6*7))"
	keys Enter
	wait_for "shell-ok-42" || return
	expect_has "24 80" || return
	type_text "exit"
	keys Enter
	wait_for "Chapters:" || return
	expect_line 2 "   1  Three address spaces                                 quiz 0/4" || return
}

# Kernel messages as they arrive: one the kernel prints at a command in the
# guest's shell (SysRq's help) shows up in the console view, which follows
# the end.  (/dev/kmsg is closed to the shell: it could pass for the kernel.)
t_console() {
	start 80 24
	wait_for "Chapters:" || return
	wait_for "VM ready (" 60 || return
	keys K
	wait_for "Kernel messages of the lab VM (following)" || return
	wait_for "Run /init as init process" 10 || return
	keys q '!'
	wait_for "root@addrlab:~#" 60 || return
	type_text "echo h >/proc/sysrq-trigger; exit"
	keys Enter
	wait_for "Chapters:" || return
	keys K
	wait_for "sysrq: HELP" 10 || return
	line 22 | grep -q 'dump-ftrace-buffer(z)' ||
		{ fail "the newest message is not at the bottom: '$(line 22)'"; return; }
}

# A fatal signal leaves the terminal as it was (stty settings), and
# NO_COLOR gives reverse video instead of colours.
t_signal() {
	for sig in TERM:15 SEGV:11; do
		num=${sig#*:} sig=${sig%:*}
		start 80 24
		$TMUX_CMD kill-server 2>/dev/null
		servers=$((servers + 1))
		TMUX_CMD="tmux -L $SOCK-$servers -f /dev/null"
		$TMUX_CMD new-session -d -s t -x 80 -y 24 env TERM=tmux-256color LANG=C.UTF-8 \
			NO_COLOR=1 XDG_STATE_HOME="$TMP/state" ADDRLAB_WORKSPACE="$TMP/work" \
			sh -c "stty -g >'$TMP/before'; '$ADDRLAB'; echo \$? >'$TMP/status'; stty -g >'$TMP/after'; sleep 60"
		wait_for "Chapters:" || return
		# NO_COLOR: the selected row is reverse video, no colour pair.
		esc=$(printf '\033')
		$TMUX_CMD capture-pane -p -e -t t | grep 'Three address spaces' | grep -q "$esc\[[0-9;]*7m" ||
			{ fail "NO_COLOR: the selection is not in reverse video"; return; }
		! $TMUX_CMD capture-pane -p -e -t t | grep -q "$esc\[3[0-7]m" ||
			{ fail "NO_COLOR: colours were used"; return; }
		pid=$(pgrep -n -f "^$ADDRLAB\$")
		[ -n "$pid" ] || { fail "cannot find addrlab's pid"; return; }
		kill -s $sig "$pid"
		t=0
		while [ ! -s "$TMP/after" ] && [ $t -lt 50 ]; do sleep 0.1; t=$((t + 1)); done
		[ -s "$TMP/after" ] || { fail "SIG$sig: addrlab did not end"; return; }
		cmp -s "$TMP/before" "$TMP/after" ||
			{ fail "SIG$sig: the terminal was left as '$(cat "$TMP/after")', was '$(cat "$TMP/before")'"; return; }
		want=$((128 + num))
		[ "$(cat "$TMP/status")" = $want ] ||
			{ fail "SIG$sig: exit status $(cat "$TMP/status"), expected $want (killed by the signal)"; return; }
		rm -f "$TMP/before" "$TMP/after" "$TMP/status"
	done
}

# Search within a page: the first match goes to the top, n the next.
t_search() {
	start 80 24
	wait_for "Chapters:" || return
	keys j j Enter
	wait_for "The physical map" || return
	keys /
	wait_for "/" || return
	type_text hpet
	keys Enter
	line 1 | grep -q 'HPET' || { fail "line 1 is '$(line 1)', expected the first HPET"; return; }
	first=$(line 1)
	keys n
	sleep 0.3
	line 1 | grep -q 'HPET' || { fail "after n, line 1 is '$(line 1)'"; return; }
	[ "$(line 1)" != "$first" ] || { fail "n did not move to the next match"; return; }
	keys /
	type_text no-such-words
	keys Enter
	wait_for "'no-such-words' is not on this page" || return
}

# Bad state: a progress folder that cannot be made, a progress file that
# is not ours: one line naming it and what to do, nothing overwritten.
t_bad_state() {
	rm -rf "$TMP/state" "$TMP/work"
	servers=$((servers + 1))
	TMUX_CMD="tmux -L $SOCK-$servers -f /dev/null"
	$TMUX_CMD new-session -d -s t -x 200 -y 24 env TERM=tmux-256color LANG=C.UTF-8 \
		XDG_STATE_HOME=/proc/addrlab-none sh -c "'$ADDRLAB'; echo status=\$?; sleep 60"
	wait_for "status=2" || return
	expect_line 0 "addrlab: cannot make the folder '/proc/addrlab-none': No such file or directory; check its parent's permissions" || return
	mkdir -p "$TMP/state/addrlab"
	echo "my notes, not a database" >"$TMP/state/addrlab/progress.db"
	$TMUX_CMD kill-server 2>/dev/null
	servers=$((servers + 1))
	TMUX_CMD="tmux -L $SOCK-$servers -f /dev/null"
	$TMUX_CMD new-session -d -s t -x 200 -y 24 env TERM=tmux-256color LANG=C.UTF-8 \
		XDG_STATE_HOME="$TMP/state" sh -c "'$ADDRLAB'; echo status=\$?; sleep 60"
	wait_for "status=2" || return
	expect_line 0 "addrlab: '$TMP/state/addrlab/progress.db' is not an addrlab progress database; move it away and addrlab will start a new one there" || return
	[ "$(cat "$TMP/state/addrlab/progress.db")" = "my notes, not a database" ] ||
		{ fail "the file was changed"; return; }
}

# A lab VM that does not boot: nothing is checked, the screen says the lab
# failed and not the learner's code (in both languages), with the reason,
# and no attempt is counted.
t_not_checked() {
	start 80 24 env $FIXTURES ADDRLAB_QEMU=/bin/false
	wait_for "Chapters:" || return
	keys G Enter
	wait_for "✎ $TMP/work/count/count.c" || return
	keys c
	wait_for "not checked: the lab itself failed (not your code); this try does not count:" 90 || return
	expect_line 6 "  the lab VM did not boot: QEMU exited at once" || return
	expect_line 7 "   ·  builds without warnings (0/1)" || return
	expect_line 3 "  watch: inotify · attempts: 0 · best: 0/4" || return
	keys L
	wait_for "검사하지 못했습니다: 코드가 아니라 랩 자체의 문제입니다. 이번" || return
}

run list
run list_wide
run korean
run live_view
run check
run resize
run edit
run help
run search
run all_pages
run shell
run console
run signal
run bad_state
run not_checked
