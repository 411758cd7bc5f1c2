// Package parallel runs independent work items on a fixed number of
// goroutines. The items may finish in any order; callers whose results must
// not depend on the schedule give each item its own output slot and random
// stream.
package parallel

import "sync"

// Items calls the work function of one of workers goroutines (at least one)
// for every item i in [0, n), and returns when all are done. newWorker is
// called once per goroutine, so that a worker can hold its own scratch
// buffers.
func Items(n, workers int, newWorker func() func(i int)) {
	workers = max(workers, 1)
	next := make(chan int, n)
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work := newWorker()
			for i := range next {
				work(i)
			}
		}()
	}
	wg.Wait()
}
