package nn_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/gousynth/gousynth/model/nn"
)

// Train a network to predict y = x·(1 + t) from an input x and a time t:
// the untrained network predicts exactly zero, the trained one is close.
func ExampleTrain() {
	batches := func(rng *rand.Rand, batch int, in []float32, t []float64, target []float32) {
		for b := range batch {
			x := rng.NormFloat64()
			t[b] = rng.Float64()
			in[b] = float32(x)
			target[b] = float32(x * (1 + t[b]))
		}
	}
	net := nn.NewMLP(1, 1, 32, 2, 1, rand.New(rand.NewPCG(1, 2)))
	out := make([]float32, 1)
	net.Forward(nil, []float32{1.5}, []float64{0.5}, 1, out)
	fmt.Println("untrained:", out[0])

	ema, loss, err := nn.Train(context.Background(), net, batches, nn.TrainOptions{
		Steps: 300, BatchSize: 64, Warmup: 10, LR: 3e-3, EMA: 0.99, ClipNorm: 1, Seed: 7,
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	ema.Forward(nil, []float32{1.5}, []float64{0.5}, 1, out)
	fmt.Println("loss below 0.05:", loss < 0.05)
	fmt.Println("prediction within 0.2 of 2.25:", out[0] > 2.05 && out[0] < 2.45)
	// Output:
	// untrained: 0
	// loss below 0.05: true
	// prediction within 0.2 of 2.25: true
}

// The learning rate of a 1000-step run with 100 warm-up steps: linear
// warm-up to the peak, then cosine decay to 5% of it.
func ExampleLRSchedule() {
	for _, step := range []int{0, 49, 99, 550, 999} {
		fmt.Printf("step %3d: %.5f\n", step, nn.LRSchedule(0.002, step, 100, 1000))
	}
	// Output:
	// step   0: 0.00002
	// step  49: 0.00100
	// step  99: 0.00200
	// step 550: 0.00105
	// step 999: 0.00010
}
