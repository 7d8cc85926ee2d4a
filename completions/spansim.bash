# SPDX-License-Identifier: MIT
# bash completion for spansim: commands, each command's options (read from
# `spansim help COMMAND`, so they cannot drift from what it accepts), knob
# names and values, presets, built-in designs, scenario files.
# Installed as share/bash-completion/completions/spansim.

_spansim_words()
{
	# the names of `spansim list WHAT`: the first word of each line
	"$1" list "$2" 2>/dev/null | awk '/^[a-z]/ { print $1 }'
}

_spansim()
{
	local cur prev cmd bin i
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	bin=${COMP_WORDS[0]}
	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done

	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W "run test explore merge matrix policies list kernel import export help --version --help" -- "$cur"))
		return
	fi

	case $prev in
	--policy)
		local knobs values k
		if [[ $cur == *=* ]]; then
			k=${cur%%=*}
			if [[ $k == preset ]]; then
				values=$(_spansim_words "$bin" presets)
			else
				values=$("$bin" list knobs 2>/dev/null |
					awk -v k="$k" '$1 == k { for (i = 2; i <= NF && $i !~ /^\(/; i++) if ($i != "|") print $i }')
			fi
			COMPREPLY=($(compgen -P "$k=" -W "$values" -- "${cur#*=}"))
		else
			knobs=$(_spansim_words "$bin" knobs)
			COMPREPLY=($(compgen -S = -W "$knobs preset" -- "$cur"))
			compopt -o nospace 2>/dev/null
		fi
		return ;;
	--presets)
		COMPREPLY=($(compgen -W "$(_spansim_words "$bin" presets)" -- "$cur"))
		return ;;
	--design)
		COMPREPLY=($(compgen -W "$(_spansim_words "$bin" designs)" -- "$cur")
			   $(compgen -f -X '!*.so' -- "$cur") $(compgen -d -- "$cur"))
		return ;;
	--set)
		COMPREPLY=($(compgen -S = -W "$(_spansim_words "$bin" params)" -- "$cur"))
		compopt -o nospace 2>/dev/null
		return ;;
	--check)
		COMPREPLY=($(compgen -W "incremental full verify" -- "$cur"))
		return ;;
	--reduction)
		COMPREPLY=($(compgen -W "dpor sleep none" -- "$cur"))
		return ;;
	--junit|--dot|--states-out|-o)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--param|--seed|--schedule|--fault|--at|--max-states|--max-time|--max-memory|--preemptions|--bitstate|--shard|--shard-depth|--filter)
		return ;;
	esac

	case $cmd in
	help)
		COMPREPLY=($(compgen -W "run test explore merge matrix policies list kernel import export" -- "$cur"))
		return ;;
	list)
		if [[ $cur != -* ]]; then
			COMPREPLY=($(compgen -W "ops knobs presets designs invariants params" -- "$cur")
				   $(compgen -d -- "$cur") $(compgen -f -X '!*.scn' -- "$cur"))
			return
		fi ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$("$bin" help "$cmd" 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u)" -- "$cur"))
		return
	fi
	# scenario files (merge: JSON reports) and directories
	if [[ $cmd == merge ]]; then
		COMPREPLY=($(compgen -f -X '!*.json' -- "$cur") $(compgen -d -- "$cur"))
	else
		COMPREPLY=($(compgen -f -X '!*.scn' -- "$cur") $(compgen -d -- "$cur"))
	fi
}
complete -F _spansim spansim
