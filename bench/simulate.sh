#!/usr/bin/env bash
# Simulation throughput: `gousynth simulate` (phased LD-block panel, streamed
# to a bgzipped VCF + tabix index) against `plink2 --dummy ... --export vcf
# bgz` (independent random unphased genotypes, no LD, no index) for the same
# shape, 2504 samples × SNPS SNPs. Runs are interleaved (A B A B ...) so load
# from other processes hits both alike; the script prints the median wall
# times and their ratio. plink2's job is simpler (no LD, no haplotypes), so
# the ratio is an upper bound on our overhead, not a like-for-like contest.
#
#   bench/simulate.sh [ROUNDS] [SNPS] [PRESET]   (defaults 3, 100000, paper)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
SNPS=${2:-100000}
PRESET=${3:-paper}
WORK=bench/work
mkdir -p "$WORK"
command -v plink2 >/dev/null || { echo "plink2 not found on PATH" >&2; exit 1; }
go build -o "$WORK/gousynth" ./cmd/gousynth

seconds() { /usr/bin/time -f %e "$@" 2>&1 >/dev/null | tail -1; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

g_times=() p_times=()
for ((r = 1; r <= ROUNDS; r++)); do
	g=$(seconds "$WORK/gousynth" --quiet --threads 2 simulate --preset "$PRESET" \
		--individuals 2504 --snps "$SNPS" -o "$WORK/sim_bench.vcf.gz")
	p=$(seconds plink2 --dummy 2504 "$SNPS" acgt --export vcf bgz --threads 2 \
		--out "$WORK/plink_dummy")
	g_times+=("$g") p_times+=("$p")
	echo "round $r: gousynth simulate ${g}s  plink2 --dummy ${p}s" >&2
done
gm=$(median "${g_times[@]}")
pm=$(median "${p_times[@]}")
echo "2504 samples x $SNPS SNPs, preset $PRESET, median of $ROUNDS rounds:"
echo "  gousynth simulate        ${gm}s  ($(du -h "$WORK/sim_bench.vcf.gz" | cut -f1) bgzipped + .tbi)"
echo "  plink2 --dummy --export  ${pm}s  ($(du -h "$WORK/plink_dummy.vcf.gz" | cut -f1))"
awk -v g="$gm" -v p="$pm" 'BEGIN {printf "  ratio gousynth/plink2    %.2f\n", g / p}'
