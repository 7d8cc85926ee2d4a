#!/bin/bash
# SPDX-License-Identifier: MIT
# json: the --json output of run, explore, test and matrix parses (jq) and
# has the fields docs/json.md names.
#   tests/json.sh SPANSIM SOURCE_DIR
set -u
spansim=$1 src=$2
fail=0
cd "$src"
if ! command -v jq > /dev/null; then
	echo "SKIP: jq is not installed (make deps)"
	exit 77
fi

# check NAME JQ-EXPRESSION COMMAND...: the output, its JSON values as one
# array (jq --slurp: run prints JSON lines), satisfies the expression
check()
{
	local name=$1 expr=$2 out
	shift 2
	out=$("$spansim" "$@" 2>/dev/null)
	if printf '%s\n' "$out" | jq -s -e "$expr" > /dev/null 2>&1; then
		echo "ok - $name"
	else
		echo "not ok - $name: '$expr' does not hold for: spansim $*"
		printf '%s\n' "$out" | head -c 2000 | sed 's/^/#   /'
		fail=1
	fi
}

fork=scenarios/seed/vmsplice-fork.scn
clone=scenarios/net/dirtyclone.scn
check run-summary '.[-1].summary | .schema == 1 and .pass == true and
	.expect[0].cond == "r != \"CCCC\"" and .expect[0].holds == true and
	(.exists | length) == 2 and .status == "done"' run $fork --json
check run-steps 'map(select(.step == 3))[0] | .thread == "parent" and .result == 4096' \
	run $fork --json
check run-violation '.[-1].summary.violation.name == "page-cache-write"' \
	run $clone --json --schedule 'attacker*2,@,@1*2,victim'
check explore '.[0].explore | .schema == 1 and .complete and .pass and
	.expect[0].cond == "r != \"CCCC\"" and .exists[1].verdict == "Never" and
	.exists[1].cond == "r == \"PPPP\""' explore $fork --json -q
check explore-violation '.[0].explore.violations["page-cache-write"].end_states > 0' \
	explore $clone --json -q
check test '.[0].test | .schema == 1 and .total == 7 and .failed == 1 and .complete and
	([.files[] | select(.ok | not) | .file] == ["scenarios/net/dirtyclone.scn"]) and
	(.files[0].conditions[0] | .kind == "expect" and .result == "ok") and
	(.files[-1].conditions[-1] | .kind == "invariants" and .result == "not ok" and
	 .note == "page-cache-write")' test scenarios/seed $clone --explore --json
check test-skip '.[0].test.files[0].conditions | map(select(.result == "skip")) |
	length == 1 and .[0].kind == "exists"' test scenarios/seed/splice-fanout.scn --json
check matrix '.[0].matrix | .schema == 1 and (.columns | map(.name)) ==
	["linux-6.18", "proposal-pin"] and .columns[1].design != null and
	(.files[0].rows[-1].kind == "invariant") and (.files[0].rows[0].cells | length) == 2' \
	matrix scenarios/seed --json --design proposal-pin
check matrix-incomplete '.[0].matrix | (.complete | not) and
	(.files[1].incomplete["linux-6.18"] | test("max-states"))' \
	matrix scenarios/seed --json --explore --max-states 50 --presets linux-6.18
exit $fail
