#!/usr/bin/env bash
# VCF -> genotype matrix ingest: gousynth stats vs plink2 --make-pgen and
# bcftools view -Ou, 2 threads each, on a 1000 Genomes-shaped file
# (2504 phased samples x 20,000 SNPs) made by bench/mkvcf. Prints the median
# wall time of each tool over interleaved rounds, and the ratios.
#
#   bench/ingest.sh [ROUNDS]      (default 7; FILE=... to use another VCF)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-7}
work=bench/work
mkdir -p "$work"
file=${FILE:-$work/1kg_like_20k.vcf.gz}
if [[ ! -s $file ]]; then
	echo "generating $file" >&2
	go run ./bench/mkvcf -snps 20000 -o "$file"
fi
go build -o "$work/gousynth" ./cmd/gousynth
for tool in plink2 bcftools; do
	command -v "$tool" >/dev/null || { echo "$tool not installed" >&2; exit 1; }
done

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

# Warm the page cache once.
cat "$file" >/dev/null
for ((r = 1; r <= rounds; r++)); do
	measure gousynth "$work/gousynth" --threads 2 --quiet stats "$file"
	measure plink2 plink2 --vcf "$file" --make-pgen --threads 2 --out "$work/plink2_ingest"
	measure bcftools bash -c "bcftools view -Ou --threads 2 '$file' > /dev/null"
done
g=$(echo "${times[gousynth]}" | median)
p=$(echo "${times[plink2]}" | median)
b=$(echo "${times[bcftools]}" | median)
echo "file: $file ($rounds rounds, medians of wall time)"
printf "gousynth stats           %6.3f s\n" "$g"
printf "plink2 --make-pgen       %6.3f s\n" "$p"
printf "bcftools view -Ou        %6.3f s\n" "$b"
printf "gousynth / plink2        %6.2f x\n" "$(echo "$g / $p" | bc -l)"
printf "gousynth / bcftools      %6.2f x\n" "$(echo "$g / $b" | bc -l)"
