package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/vcf"
)

// auditFixtures writes small cohorts cut from the bundled region (4294 SNPs): train (300
// individuals), test (150 others), copies (100 training individuals under
// new IDs), fresh (100 real individuals in neither), ref (500 more in
// none of them, under new IDs: a reference panel) and othersites (fresh
// with one ALT allele changed, a site the real files lack).
func auditFixtures(t *testing.T) map[string]string {
	t.Helper()
	g, _, err := vcf.ReadFile(realVCF, vcf.ReadOptions{DosageOnly: true})
	if err != nil {
		t.Fatal(err)
	}

	// 1000 Genomes lists samples by population: shuffle them so that the
	// cohorts are exchangeable.
	perm := rand.New(rand.NewPCG(5, 5)).Perm(g.NumSamples())
	sub := func(lo, hi int, prefix string) *vcf.Genotypes {
		out := &vcf.Genotypes{Sites: g.Sites, Samples: make([]string, hi-lo), Dosage: make([]int8, 0, (hi-lo)*g.NumSites())}
		for v := range g.Sites {
			row := g.Row(v)
			for _, s := range perm[lo:hi] {
				out.Dosage = append(out.Dosage, row[s])
			}
		}
		for i, s := range perm[lo:hi] {
			out.Samples[i] = prefix + g.Samples[s]
		}
		return out
	}
	dir := t.TempDir()
	bad := sub(450, 550, "SYN")
	bad.Sites = slices.Clone(bad.Sites)
	for _, b := range []string{"A", "C", "G", "T"} {
		if b != bad.Sites[3].Ref && b != bad.Sites[3].Alt {
			bad.Sites[3].Alt = b
			break
		}
	}
	files := map[string]string{}
	for name, c := range map[string]*vcf.Genotypes{
		"train": sub(0, 300, ""), "test": sub(300, 450, ""), "copies": sub(0, 100, "SYN"), "fresh": sub(450, 550, "SYN"), "othersites": bad,
		"ref": sub(550, 1050, "REF"),
	} {
		p := filepath.Join(dir, name+".vcf.gz")
		if err := vcf.WriteGenotypes(p, c, vcf.Header{Samples: c.Samples, Contigs: []vcf.Contig{{ID: "1", Length: 249250621}}}); err != nil {
			t.Fatal(err)
		}
		files[name] = p
	}
	return files
}

