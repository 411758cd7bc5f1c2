package metrics

import "testing"

// TestColumnW1 checks ColumnW1 against W1 of the sorted columns of two
// row-major score matrices of different sizes.
func TestColumnW1(t *testing.T) {
	a := []float64{ // 3 × 2
		3, 0,
		1, 10,
		2, 5,
	}
	b := []float64{ // 2 × 2
		0, 5,
		4, 5,
	}
	got := ColumnW1(a, 3, b, 2, 2)
	want := []float64{W1([]float64{1, 2, 3}, []float64{0, 4}), W1([]float64{0, 5, 10}, []float64{5, 5})}
	if len(got) != 2 {
		t.Fatalf("ColumnW1 returned %d columns, want 2", len(got))
	}
	for c := range want {
		near(t, "column W1", got[c], want[c], 0)
	}
	// Column 1: quantile functions 0|5|10 (thirds) against 5: |d| = 5, 0, 5 → 10/3.
	near(t, "column 1 by hand", got[1], 10.0/3, 1e-12)
}
