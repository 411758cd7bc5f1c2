package model

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Population labels (issue 18). A model fitted with labels (FitLabelled)
// ties its anchors to the training individuals' populations: each
// population with at least MinClusterSize training individuals gets its own
// k-means anchors, fitted on its individuals alone, and the individuals of
// smaller populations form one unlabelled pool (anchored when it reaches
// MinClusterSize, left out of the anchors otherwise). A synthetic
// individual of population L starts the reverse diffusion from one of L's
// anchors; what the model stores per label is its name, its
// super-population, its number of training individuals and the anchors
// (means of at least MinClusterSize people), never a sample ID.

// Label is one training population as a model stores it.
type Label struct {
	Pop      string `json:"pop"`
	SuperPop string `json:"super_pop"`
	// N is the number of training individuals with this population.
	N int `json:"n"`
}

// Unlabelled is the label index of the pool of training individuals whose
// population is too small to be generated on its own.
const Unlabelled = -1

// UnlabelledName is the population written for individuals drawn from the
// unlabelled pool (the synthetic panel's pop and super_pop).
const UnlabelledName = "NA"

// Labelling gives the population of every training individual (Pop[i] is
// row i's) and the super-population of each population (missing or "":
// the population is its own super-population).
type Labelling struct {
	Pop      []string
	SuperPop map[string]string
}

// labelTable returns the sorted labels of l with their counts, and each
// row's label index.
func (l *Labelling) labelTable() ([]Label, []int) {
	count := map[string]int{}
	for _, p := range l.Pop {
		count[p]++
	}
	names := make([]string, 0, len(count))
	for p := range count {
		names = append(names, p)
	}
	sort.Strings(names)
	idx := make(map[string]int, len(names))
	labels := make([]Label, len(names))
	for i, p := range names {
		sp := l.SuperPop[p]
		if sp == "" {
			sp = p
		}
		labels[i] = Label{Pop: p, SuperPop: sp, N: count[p]}
		idx[p] = i
	}
	rows := make([]int, len(l.Pop))
	for i, p := range l.Pop {
		rows[i] = idx[p]
	}
	return labels, rows
}

// LabelTableOf returns the sorted labels of l with their counts, and the
// label index of each row (for the chrom package's labelled mixture).
func LabelTableOf(l *Labelling) ([]Label, []int) { return l.labelTable() }

// labelledAnchors is anchors with components tied to labels: each label of
// at least cfg.MinClusterSize rows gets max(1, round(cfg.Anchors·n_L/n))
// k-means anchors of its own rows; the rows of smaller labels form the
// unlabelled pool. Weights are shares of the anchored rows.
func labelledAnchors(y *mat.Dense, cfg Config, r int, labels []Label, rows []int) *InitDist {
	n, cols := y.Dims()
	groups := make([][]int, len(labels)+1) // the last is the pool
	for i, l := range rows {
		if labels[l].N >= cfg.MinClusterSize {
			groups[l] = append(groups[l], i)
		} else {
			groups[len(labels)] = append(groups[len(labels)], i)
		}
	}
	var used int
	for _, g := range groups {
		if len(g) >= cfg.MinClusterSize {
			used += len(g)
		}
	}
	init := &InitDist{Kind: InitAnchors}
	if used == 0 { // nobody in an anchorable group: one unlabelled pool of all
		init = anchors(y, cfg, r)
		init.Labels = make([]int, len(init.Weights))
		for k := range init.Labels {
			init.Labels[k] = Unlabelled
		}
		return init
	}
	for l, g := range groups {
		if len(g) < cfg.MinClusterSize {
			continue
		}
		sub := mat.NewDense(len(g), cols, nil)
		for a, i := range g {
			copy(sub.RawRowView(a), y.RawRowView(i))
		}
		c := cfg
		c.Anchors = max(1, int(math.Round(float64(cfg.Anchors)*float64(len(g))/float64(n))))
		c.Seed = cfg.Seed + uint64(l+1)*0x9E3779B97F4A7C15
		a := anchors(sub, c, r)
		label := l
		if l == len(labels) {
			label = Unlabelled
		}
		for k := range a.Weights {
			init.Weights = append(init.Weights, a.Weights[k]*float64(len(g))/float64(used))
			init.Means = append(init.Means, a.Means[k])
			init.Vars = append(init.Vars, a.Vars[k])
			init.Labels = append(init.Labels, label)
		}
	}
	return init
}

