#!/bin/sh
# SPDX-License-Identifier: MIT
# manpage.sh SPANSIM OUT - spansim(1) in man(7) roff, from the command's own
# help texts (`spansim help` and `spansim help COMMAND`), so the page says
# what `--help` says.
set -eu
spansim=$1 out=$2
tmp=$out.tmp

# roff-safe text: a leading . or ' and backslashes escaped
esc() {
	sed -e 's/\\/\\e/g' -e "s/^\\./\\\\\\&./" -e "s/^'/\\\\\\&'/"
}

version=$("$spansim" --version | head -1)
{
	printf '.TH SPANSIM 1 "" "%s" "User Commands"\n' "$version"
	printf '.SH NAME\nspansim \\- model how Linux moves memory through pipes and sockets, and check designs\n'
	printf '.SH SYNOPSIS\n.B spansim\n.I COMMAND\n[\\fIARGS\\fR]\n'
	printf '.SH DESCRIPTION\n.nf\n'
	"$spansim" help | esc
	printf '.fi\n.SH COMMANDS\n'
	for cmd in run test explore matrix merge policies list kernel import export; do
		printf '.SS %s\n.nf\n' "$cmd"
		"$spansim" help "$cmd" | esc
		printf '.fi\n'
	done
	printf '.SH FILES\n.TP\n.I share/bash-completion/completions/spansim\nbash completion\n'
	printf '.SH SEE ALSO\nThe documentation under docs/ of the source tree: the tutorial, the\nscenario language reference, the policies, the design API (designs.md).\n'
} > "$tmp"
mv "$tmp" "$out"
