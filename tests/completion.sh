#!/bin/bash
# SPDX-License-Identifier: MIT
# completion: completions/spansim.bash offers what spansim accepts.
#   tests/completion.sh SPANSIM SOURCE_DIR
set -u
spansim=$1 src=$2
fail=0
# stand-in for the installed command: the completion calls COMP_WORDS[0]
source "$src/completions/spansim.bash"

# complete WORDS... -> the candidates, one per line, sorted
complete_words()
{
	COMP_WORDS=("$spansim" "$@")
	COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
	COMPREPLY=()
	_spansim
	printf '%s\n' "${COMPREPLY[@]}" | sort
}

# expect NAME WANT WORDS...: WANT is among the candidates
expect()
{
	local name=$1 want=$2
	shift 2
	if ! complete_words "$@" | grep -qxF -- "$want"; then
		echo "not ok - $name: '$want' not offered for '$*':"
		complete_words "$@" | sed 's/^/#   /'
		fail=1
	else
		echo "ok - $name"
	fi
}

# refuse NAME NOT WORDS...: NOT is not among them
refuse()
{
	local name=$1 not=$2
	shift 2
	if complete_words "$@" | grep -qxF -- "$not"; then
		echo "not ok - $name: '$not' offered for '$*'"
		fail=1
	else
		echo "ok - $name"
	fi
}

cd "$src"
expect command explore ex
expect command-help --version --v
expect option --policy run scenarios/seed/vmsplice-fork.scn --pol
expect option-design --design matrix scenarios/seed --des
expect option-of-test-only --ktap test --kt
refuse option-of-another-command --ktap run --kt
expect knob vmsplice= run x.scn --policy vms
expect knob-value vmsplice=pin run x.scn --policy vmsplice=p
expect host-knob-value gup_zero_page=populate run x.scn --policy gup_zero_page=p
refuse host-knob-marker 'gup_zero_page=knob)' run x.scn --policy gup_zero_page=
expect preset-value preset=proposal-pin run x.scn --policy preset=proposal-p
expect presets proposal-copy-out matrix x.scn --presets proposal-c
expect design proposal-span-desc run x.scn --design proposal-s
expect param page_size= run x.scn --set page_s
expect check-mode verify run x.scn --check v
expect list-word designs list des
expect help-command matrix help mat
expect scenario scenarios/seed/vmsplice-fork.scn run scenarios/seed/vmsplice-f
refuse not-a-scenario tests/completion.sh run tests/compl
expect directory scenarios/seed run scenarios/se
exit $fail
