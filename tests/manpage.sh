#!/bin/sh
# SPDX-License-Identifier: MIT
# manpage: the built spansim(1) renders with no groff warning, has a
# section per command, and says what `spansim help` says about --design.
#   tests/manpage.sh BUILD/spansim.1
set -u
page=$1
fail=0
warn=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
if [ -n "$warn" ]; then
	echo "not ok - groff warns:"; echo "$warn" | sed 's/^/#   /'; fail=1
else
	echo "ok - renders without a warning"
fi
text=$(groff -man -Tascii -P-cbou "$page" 2>/dev/null)
for want in NAME SYNOPSIS DESCRIPTION COMMANDS "SEE ALSO" \
	"usage: spansim run FILE" "usage: spansim test" "usage: spansim explore" \
	"usage: spansim matrix" "usage: spansim merge" "usage: spansim list" \
	"usage: spansim kernel" "usage: spansim import" "usage: spansim export" "--design D" "--ktap"; do
	if printf '%s\n' "$text" | grep -qF -- "$want"; then
		echo "ok - has '$want'"
	else
		echo "not ok - lacks '$want'"; fail=1
	fi
done
exit $fail