// pick returns the component of one draw of label l: u uniform in [0, 1)
// chooses among l's components by weight.
func (d *InitDist) pick(u float64, l int) int {
	var s float64
	for c, w := range d.Weights {
		if d.Labels[c] == l {
			s += w
		}
	}
	u *= s
	var cum float64
	last := -1
	for c, w := range d.Weights {
		if d.Labels[c] != l {
			continue
		}
		cum += w
		last = c
		if u <= cum {
			return c
		}
	}
	return last
}

// Request is one part of a requested cohort: N individuals of the
// population or super-population Name (N 0: the rest of -n).
type Request struct {
	Name string
	N    int
}

// ParseRequests parses a --population value: "EUR:500,AFR:200" (counts),
// or names without counts ("EUR", "EUR,AFR"), which share the cohort size
// given separately in proportion to their training sizes. Counts and bare
// names cannot be mixed.
func ParseRequests(s string) ([]Request, error) {
	var out []Request
	seen := map[string]bool{}
	counted := 0
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, fmt.Errorf("empty population in %q (want NAME or NAME:COUNT, comma-separated)", s)
		}
		name, num, hasNum := strings.Cut(part, ":")
		name = strings.TrimSpace(name)
		if name == "" {
			return nil, fmt.Errorf("population without a name in %q", s)
		}
		if seen[name] {
			return nil, fmt.Errorf("population %q listed twice in %q", name, s)
		}
		seen[name] = true
		r := Request{Name: name}
		if hasNum {
			n, err := strconv.Atoi(strings.TrimSpace(num))
			if err != nil || n < 1 {
				return nil, fmt.Errorf("population %q: count %q is not a positive whole number", name, num)
			}
			r.N = n
			counted++
		}
		out = append(out, r)
	}
	if counted != 0 && counted != len(out) {
		return nil, fmt.Errorf("give a count for every population or for none in %q", s)
	}
	return out, nil
}

// Counted reports whether the requests carry their own counts (their sum
// is then the cohort size).
func Counted(reqs []Request) bool { return len(reqs) > 0 && reqs[0].N > 0 }

// Composition returns the number of synthetic individuals of each label
// (index into labels, the last entry the unlabelled pool) for a cohort of n
// individuals drawn as reqs asks, or, when reqs is empty, with the training
// composition of the anchored labels (anchored[l]: label l has anchors;
// anchored[len(labels)]: the pool has). A request names a population or a
// super-population; a super-population's count is shared among its
// anchored populations by training size (largest remainder). Counted
// requests fix n themselves. A requested population with fewer than minSize
// training individuals is refused: no label may summarise a handful of
// people.
func Composition(labels []Label, anchored []bool, reqs []Request, n, minSize int) ([]int, error) {
	counts := make([]int, len(labels)+1)
	if len(reqs) == 0 {
		w := make([]float64, len(labels)+1)
		for l := range labels {
			if anchored[l] {
				w[l] = float64(labels[l].N)
			}
		}
		if anchored[len(labels)] {
			for l := range labels {
				if !anchored[l] {
					w[len(labels)] += float64(labels[l].N)
				}
			}
		}
		return shares(w, n), nil
	}
	type part struct {
		w []float64
		n int
	}
	var parts []part
	var total float64
	for _, r := range reqs {
		w := make([]float64, len(labels)+1)
		var found, small []string
		var sum float64
		for l, lb := range labels {
			if lb.Pop != r.Name && lb.SuperPop != r.Name {
				continue
			}
			found = append(found, lb.Pop)
			if lb.N < minSize || !anchored[l] {
				small = append(small, fmt.Sprintf("%s (%d)", lb.Pop, lb.N))
				continue
			}
			w[l] = float64(lb.N)
			sum += w[l]
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("population %q is not among the model's training labels (%s)", r.Name, labelNames(labels))
		}
		if sum == 0 {
			return nil, fmt.Errorf("population %q has too few training individuals to be generated: %s, fewer than the minimum cluster size %d (no label may summarise a handful of people)",
				r.Name, strings.Join(small, ", "), minSize)
		}
		parts = append(parts, part{w, r.N})
		total += sum
	}
	if Counted(reqs) {
		for _, p := range parts {
			for l, c := range shares(p.w, p.n) {
				counts[l] += c
			}
		}
		return counts, nil
	}
	w := make([]float64, len(labels)+1)
	for _, p := range parts {
		for l, x := range p.w {
			w[l] += x
		}
	}
	return shares(w, n), nil
}

