package parallel

import (
	"sync/atomic"
	"testing"
)

// Every item is done once, by as many workers as asked for.
func TestItemsDoesEveryItemOnce(t *testing.T) {
	for _, workers := range []int{0, 1, 3, 50} {
		const n = 1000
		var done [n]atomic.Int32
		var made atomic.Int32
		Items(n, workers, func() func(int) {
			made.Add(1)
			return func(i int) { done[i].Add(1) }
		})
		for i := range done {
			if c := done[i].Load(); c != 1 {
				t.Fatalf("workers %d: item %d done %d times", workers, i, c)
			}
		}
		if want := max(workers, 1); made.Load() != int32(want) {
			t.Errorf("workers %d: %d workers made, want %d", workers, made.Load(), want)
		}
	}
	Items(0, 4, func() func(int) { return func(int) { t.Error("an item of nothing") } })
}
