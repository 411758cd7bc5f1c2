// Package nn is the score network of gousynth's diffusion models and its
// trainer: a float32 multilayer perceptron with a sinusoidal time embedding
// and a hand-written backward pass (MLP), the Adam optimiser, global
// gradient-norm clipping, an exponential moving average of the weights, a
// warm-up + cosine learning-rate schedule, and Train, the loop that combines
// them.
//
// It lives under model (model/nn) rather than at the top of the module
// because model is its only client: nothing else in gousynth trains or
// evaluates a network, and the network's weights are a section of model's
// file format. It does not import model, though: it knows nothing of
// diffusion processes, latent coordinates or genotypes. A caller hands
// Train a BatchFunc that fills inputs, times and regression targets, and
// decides what the In inputs and Out outputs mean (model's GOU and VP
// engines regress a noise residual per latent coordinate, CLD a velocity
// residual from phase-space inputs).
//
// # Numerics
//
// Weights, activations and gradients are float32, the precision in which
// the model file stores the weights; the network's output is a residual on
// top of an exact Gaussian score, so its rounding is far below the training
// noise. The matrix products, nearly all the cost, go through gonum's
// blas32.Gemm, which splits the output into fixed blocks over GOMAXPROCS
// goroutines: every output element is summed in the same order whatever the
// thread count, so Train is deterministic for a seed on any machine width
// (TestTrainDeterministic checks it with one and two threads).
//
// The time t enters as TimeEmbedDim sinusoids of t/TimeScale at
// frequencies log-spaced in [1, 1000], appended to the inputs; rows of a
// batch at the same time (every row of a sampler step) share one
// embedding. Hidden layers use SiLU and are He-uniform initialised; the
// output layer starts at zero, so an untrained network predicts a zero
// residual and a fitted model without training steps is the Gaussian one.
//
// Train minimises the mean squared error with Adam (bias corrections folded
// into the step size), clips the global gradient norm before each step,
// follows LRSchedule (linear warm-up, then cosine decay to 5% of the peak)
// and returns the exponential moving average of the weights, whose decay
// is warmed up as min(EMA, (1+step)/(10+step)) so that the random
// initialisation does not dominate early averages.
package nn