// labelNames lists the populations and super-populations of labels.
func labelNames(labels []Label) string {
	var pops, sups []string
	for _, l := range labels {
		pops = append(pops, l.Pop)
		if l.SuperPop != l.Pop && !slices.Contains(sups, l.SuperPop) {
			sups = append(sups, l.SuperPop)
		}
	}
	s := "populations " + strings.Join(pops, ", ")
	if len(sups) > 0 {
		sort.Strings(sups)
		s += "; super-populations " + strings.Join(sups, ", ")
	}
	return s
}

// shares splits n in proportion to w: floor(n·w/Σw), the rest by largest
// remainder (ties to the lower index).
func shares(w []float64, n int) []int {
	var total float64
	for _, x := range w {
		total += x
	}
	out := make([]int, len(w))
	if total == 0 {
		return out
	}
	rem := make([]float64, len(w))
	left := n
	for i, x := range w {
		q := float64(n) * x / total
		out[i] = int(q)
		rem[i] = q - float64(out[i])
		left -= out[i]
	}
	for ; left > 0; left-- {
		best := -1
		for i := range rem {
			if w[i] > 0 && (best < 0 || rem[i] > rem[best]) {
				best = i
			}
		}
		out[best]++
		rem[best] = -1
	}
	return out
}

// Interleave returns the label of each of the Σcounts individuals of a
// cohort: row i takes the label furthest behind its share of the first i+1
// rows, so that every prefix of the cohort has its composition (to within
// one row per label). The entry len(counts)−1 of counts is the unlabelled
// pool, returned as Unlabelled.
func Interleave(counts []int) []int {
	n := 0
	for _, c := range counts {
		n += c
	}
	out := make([]int, n)
	assigned := make([]int, len(counts))
	for i := range out {
		best, bestDef := -1, math.Inf(-1)
		for l, c := range counts {
			if assigned[l] == c {
				continue
			}
			if def := float64(i+1)*float64(c)/float64(n) - float64(assigned[l]); def > bestDef {
				best, bestDef = l, def
			}
		}
		assigned[best]++
		if best == len(counts)-1 {
			best = Unlabelled
		}
		out[i] = best
	}
	return out
}

// LabelOf returns the pop and super_pop written for label index l.
func LabelOf(labels []Label, l int) (pop, superPop string) {
	if l < 0 || l >= len(labels) {
		return UnlabelledName, UnlabelledName
	}
	return labels[l].Pop, labels[l].SuperPop
}

// anchoredLabels reports which labels (and, last, the pool) have anchors.
func (d *InitDist) anchoredLabels(nLabels int) []bool {
	out := make([]bool, nLabels+1)
	if d == nil {
		return out
	}
	for _, l := range d.Labels {
		if l == Unlabelled {
			out[nLabels] = true
		} else if l >= 0 && l < nLabels {
			out[l] = true
		}
	}
	return out
}

// Cohort returns the label of each synthetic individual of a cohort drawn
// as reqs asks (see Composition; n is the cohort size unless the requests
// are counted), or nil with no error when the model has no labels and reqs
// is empty (the unlabelled draw of an unlabelled model).
func (m *Model) Cohort(reqs []Request, n int) ([]int, error) {
	if len(m.Labels) == 0 {
		if len(reqs) > 0 {
			return nil, fmt.Errorf("the model was fitted without population labels (fit it with --panel to generate populations)")
		}
		return nil, nil
	}
	counts, err := Composition(m.Labels, m.Init.anchoredLabels(len(m.Labels)), reqs, n, m.Config.MinClusterSize)
	if err != nil {
		return nil, err
	}
	return Interleave(counts), nil
}

