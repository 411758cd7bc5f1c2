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
	centres := kmeansPlusPlus(pts, n, p, k, rng)
	assign := make([]int, n)
	for {
		lloyd(pts, p, centres, assign)
		small := smallestCluster(assign, len(centres), minSize)
		if small < 0 || len(centres) == 1 {
			break
		}
		// Dissolve it and start Lloyd again from the surviving centres.
		centres = append(centres[:small], centres[small+1:]...)
		for i := range assign {
			assign[i] = 0
		}
	}
	// Final assignment to the surviving centres, renumbered densely.
	for i := range assign {
		assign[i] = nearestCentre(pts[i*p:(i+1)*p], centres)
	}
	return assign, len(centres)
}

// dist2 is the squared Euclidean distance between a row and a centre.
func dist2(row, c []float64) float64 {
	var s float64
	for j, v := range row {
		e := v - c[j]
		s += e * e
	}
	return s
}

// nearestCentre returns the index of the centre closest to row (the first
// of equally close ones).
func nearestCentre(row []float64, centres [][]float64) int {
	best, bd := 0, math.Inf(1)
	for c := range centres {
		if dd := dist2(row, centres[c]); dd < bd {
			best, bd = c, dd
		}
	}
	return best
}

// kmeansPlusPlus seeds up to k centres from the n rows of pts: the first
// uniformly, each next one with probability proportional to its squared
// distance from the nearest centre so far. It stops early when every row
// coincides with a centre.
func kmeansPlusPlus(pts []float64, n, p, k int, rng *rand.Rand) [][]float64 {
	row := func(i int) []float64 { return pts[i*p : (i+1)*p] }
	centres := make([][]float64, 0, k)
	first := rng.IntN(n)
	centres = append(centres, append([]float64(nil), row(first)...))
	d2 := make([]float64, n)
	for i := range d2 {
		d2[i] = dist2(row(i), centres[0])
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
		c := append([]float64(nil), row(pick)...)
		centres = append(centres, c)
		for i := range d2 {
			d2[i] = math.Min(d2[i], dist2(row(i), c))
		}
	}
	return centres
}

// lloyd runs up to 50 Lloyd iterations on the rows of pts (p columns) from
// centres, updating centres (to the means of their members; an empty
// cluster's centre becomes 0) and assign in place, until no row changes
// cluster.
func lloyd(pts []float64, p int, centres [][]float64, assign []int) {
	n := len(assign)
	for it := 0; it < 50; it++ {
		changed := false
		for i := 0; i < n; i++ {
			best := nearestCentre(pts[i*p:(i+1)*p], centres)
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

// smallestCluster returns the smallest of the nc clusters of assign with
// fewer than minSize members (the first of equally small ones), or -1 when
// every cluster has at least minSize.
func smallestCluster(assign []int, nc, minSize int) int {
	counts := make([]int, nc)
	for _, a := range assign {
		counts[a]++
	}
	small, sc := -1, len(assign)+1
	for c, m := range counts {
		if m < minSize && m < sc {
			small, sc = c, m
		}
	}
	return small
}
