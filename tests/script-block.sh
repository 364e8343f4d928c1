#!/bin/sh
# script-block.sh MARKER FILE - the shell script of a YAML block scalar that
# begins with the comment line "# MARKER:" (a GitHub Actions step's `run`, a
# Kubernetes container's `args`), as the runner would run it: from that line
# to the last line indented as deep.  The tests run deploy/'s own commands so.
awk -v m="# $1:" 'index($0, m) { f = 1; i = match($0, /[^ ]/) }
	f { if ($0 ~ /[^ ]/ && match($0, /[^ ]/) < i) exit; print }' "$2"