// checkLabels checks the labels of a model file's header.
func checkLabels(labels []Label, anchorLabels []int, numAnchors int, initKind InitKind) error {
	if len(labels) == 0 {
		if anchorLabels != nil {
			return fmt.Errorf("%w: anchor labels without population labels", ErrCorrupt)
		}
		return nil
	}
	if initKind != InitAnchors || len(anchorLabels) != numAnchors {
		return fmt.Errorf("%w: %d anchor labels for %d anchors (%s initialisation)", ErrCorrupt, len(anchorLabels), numAnchors, initKind)
	}
	seen := map[string]bool{}
	for _, l := range labels {
		if l.Pop == "" || l.SuperPop == "" || l.N < 1 || seen[l.Pop] || strings.ContainsAny(l.Pop+l.SuperPop, " \t\n\r") {
			return fmt.Errorf("%w: bad population label %+v", ErrCorrupt, l)
		}
		seen[l.Pop] = true
	}
	for _, a := range anchorLabels {
		if a != Unlabelled && (a < 0 || a >= len(labels)) {
			return fmt.Errorf("%w: anchor label %d outside the %d labels", ErrCorrupt, a, len(labels))
		}
	}
	return nil
}

// guide adds, to the score sc (n×r) of a labelled draw at time t, the
// gradient of log p_t(L | y) for each row's label L (issue 18): the anchor
// mixture, pushed forward to time t by the process (component k, coordinate
// i: N(m_i(t)·μ_ki, m_i(t)²·V_ki + s_i(t)), exactly the start distribution
// at T), is a classifier of the labels, and adding its log-posterior's
// gradient to the model score samples p(y | L) ∝ p(y)·p(L | y) (classifier
// guidance, with an analytic classifier). Without it the reverse diffusion
// from L's anchors drifts to other labels' clusters wherever they overlap
// at T (a fifth of a two-population cohort, measured in TestLabelledFit).
// The first dims coordinates enter the classifier (the sampler gives all
// of them): on the bundled 1000 Genomes region the leading 10 alone, those
// the anchors are clustered on, left the labelled cohorts' allele
// frequencies up to 0.014 below the floor in r² (SAS), all of them 0.008.
func (d *InitDist) guide(p diagProcess, t float64, y, sc []float64, n, r, dims int, labels []int) {
	K := len(d.Weights)
	P := min(dims, r)
	if K < 2 || P < 1 {
		return
	}
	mean := make([]float64, K*P) // m_i(t) μ_ki
	prec := make([]float64, K*P) // 1 / (m_i² V_ki + s_i)
	logc := make([]float64, K)   // log w_k − ½ Σ_i log v_ki
	for k := 0; k < K; k++ {
		logc[k] = math.Log(math.Max(d.Weights[k], 1e-300))
		for i := 0; i < P; i++ {
			m, s := p.Mean(i, t), p.Var(i, t)
			v := m*m*d.Vars[k][i] + s
			mean[k*P+i] = m * d.Means[k][i]
			prec[k*P+i] = 1 / v
			logc[k] -= 0.5 * math.Log(v)
		}
	}
	lp := make([]float64, K)
	for a := 0; a < n; a++ {
		ya, sa := y[a*r:a*r+P], sc[a*r:a*r+P]
		L := labels[a]
		best, bestL := math.Inf(-1), math.Inf(-1)
		for k := 0; k < K; k++ {
			q := logc[k]
			for i := 0; i < P; i++ {
				e := ya[i] - mean[k*P+i]
				q -= 0.5 * e * e * prec[k*P+i]
			}
			lp[k] = q
			best = math.Max(best, q)
			if d.Labels[k] == L {
				bestL = math.Max(bestL, q)
			}
		}
		if math.IsInf(bestL, -1) {
			continue
		}
		var zAll, zL float64
		for k := 0; k < K; k++ {
			zAll += math.Exp(lp[k] - best)
			if d.Labels[k] == L {
				zL += math.Exp(lp[k] - bestL)
			}
		}
		for k := 0; k < K; k++ {
			// ∇ log p(L|y) = Σ_{k∈L} r^L_k g_k − Σ_k r_k g_k, g_k = −(y − mμ_k)·prec_k.
			w := -math.Exp(lp[k]-best) / zAll
			if d.Labels[k] == L {
				w += math.Exp(lp[k]-bestL) / zL
			}
			if w == 0 {
				continue
			}
			for i := 0; i < P; i++ {
				sa[i] -= w * (ya[i] - mean[k*P+i]) * prec[k*P+i]
			}
		}
	}
}

