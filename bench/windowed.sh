#!/usr/bin/env bash
# Whole-chromosome quality and cost: a simulated 1000 Genomes-like
# chromosome (INDIVIDUALS × SNPS, 3 populations), split 70/30 by
# individuals as ../shared/judge/README.md does, `gousynth fit` on the
# training part with its defaults (windowed mode; it holds out 30% of it
# again), wall / CPU / peak memory of the fit, the model file's size, and
# the independent judge on the first JUDGE_SNPS sites (the judge needs
# about 1 GB and 20 s per 5000 SNPs at 2500 individuals).
#
#   bench/windowed.sh [INDIVIDUALS] [SNPS] [JUDGE_SNPS] [FIT FLAGS...]
#   (defaults 2504, 100000, 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2504}
SNPS=${2:-100000}
JSNPS=${3:-20000}
shift $(( $# < 3 ? $# : 3 ))
WORK=bench/work/windowed_${N}x${SNPS}
JUDGE=${JUDGE:-../shared/judge/judge.py}
mkdir -p "$WORK"
for t in bcftools tabix /usr/bin/python3; do command -v "$t" >/dev/null || { echo "$t not found" >&2; exit 1; }; done
go build -o "$WORK/gousynth" ./cmd/gousynth
G="$WORK/gousynth"
if [ ! -s "$WORK/sim.vcf.gz" ]; then
	"$G" --quiet --threads 2 --seed 1 simulate --preset 1kg-like --individuals "$N" --snps "$SNPS" --populations 3 -o "$WORK/sim.vcf.gz"
	bcftools query -l "$WORK/sim.vcf.gz" | shuf --random-source=<(yes 7) > "$WORK/ids"
	head -n $(( N * 7 / 10 )) "$WORK/ids" > "$WORK/train.ids"
	tail -n +$(( N * 7 / 10 + 1 )) "$WORK/ids" > "$WORK/test.ids"
	for s in train test; do
		bcftools view -S "$WORK/$s.ids" "$WORK/sim.vcf.gz" -Oz -o "$WORK/$s.vcf.gz"
		tabix -f -p vcf "$WORK/$s.vcf.gz"
	done
fi
rm -rf "$WORK/out"
/usr/bin/time -v "$G" --threads 2 --seed 1 fit "$WORK/train.vcf.gz" "$@" -o "$WORK/out" > "$WORK/fit.log" 2> "$WORK/fit.time" || { tail "$WORK/fit.time"; exit 1; }
grep -E "Elapsed|Maximum resident|User time|System time" "$WORK/fit.time"
grep -E "LD r² MAE|allele|PC W2|identical" "$WORK/fit.log" || true
ls -l "$WORK/out/model.gsy" | awk -v s="$SNPS" '{printf "model.gsy %.1f MiB (%.1f MiB per 100,000 input SNPs)\n", $5/2^20, $5/2^20*100000/s}'
# The judge on the first JSNPS sites of every file.
last=$(bcftools query -f '%CHROM\t%POS\n' "$WORK/out/synthetic.vcf.gz" | sed -n "${JSNPS}p")
[ -n "$last" ] || last=$(bcftools query -f '%CHROM\t%POS\n' "$WORK/out/synthetic.vcf.gz" | tail -1)
region=$(echo "$last" | awk '{print $1":1-"$2}')
for s in train test; do bcftools view -r "$region" "$WORK/$s.vcf.gz" -Oz -o "$WORK/j_$s.vcf.gz"; done
bcftools view -r "$region" "$WORK/out/synthetic.vcf.gz" -Oz -o "$WORK/j_synth.vcf.gz"
/usr/bin/python3 "$JUDGE" --train "$WORK/j_train.vcf.gz" --test "$WORK/j_test.vcf.gz" --synth "$WORK/j_synth.vcf.gz" \
	--out "$WORK/judge.json" --quiet --pca-fit train-minus-floor > "$WORK/judge.log" 2>&1
/usr/bin/python3 - "$WORK/judge.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
for k in ["ld_mae", "ld_decay_l2", "pc_w1", "cov_frobenius"]:
    print(f"judge {k}: {j['synth'][k]:.4g} (floor {j['floor'][k]:.4g}, {j['ratio'][k]:.2f}x)")
for k in ["af_r2", "mi_auc", "aats", "imr"]:
    print(f"judge {k}: {j['synth'][k]:.4g} (floor {j['floor'][k]:.4g})")
PY
