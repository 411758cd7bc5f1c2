package model

import (
	"math"
	"math/rand/v2"
)

// KMeans clusters the n rows of pts (n×p, row-major) into at most k clusters
// with k-means++ seeding and Lloyd iterations. Clusters with fewer than
// minSize members are dissolved (their members join the nearest surviving
// centre) until every cluster has at least minSize members, so that no
// centre is close to a single individual. It returns the assignment of each
// row and the number of clusters. The model's anchors and the chrom
// package's ancestry mixture both use it.
func KMeans(pts []float64, n, p, k, minSize int, rng *rand.Rand) ([]int, int) {
	if k > n {
		k = n
	}
	if k < 1 {
		k = 1
	}
	dist2 := func(i int, c []float64) float64 {
		var s float64
		row := pts[i*p : (i+1)*p]
		for j, v := range row {
			e := v - c[j]
			s += e * e
		}
		return s
	}
	centres := make([][]float64, 0, k)
	first := rng.IntN(n)
	centres = append(centres, append([]float64(nil), pts[first*p:(first+1)*p]...))
	d2 := make([]float64, n)
	for i := range d2 {
		d2[i] = dist2(i, centres[0])
	}
	for len(centres) < k {
		var tot float64
		for _, v := range d2 {
			tot += v
		}
		if tot <= 0 {
			break
		}
		u := rng.Float64() * tot
		pick := n - 1
		for i, v := range d2 {
			u -= v
			if u <= 0 {
				pick = i
				break
			}
		}
		c := append([]float64(nil), pts[pick*p:(pick+1)*p]...)
		centres = append(centres, c)
		for i := range d2 {
			d2[i] = math.Min(d2[i], dist2(i, c))
		}
	}
	assign := make([]int, n)
	lloyd := func() {
		for it := 0; it < 50; it++ {
			changed := false
			for i := 0; i < n; i++ {
				best, bd := 0, math.Inf(1)
				for c := range centres {
					if dd := dist2(i, centres[c]); dd < bd {
						best, bd = c, dd
					}
				}
				if assign[i] != best || it == 0 {
					changed = changed || assign[i] != best
					assign[i] = best
				}
			}
			counts := make([]int, len(centres))
			for c := range centres {
				for j := range centres[c] {
					centres[c][j] = 0
				}
			}
			for i := 0; i < n; i++ {
				counts[assign[i]]++
				for j, v := range pts[i*p : (i+1)*p] {
					centres[assign[i]][j] += v
				}
			}
			for c := range centres {
				if counts[c] > 0 {
					for j := range centres[c] {
						centres[c][j] /= float64(counts[c])
					}
				}
			}
			if !changed && it > 0 {
				return
			}
		}
	}
	for {
		lloyd()
		counts := make([]int, len(centres))
		for _, a := range assign {
			counts[a]++
		}
		small, sc := -1, n+1
		for c, m := range counts {
			if m < minSize && m < sc {
				small, sc = c, m
			}
		}
		if small < 0 || len(centres) == 1 {
			break
		}
		centres = append(centres[:small], centres[small+1:]...)
		for i := range assign {
			assign[i] = 0
		}
	}
	// Final assignment to the surviving centres, renumbered densely.
	for i := 0; i < n; i++ {
		best, bd := 0, math.Inf(1)
		for c := range centres {
			if dd := dist2(i, centres[c]); dd < bd {
				best, bd = c, dd
			}
		}
		assign[i] = best
	}
	return assign, len(centres)
}