// minLabelCalibration is the fewest calibration draws of one label.
const minLabelCalibration = 200

// labelCalibrationPerPerson is the number of calibration draws of a label
// per training individual of the label (at least; see calibrationDraws).
const labelCalibrationPerPerson = 5

// calibrationDraws is the number of calibration draws of a label with
// size training individuals out of n: the largest of its share of
// CalibrationSize by training size, perPerson per training individual
// (labelCalibrationPerPerson in a fit) and minLabelCalibration. A label's thresholds are quantiles of its draws, so
// their noise moves the label's synthetic frequencies as a sample of
// nc individuals would, coherently along the label's ancestry (a draw a
// little more admixed than the model shifts every threshold the other
// way), on top of the sampling noise of the size training individuals the
// thresholds copy. With 200 draws per 1000 Genomes population (about 70
// training individuals) that noise was a third of the training noise in
// variance, and Hudson's Fst between the synthetic super-populations
// strayed from the training cohort's by 6.1% on average, 3.8% with five
// draws per person, which make it a fifth (docs/populations.md).
func calibrationDraws(cfg Config, size, n, perPerson int) int {
	return max(minLabelCalibration, cfg.CalibrationSize*size/n, perPerson*size)
}

// calibrateLabels gives each anchored label its own discretisation
// thresholds: a calibration draw of the label's synthetic individuals
// (calibrationDraws) is cut at the genotype frequencies of the label's
// training individuals, as the global thresholds are for the whole
// cohort. The diffusion alone leaves the labels closer together than real
// populations are (bundled 1000 Genomes region: Hudson's Fst between EUR
// and SAS 40% low). The thresholds are the labels' genotype frequencies,
// aggregates of at least MinClusterSize people.
func (m *Model) calibrateLabels(ctx context.Context, x *mat.Dense) error {
	return m.calibrateLabelsWith(ctx, x, labelCalibrationPerPerson)
}

// calibrateLabelsWith is calibrateLabels with perPerson calibration draws
// per training individual of a label (calibrationDraws).
func (m *Model) calibrateLabelsWith(ctx context.Context, x *mat.Dense, perPerson int) error {
	_, rows := m.labelling.labelTable()
	n, cols := x.Dims()
	anchored := m.Init.anchoredLabels(len(m.Labels))
	m.LabelThresholds = make([][][2]float64, len(m.Labels))
	for l := range m.Labels {
		if !anchored[l] {
			m.LabelThresholds[l] = m.Thresholds
			continue
		}
		var idx []int
		for i, r := range rows {
			if r == l {
				idx = append(idx, i)
			}
		}
		xl := mat.NewDense(len(idx), cols, nil)
		for a, i := range idx {
			xl.SetRow(a, x.RawRowView(i))
		}
		nc := calibrationDraws(m.Config, len(idx), n, perPerson)
		lab := make([]int, nc)
		for i := range lab {
			lab[i] = l
		}
		cal := mat.NewDense(nc, cols, nil)
		err := m.sampleCohortChunks(ctx, nc, lab, rand.New(rand.NewPCG(m.Config.Seed, 0x6c61626c+uint64(l))), func(lo int, s *mat.Dense) error {
			r, _ := s.Dims()
			for i := 0; i < r; i++ {
				cal.SetRow(lo+i, s.RawRowView(i))
			}
			return nil
		})
		if err != nil {
			return err
		}
		if m.Config.Discretiser == DiscretiserLD {
			m.LabelThresholds[l] = calibrateLD(xl, cal, m.ld)
		} else {
			m.LabelThresholds[l] = calibrate(xl, cal)
		}
	}
	return nil
}
