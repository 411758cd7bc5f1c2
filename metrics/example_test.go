package metrics_test

import (
	"fmt"

	"github.com/gousynth/gousynth/metrics"
	"github.com/gousynth/gousynth/vcf"
)

// The distance of each synthetic individual to its closest training
// record, and its quantiles by the two rules.
func ExampleNearestDistances() {
	cohort := func(dosages ...[]int8) *vcf.Genotypes { // one row per site
		g := &vcf.Genotypes{Samples: make([]string, len(dosages[0]))}
		for _, row := range dosages {
			g.Sites = append(g.Sites, vcf.Site{Chrom: "1", Pos: len(g.Sites) + 1})
			g.Dosage = append(g.Dosage, row...)
		}
		return g
	}
	train := cohort([]int8{0, 2, 1}, []int8{1, 2, 0}, []int8{2, 0, 0})
	synth := cohort([]int8{0, 2, 2, 1}, []int8{1, 1, 0, 1}, []int8{2, 0, 2, vcf.Missing})
	fill := metrics.ImputeFill(train) // missing calls take the training mean
	dcr := metrics.NearestDistances(metrics.Pack(synth, nil, fill), metrics.Pack(train, nil, fill))
	fmt.Println("DCR:", dcr)
	fmt.Println("identical:", metrics.FracZero(dcr))
	fmt.Println("median:", metrics.Quantile(dcr, 0.5, metrics.Interpolated), metrics.Quantile(dcr, 0.5, metrics.RoundedRank))
	// Output:
	// DCR: [0 1 3 2]
	// identical: 0.25
	// median: 1.5 2
}

// The top principal axis of a small matrix with the report's settings.
func ExampleRandomisedPCA() {
	a := metrics.GaussianMatrix(50, 8, 1, 2)
	p, err := metrics.RandomisedPCA(metrics.DenseOperator{A: a}, 2, 3, metrics.PCAOptions{
		PerComponent: 2, Extra: 10, PowerIterations: 7, Orthonormalise: metrics.CholeskyQR2, RowMajorB: true,
	})
	if err != nil {
		panic(err)
	}
	r, c := p.Loadings.Dims()
	fmt.Printf("%d×%d loadings, σ₁² ≥ σ₂²: %v\n", r, c, p.Values[0] >= p.Values[1])
	// Output:
	// 8×2 loadings, σ₁² ≥ σ₂²: true
}