// TestAuditCommand runs the built command end to end: verdicts, reasons,
// the JSON file, exit codes of unreadable inputs (1) and usage errors (2).
func TestAuditCommand(t *testing.T) {
	f := auditFixtures(t)
	for _, c := range []struct {
		name    string
		args    []string // OUT is replaced by an output directory
		code    int
		want    []string
		verdict string // of the JSON file OUT/a.json, when written: one of these, "|"-separated
	}{
		{"copies of training individuals", []string{"--train", f["train"], "--synth", f["copies"], "--test", f["test"], "--json", "OUT/a.json"}, 0,
			[]string{"verdict: poor", "exact copies", "aa_train", "kinship_related_share", "distance ratio"}, "poor"},
		// A perfect generator: its verdict is good or, by the sampling noise
		// of attack AUCs on 100 vs 150 individuals (SE ≈ 0.04), fair.
		{"real individuals in neither cohort", []string{"--train", f["train"], "--synth", f["fresh"], "--test", f["test"], "--json", "OUT/a.json"}, 0,
			[]string{"nearest distance", "TPR@1%"}, "good|fair"},
		{"no held-out individuals", []string{"--train", f["train"], "--synth", f["fresh"]}, 0,
			[]string{"verdict: fair", "membership inference not assessed"}, ""},
		// Plumbing only: the fixtures' training cohort is not the small
		// model's training set, so any verdict is accepted.
		{"with the model file", []string{"--train", f["train"], "--synth", "MSYNTH", "--test", f["test"], "--model", "MODEL", "--json", "OUT/a.json"}, 0,
			[]string{"probe_mia_auc", "model-file probe", "density_mia_auc", "model density"}, "good|fair|poor"},
		{"with a reference panel", []string{"--train", f["train"], "--synth", f["fresh"], "--test", f["test"], "--reference", f["ref"], "--json", "OUT/a.json"}, 0,
			[]string{"allele frequencies", "reference frequencies from the 500 individuals of the reference cohort"}, "good|fair"},
		{"--reference without --test", []string{"--train", f["train"], "--synth", f["fresh"], "--reference", f["ref"]}, 2, []string{"--reference", "needs held-out individuals (--test)"}, ""},
		{"training individuals as --reference", []string{"--train", f["train"], "--synth", f["fresh"], "--test", f["test"], "--reference", f["train"]}, 2, []string{"the reference must be people neither trained on nor held out"}, ""},
		{"VCF given as --model", []string{"--train", f["train"], "--synth", "MSYNTH", "--model", f["train"]}, 1, []string{f["train"] + ": not a gousynth model file"}, ""},
		{"missing --synth", []string{"--train", f["train"]}, 2, []string{"audit needs --train and --synth"}, ""},
		{"negative --floor-size", []string{"--train", f["train"], "--synth", f["fresh"], "--floor-size", "-1"}, 2, []string{"--floor-size must be at least 0"}, ""},
		{"unreadable training file", []string{"--train", filepath.Join(filepath.Dir(f["train"]), "none.vcf.gz"), "--synth", f["fresh"]}, 1, []string{"none.vcf.gz", "no such file"}, ""},
		// Compared on the common sites (TestAuditDifferentSites checks the message).
		{"synthetic sites the training file lacks", []string{"--train", f["train"], "--synth", f["othersites"], "--json", "OUT/a.json"}, 0, []string{"verdict:"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := t.TempDir()
			args := []string{"audit", "--quiet"}
			for _, a := range c.args {
				switch a {
				case "MODEL":
					a = smallModel(t)
				case "MSYNTH":
					a = modelSynth(t)
				}
				args = append(args, strings.Replace(a, "OUT", out, 1))
			}
			code, msg := runCLI(t, args...)
			if code != c.code {
				t.Errorf("exit code %d, want %d\n%s", code, c.code, msg)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("output does not say %q:\n%s", w, msg)
				}
			}
			b, err := os.ReadFile(filepath.Join(out, "a.json"))
			if c.verdict == "" {
				if err == nil && c.code != 0 {
					t.Error("a failed run wrote its JSON file")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var a struct {
				Verdict string `json:"verdict"`
				Metrics []struct {
					Name  string   `json:"name"`
					Value *float64 `json:"value"`
				} `json:"metrics"`
				Attacks []struct {
					Name string                       `json:"name"`
					ROC  []struct{ FPR, TPR float64 } `json:"roc"`
				} `json:"attacks"`
			}
			if err := json.Unmarshal(b, &a); err != nil {
				t.Fatal(err)
			}
			attacks := 3 // nearest distance, distance ratio, allele frequencies
			if slices.Contains(c.args, "--model") {
				attacks = 5 // + the model-file probe and the model-density attack
			}
			if !slices.Contains(strings.Split(c.verdict, "|"), a.Verdict) || len(a.Attacks) != attacks || len(a.Attacks[0].ROC) < 2 {
				t.Errorf("JSON verdict %q, %d attacks: want %q and %d with ROC curves", a.Verdict, len(a.Attacks), c.verdict, attacks)
			}
			names := map[string]bool{}
			for _, m := range a.Metrics {
				names[m.Name] = m.Value != nil
			}
			for _, n := range []string{"identical_match_rate", "dcr_p5", "aats", "aa_train", "aa_synth", "kinship_related_share", "mia_auc", "ratio_mia_auc", "freq_mia_auc"} {
				if !names[n] {
					t.Errorf("JSON has no value of %s", n)
				}
			}
		})
	}
}

// modelSynth is a synthetic cohort of 100 drawn from smallModel, once per
// test binary.
var modelSynth = func() func(t *testing.T) string {
	var path string
	return func(t *testing.T) string {
		t.Helper()
		if path == "" {
			dir, err := os.MkdirTemp("", "gousynth-msynth-")
			if err != nil {
				t.Fatal(err)
			}
			tempDirs = append(tempDirs, dir)
			p := filepath.Join(dir, "synth.vcf.gz")
			if code, msg := runCLI(t, "generate", smallModel(t), "-n", "100", "-o", p, "--quiet"); code != 0 {
				t.Fatalf("generate exited %d:\n%s", code, msg)
			}
			path = p
		}
		return path
	}
}()

// TestAuditDifferentSites: cohorts with different site sets are audited on
// the sites they all hold, and stderr says how many each lacked.
func TestAuditDifferentSites(t *testing.T) {
	f := auditFixtures(t)
	g, _, err := vcf.ReadFile(f["train"], vcf.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := g.NumSites()
	js := filepath.Join(t.TempDir(), "a.json")
	code, msg := runCLI(t, "audit", "--train", f["train"], "--synth", f["othersites"], "--test", f["test"], "-o", js)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, msg)
	}
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), fmt.Sprintf("%d common to all cohorts are compared", n-1)) {
		t.Errorf("the JSON's notes do not say which sites were compared:\n%s", b)
	}
	for _, w := range []string{
		fmt.Sprintf("%d common to all cohorts are compared", n-1),
		fmt.Sprintf("--synth %s holds %d (lacks 1 that another holds; 1 of its own left out)", f["othersites"], n),
		fmt.Sprintf("--train %s holds %d (lacks 1 that another holds; 1 of its own left out)", f["train"], n),
		"verdict:",
	} {
		if !strings.Contains(msg, w) {
			t.Errorf("output does not say %q:\n%s", w, msg)
		}
	}
}

