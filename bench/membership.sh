#!/usr/bin/env bash
# Membership leak of a fit, measured with its true members (issue 19).
#
# The judge's membership AUC takes TRAIN as the members, but `fit TRAIN`
# trains on 70% of TRAIN only, and it scores a cohort as large as TRAIN, so
# one run's AUC has a standard error of about 0.03. This script scores the
# model with the people it was trained on (fit --write-split) against every
# other person of the panel (fit's own hold-out and TEST), on the fit's
# synthetic cohort and on a cohort of 10 × the training size drawn from the
# same model file: the larger draw shows the model's leak with less noise.
#
#   bench/membership.sh [INDIVIDUALS] [SNPS] [FIT SEED] [FIT FLAGS...]
#   (defaults 500, 5000, 1: one simulated population, 245 training
#   people × 5000 SNPs, 20 windows: docs/privacy.md's panel F)
#
# It prints gousynth audit's nearest-distance, distance-ratio and
# allele-frequency AUCs for both cohorts (the reference of the
# allele-frequency attack is half the non-members).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-500}
SNPS=${2:-5000}
SEED=${3:-1}
shift $(( $# < 3 ? $# : 3 ))
WORK=bench/work/membership_${N}x${SNPS}
mkdir -p "$WORK"
for t in bcftools tabix; do command -v "$t" >/dev/null || { echo "$t not found" >&2; exit 1; }; done
go build -o "$WORK/gousynth" ./cmd/gousynth
G="$WORK/gousynth"
if [ ! -s "$WORK/sim.vcf.gz" ]; then
	"$G" --quiet --seed 1 simulate --individuals "$N" --snps "$SNPS" -o "$WORK/sim.vcf.gz"
	bcftools query -l "$WORK/sim.vcf.gz" | shuf --random-source=<(yes 7) > "$WORK/ids"
	head -n $(( N * 7 / 10 )) "$WORK/ids" > "$WORK/train.ids"
	bcftools view -S "$WORK/train.ids" "$WORK/sim.vcf.gz" -Oz -o "$WORK/train.vcf.gz"
	tabix -f -p vcf "$WORK/train.vcf.gz"
fi
O="$WORK/fit_s$SEED"
rm -rf "$O"
/usr/bin/time -o "$O.time" -f "fit: %e s wall, %U s user, %M KB peak" "$G" --quiet --seed "$SEED" fit "$WORK/train.vcf.gz" --write-split "$@" -o "$O" > "$O.log" 2>&1 || { tail "$O.log"; exit 1; }
cat "$O.time"
M=$(wc -l < "$O/train.samples.real-ids.txt")
"$G" --quiet --seed 99 generate "$O/model.gsy" -n $(( 10 * M )) -o "$O/large.vcf.gz"
bcftools query -f '%CHROM\t%POS\n' "$O/synthetic.vcf.gz" > "$O/sites"
bcftools query -l "$WORK/sim.vcf.gz" | grep -v -x -F -f "$O/train.samples.real-ids.txt" > "$O/non.ids"
bcftools view -T "$O/sites" -S "$O/train.samples.real-ids.txt" "$WORK/sim.vcf.gz" -Oz -o "$O/members.vcf.gz"
bcftools view -T "$O/sites" -S "$O/non.ids" "$WORK/sim.vcf.gz" -Oz -o "$O/non.vcf.gz"
echo "members $M, non-members $(wc -l < "$O/non.ids"), sites $(wc -l < "$O/sites")"
for c in synthetic large; do
	n=$(bcftools query -l "$O/$c.vcf.gz" | wc -l)
	"$G" audit --train "$O/members.vcf.gz" --test "$O/non.vcf.gz" --synth "$O/$c.vcf.gz" -o "$O/audit_$c.json" 2>&1 |
		awk -v c="$c ($n people)" '/^(nearest distance|distance ratio|allele frequencies) /{a[$1" "$2]=$3} END{printf "%-24s nearest %s  ratio %s  allele frequencies %s\n", c, a["nearest distance"], a["distance ratio"], a["allele frequencies"]}'
done
