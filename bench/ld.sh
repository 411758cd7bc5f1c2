#!/usr/bin/env bash
# Windowed LD: gousynth ld vs plink 1.9 --r2 on a 1000 Genomes-shaped file
# (2504 phased samples x 20,000 SNPs, made by bench/mkvcf), same window
# (1000 SNPs, 1000 kb, --ld-window-r2 0: all 19.5 M pairs), both writing
# uncompressed text to the same disk, 2 threads each. Runs are interleaved
# (A B A B ...) so that load from other processes hits both alike. Prints the
# median wall times and their ratio, checks that both outputs hold the same
# lines, then prints the compute-only time (r² of every pair, no VCF reading,
# no output) from go test -bench.
#
#   bench/ld.sh [ROUNDS]      (default 5; FILE=... to use another VCF)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
work=bench/work
mkdir -p "$work"
file=${FILE:-$work/1kg_like_20k.vcf.gz}
if [[ ! -s $file ]]; then
	echo "generating $file" >&2
	go run ./bench/mkvcf -snps 20000 -o "$file"
fi
command -v plink1.9 >/dev/null || { echo "plink1.9 not installed" >&2; exit 1; }
go build -o "$work/gousynth" ./cmd/gousynth

now() { date +%s.%N; }
declare -A times
measure() { # name cmd...
	local name=$1; shift
	local t0 t1
	t0=$(now)
	"$@" >/dev/null 2>&1 || { echo "$name failed: $*" >&2; exit 1; }
	t1=$(now)
	times[$name]+="$(echo "$t1 - $t0" | bc -l) "
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
cleanup() { rm -f "$work"/ld_gousynth.tsv "$work"/ld_plink.*; }
trap cleanup EXIT

cat "$file" >/dev/null # warm the page cache
for ((r = 1; r <= rounds; r++)); do
	rm -f "$work"/ld_gousynth.tsv "$work"/ld_plink.ld
	measure gousynth "$work/gousynth" --threads 2 --quiet ld "$file" \
		--window-snps 1000 --window-kb 1000 --min-r2 0 -o "$work/ld_gousynth.tsv"
	measure plink plink1.9 --vcf "$file" --double-id --allow-extra-chr --threads 2 \
		--r2 --ld-window 1000 --ld-window-kb 1000 --ld-window-r2 0 --out "$work/ld_plink"
done
pairs=$(($(wc -l <"$work/ld_gousynth.tsv") - 1))
if tr -s ' ' '\t' <"$work/ld_plink.ld" | sed 's/^\t//; s/\t$//' | cmp -s - "$work/ld_gousynth.tsv"; then
	same="identical lines (whitespace aside)"
else
	same="DIFFERENT"
fi
cleanup
g=$(echo "${times[gousynth]}" | median)
p=$(echo "${times[plink]}" | median)
echo "file: $file ($rounds rounds, medians of wall time, $pairs pairs; outputs: $same)"
printf "gousynth ld -o text        %7.3f s\n" "$g"
printf "plink 1.9 --r2             %7.3f s\n" "$p"
printf "gousynth / plink 1.9       %7.2f x\n" "$(echo "$g / $p" | bc -l)"
ns=$(go test -run '^$' -bench 'BenchmarkPairsBenchFileAll$' -benchtime 3x -cpu 2 ./ld/ |
	awk '/^BenchmarkPairsBenchFileAll/ {print $3}')
printf "gousynth compute only      %7.3f s  (r² of all pairs, packing included; go test -bench)\n" "$(echo "$ns / 1000000000" | bc -l)"
