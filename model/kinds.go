package model

import (
	"fmt"
	"slices"
	"strings"
)

// The settings of Config that name one of a few choices are typed strings:
// ProcessKind, LatentKind, InitKind, SamplerKind and DiscretiserKind. Their
// values are the names written in model files (so files keep their bytes)
// and given on the command line. For each, this file is the one place that
// lists the valid names (ProcessKinds, latentKinds, ...), parses a name
// (ParseProcessKind, ...; case and surrounding space are ignored) and words
// the error for a bad one (wrapping ErrConfig), which Config.Validate
// reports too.

// ProcessKind names a forward process (Config.Process).
type ProcessKind string

// The forward processes, each implemented by an engine registered under
// its name (registerProcess).
const (
	ProcessGOU    ProcessKind = "gou"     // Geometry-aware Ornstein–Uhlenbeck (the default)
	ProcessVP     ProcessKind = "vp"      // variance-preserving, on standardised data
	ProcessCLD    ProcessKind = "cld"     // critically damped Langevin
	ProcessCLDEps ProcessKind = "cld-eps" // CLD with position noise ε (Config.CLDEps)
)

// LatentKind names the space the diffusion runs in (Config.Latent).
type LatentKind string

// The latent spaces.
const (
	LatentDosage LatentKind = "dosage" // the dosages themselves (the default)
	LatentProbit LatentKind = "probit" // liability-threshold latent Gaussians (see latent.go)
)

// InitKind names the sampler's initial distribution (Config.Init,
// InitDist.Kind).
type InitKind string

// The initial distributions.
const (
	InitAnchors    InitKind = "anchors"    // eq. 12: k-means centres weighted by cluster size
	InitMarginal   InitKind = "marginal"   // the time-T marginal of a Gaussian with the data covariance
	InitStationary InitKind = "stationary" // the process's stationary distribution
)

// SamplerKind names a reverse sampler (Config.Sampler).
type SamplerKind string

// The samplers a Config may name (CLD runs its own SSCS sampler, the
// internal samplerSSCS, for SamplerAncestral).
const (
	SamplerAncestral SamplerKind = "ancestral" // exact Gaussian posterior step with the learned score (the default)
	SamplerEM        SamplerKind = "em"        // Euler–Maruyama on the reverse SDE
	SamplerHeun      SamplerKind = "heun"      // Heun on the probability-flow ODE
)

// DiscretiserKind names the map of continuous samples to 0/1/2
// (Config.Discretiser).
type DiscretiserKind string

// The discretisers (see discretise.go).
const (
	DiscretiserLD        DiscretiserKind = "ld"        // calibrated thresholds in genomic order, shifted towards the LD conditional mean (the default)
	DiscretiserThreshold DiscretiserKind = "threshold" // calibrated per-SNP thresholds
	DiscretiserRound     DiscretiserKind = "round"     // rounding
)

// String returns the name.
func (k ProcessKind) String() string { return string(k) }

// String returns the name.
func (k LatentKind) String() string { return string(k) }

// String returns the name.
func (k InitKind) String() string { return string(k) }

// String returns the name.
func (k SamplerKind) String() string { return string(k) }

// String returns the name.
func (k DiscretiserKind) String() string { return string(k) }

// ProcessKinds returns the registered processes: the built-ins in the
// order of their constants, then the others in registration order.
func ProcessKinds() []ProcessKind {
	var out []ProcessKind
	for _, k := range []ProcessKind{ProcessGOU, ProcessVP, ProcessCLD, ProcessCLDEps} {
		if _, ok := registry[k]; ok {
			out = append(out, k)
		}
	}
	for _, k := range registered {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// latentKinds returns the latent spaces, the default first.
func latentKinds() []LatentKind { return []LatentKind{LatentDosage, LatentProbit} }

// InitKinds returns the initial distributions, the GOU default first.
func InitKinds() []InitKind { return []InitKind{InitAnchors, InitMarginal, InitStationary} }

// SamplerKinds returns the samplers a Config may name, the default first.
func SamplerKinds() []SamplerKind {
	return []SamplerKind{SamplerAncestral, SamplerEM, SamplerHeun}
}

// DiscretiserKinds returns the discretisers, the default first.
func DiscretiserKinds() []DiscretiserKind {
	return []DiscretiserKind{DiscretiserLD, DiscretiserThreshold, DiscretiserRound}
}

// ParseProcessKind returns the registered process named s.
func ParseProcessKind(s string) (ProcessKind, error) {
	return parseKind(s, "process", ProcessKinds())
}

// parseLatentKind returns the latent space named s.
func parseLatentKind(s string) (LatentKind, error) {
	return parseKind(s, "latent space", latentKinds())
}

// ParseInitKind returns the initial distribution named s.
func ParseInitKind(s string) (InitKind, error) {
	return parseKind(s, "init", InitKinds())
}

// ParseSamplerKind returns the sampler named s.
func ParseSamplerKind(s string) (SamplerKind, error) {
	return parseKind(s, "sampler", SamplerKinds())
}

// ParseDiscretiserKind returns the discretiser named s.
func ParseDiscretiserKind(s string) (DiscretiserKind, error) {
	return parseKind(s, "discretiser", DiscretiserKinds())
}

// parseKind returns the value of valid named s (ignoring case and
// surrounding space), or the error naming what s was meant to be.
func parseKind[T ~string](s, what string, valid []T) (T, error) {
	k := T(strings.ToLower(strings.TrimSpace(s)))
	if err := checkKind(k, what, valid); err != nil {
		return "", fmt.Errorf("%w: unknown %s %q (%s)", ErrConfig, what, s, joinKinds(valid))
	}
	return k, nil
}

// checkKind reports whether k is one of valid, exactly (Config.Validate:
// a model file's names are not normalised).
func checkKind[T ~string](k T, what string, valid []T) error {
	if slices.Contains(valid, k) {
		return nil
	}
	return fmt.Errorf("%w: unknown %s %q (%s)", ErrConfig, what, string(k), joinKinds(valid))
}

// joinKinds lists names for messages: "a, b, c".
func joinKinds[T ~string](valid []T) string {
	s := make([]string, len(valid))
	for i, v := range valid {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
