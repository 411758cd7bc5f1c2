#!/usr/bin/env bash
# Peak memory against the bytes of kept genotypes, on inputs whose filters
# drop different fractions of the records. For each allele-frequency
# spectrum it simulates a 1000 Genomes-shaped panel (gousynth simulate
# --preset 1kg-like --maf-spectrum S: uniform drops no site at MAF 0.01,
# beta a few, 1kg about 80%), then runs under /usr/bin/time -v
#
#   ld --maf 0.01             holds every kept site (dosages only)
#   fit --windows off         reads and filters everything, holds the first
#                             --max-snps (2000) kept sites, fits 50 steps
#   fit (CMDS=fitw)           the default windowed fit of every kept site
#                             (minutes per 10,000 kept sites: not run by
#                             default)
#
# and prints peak RSS, kept sites, the bytes of kept genotypes (kept sites x
# individuals; for fit, the sites it holds) and RSS per kept genotype.
# The goal (issue 15): RSS <= 1.2 bytes per kept genotype + 400 MB.
#
#   bench/memory.sh                       N=1000 SNPS=100000 (a few minutes)
#   N=2504 SNPS=1100000 SPECTRA=1kg CMDS=fitw bench/memory.sh
#                                         the chromosome-shaped fit
#   GOUSYNTH=/path/to/gousynth bench/memory.sh     measure another build
#
# Inputs are kept in bench/work/memory and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${N:-1000}
snps=${SNPS:-100000}
threads=${THREADS:-2}
spectra=${SPECTRA:-"uniform beta 1kg"}
cmds=${CMDS:-"ld fit"}
work=bench/work/memory
mkdir -p "$work"
bin=${GOUSYNTH:-}
if [[ -z $bin ]]; then
	go build -o "$work/gousynth" ./cmd/gousynth
	bin=$work/gousynth
fi
[[ -x /usr/bin/time ]] || { echo "needs /usr/bin/time (GNU time)" >&2; exit 1; }

# field FILE NAME: a value of /usr/bin/time -v's report.
field() { grep -F "$2" "$1" | sed 's/.*: //'; }

printf '%-8s %-4s %9s %9s %10s %10s %9s %8s %8s\n' spectrum cmd records kept held_MB RSS_MB B/kept wall cpu_s
for s in $spectra; do
	in=$work/panel_${s}_${n}x${snps}.vcf.gz
	if [[ ! -s $in ]]; then
		echo "simulating $in" >&2
		"$bin" simulate --preset 1kg-like --maf-spectrum "$s" --individuals "$n" --snps "$snps" \
			--seed 1 --threads "$threads" -o "$in" --quiet
	fi
	for c in $cmds; do
		log=$work/$c.$s.log
		tv=$work/$c.$s.time
		case $c in
		ld) cmd=("$bin" ld "$in" --maf 0.01 --window-snps 20 --threads "$threads" -o "$work/ld.tsv.gz") ;;
		fit) cmd=("$bin" fit "$in" --windows off --steps 50 --threads "$threads" -o "$work/fit_$s") ;;
		fitw) cmd=("$bin" fit "$in" --threads "$threads" -o "$work/fit_$s") ;;
		*) echo "unknown command $c" >&2; exit 1 ;;
		esac
		rm -rf "$work/fit_$s"
		/usr/bin/time -v -o "$tv" "${cmd[@]}" >"$log" 2>&1 || { echo "$c on $in failed: see $log" >&2; exit 1; }
		# The MAF step's "remaining" is the number of kept sites.
		kept=$(grep -F 'step=--maf' "$log" | grep -o 'remaining=[0-9]*' | sed -n '$s/remaining=//p')
		records=$(grep -o 'records=[0-9]*' "$log" | head -1 | sed 's/records=//')
		held=$kept
		if [[ $c == fit && $kept -gt 2000 ]]; then held=2000; fi
		rss_kb=$(field "$tv" "Maximum resident set size")
		wall=$(field "$tv" "Elapsed (wall clock)")
		cpu=$(awk -v u="$(field "$tv" "User time")" -v s="$(field "$tv" "System time")" 'BEGIN{printf "%.0f", u+s}')
		awk -v s="$s" -v c="$c" -v r="$records" -v k="$kept" -v h="$held" -v n="$n" -v rss="$rss_kb" -v w="$wall" -v cpu="$cpu" 'BEGIN{
			hb = h * n; printf "%-8s %-4s %9d %9d %10.1f %10.1f %9.2f %8s %8s\n", s, c, r, k, hb / 2^20, rss / 1024, rss * 1024 / hb, w, cpu }'
	done
done