// TestAuditWindowedModel runs audit --model on the model file of a windowed
// fit (a simulated panel with more SNPs than training individuals, cut into
// windows): the model-file probe and the model-density attack run on it,
// their AUCs are reported in the text and the JSON with ROC curves, and
// they are AUCs (in [0, 1], not NaN).
func TestAuditWindowedModel(t *testing.T) {
	if testing.Short() {
		t.Skip("fits a windowed model")
	}
	dir := t.TempDir()
	sim := filepath.Join(dir, "sim.vcf.gz")
	fit := filepath.Join(dir, "fit")
	for _, args := range [][]string{
		{"simulate", "--individuals", "200", "--snps", "1500", "--preset", "1kg-like", "--populations", "2", "--seed", "3", "-o", sim},
		{"fit", sim, "--max-snps", "500", "--write-split", "--steps", "40", "-o", fit},
	} {
		if code, msg := runCLI(t, append(args, "--quiet")...); code != 0 {
			t.Fatalf("%s exited %d:\n%s", args[0], code, msg)
		}
	}
	mf := filepath.Join(fit, "model.gsy")
	b, err := os.ReadFile(mf)
	if err != nil || !strings.HasPrefix(string(b), "GOUSYNTH-CHROM-MODEL ") {
		t.Fatalf("the fit did not write a windowed model file (%v)", err)
	}
	js := filepath.Join(dir, "a.json")
	code, msg := runCLI(t, "audit", "--quiet", "--train", sim, "--train-samples-file", filepath.Join(fit, "train.samples.real-ids.txt"),
		"--test", sim, "--test-samples-file", filepath.Join(fit, "test.samples.real-ids.txt"),
		"--synth", filepath.Join(fit, "synthetic.vcf.gz"), "--model", mf, "-o", js)
	if code != 0 {
		t.Fatalf("audit exited %d:\n%s", code, msg)
	}
	for _, w := range []string{"probe_mia_auc", "model-file probe", "density_mia_auc", "model density"} {
		if !strings.Contains(msg, w) {
			t.Errorf("output does not say %q:\n%s", w, msg)
		}
	}
	if b, err = os.ReadFile(js); err != nil {
		t.Fatal(err)
	}
	var a struct {
		Attacks []struct {
			Name string                       `json:"name"`
			AUC  *float64                     `json:"auc"`
			ROC  []struct{ FPR, TPR float64 } `json:"roc"`
		} `json:"attacks"`
	}
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, at := range a.Attacks {
		if at.AUC == nil || !(*at.AUC >= 0 && *at.AUC <= 1) || len(at.ROC) < 2 {
			t.Errorf("attack %q: AUC %v, %d ROC points", at.Name, at.AUC, len(at.ROC))
		}
		got[at.Name] = true
		t.Logf("%s: AUC %.3f", at.Name, *at.AUC)
	}
	if !got["model-file probe"] || !got["model density"] {
		t.Errorf("attacks %v lack the model-file ones", got)
	}
}
