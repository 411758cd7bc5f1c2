package report

import "math"

// kinshipFigure is the report's kinship histogram: the largest KING-robust
// kinship of each synthetic and of each held-out real individual to any
// training individual (PlotData.KinSynth, KinTest). It returns nothing
// without held-out individuals or kinship values.
func kinshipFigure(pd *PlotData) (figure, bool, error) {
	// KING is undefined (NaN) for an individual without heterozygous calls.
	finite := func(x []float64) []float64 {
		var out []float64
		for _, v := range x {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				out = append(out, v)
			}
		}
		return out
	}
	kt, ks := finite(pd.KinTest), finite(pd.KinSynth)
	if len(kt) == 0 || len(ks) == 0 {
		return figure{}, false, nil
	}
	h, err := histPlot("Closest training relative (KING-robust kinship)", "largest kinship to any training individual",
		kt, ks, 1, colReal, colSynth, "held-out real test → training", "synthetic → training")
	if err != nil {
		return figure{}, false, err
	}
	return figure{h, "Largest KING-robust kinship of each individual to any training individual (0.5 duplicate, 0.25 first degree, 0.125 second degree; kinship_related_share counts values above 0.0884). " +
		"A synthetic cohort that reproduces training individuals' genomes shows a tail right of the held-out real distribution. On one short region linked SNPs inflate every value (see docs/privacy.md)."}, true, nil
}
