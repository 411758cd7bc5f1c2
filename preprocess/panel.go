package preprocess

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// ErrBadPanel is wrapped by errors about malformed panel files.
var ErrBadPanel = errors.New("bad panel file")

// PanelEntry is one sample's population labels.
type PanelEntry struct {
	Pop, SuperPop string
}

// Panel maps sample IDs to their population and super-population, as read
// from a 1000 Genomes panel file.
type Panel struct {
	entries map[string]PanelEntry
}

// ReadPanel reads a 1000 Genomes-style panel file: one sample per line with
// whitespace-separated columns sample, pop, super_pop and optionally more
// (gender, ...), which are ignored. A first line starting with "sample" is a
// header. A file whose first sample line has two columns (sample pop) is a
// two-column file: every population is then its own super-population.
// Blank lines and lines starting with '#' are skipped. Errors name
// the file and line.
func ReadPanel(path string) (*Panel, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParsePanel(f, path)
}

// ParsePanel reads a panel (see ReadPanel) from r; name is used in errors.
func ParsePanel(r io.Reader, name string) (*Panel, error) {
	p := &Panel{entries: map[string]PanelEntry{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	line, cols := 0, 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Fields(text)
		if line == 1 && strings.EqualFold(f[0], "sample") {
			continue
		}
		if cols == 0 {
			// The first sample line sets the layout: sample pop super_pop
			// (1000 Genomes), or sample pop (two columns).
			cols = min(len(f), 3)
		}
		if cols == 3 && len(f) < 3 {
			return nil, fmt.Errorf("%s:%d: %w: want at least 3 columns (sample pop super_pop), got %d", name, line, ErrBadPanel, len(f))
		}
		if len(f) < 2 {
			return nil, fmt.Errorf("%s:%d: %w: want 2 columns (sample pop) or at least 3 (sample pop super_pop), got %d", name, line, ErrBadPanel, len(f))
		}
		if _, dup := p.entries[f[0]]; dup {
			return nil, fmt.Errorf("%s:%d: %w: sample %q listed twice", name, line, ErrBadPanel, f[0])
		}
		e := PanelEntry{Pop: f[1], SuperPop: f[1]}
		if cols == 3 {
			e.SuperPop = f[2]
		}
		p.entries[f[0]] = e
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, line+1, err)
	}
	if len(p.entries) == 0 {
		return nil, fmt.Errorf("%s: %w: no samples", name, ErrBadPanel)
	}
	return p, nil
}

// NewPanel builds a panel from sample → entry pairs (for tests and callers
// that hold labels already).
func NewPanel(entries map[string]PanelEntry) *Panel {
	p := &Panel{entries: make(map[string]PanelEntry, len(entries))}
	for k, v := range entries {
		p.entries[k] = v
	}
	return p
}

// Lookup returns the labels of sample.
func (p *Panel) Lookup(sample string) (PanelEntry, bool) {
	e, ok := p.entries[sample]
	return e, ok
}

// Pop returns the population of sample, or "" when it is not in the panel.
func (p *Panel) Pop(sample string) string { return p.entries[sample].Pop }

// SuperPop returns the super-population of sample, or "" when absent.
func (p *Panel) SuperPop(sample string) string { return p.entries[sample].SuperPop }

// Len returns the number of samples in the panel.
func (p *Panel) Len() int { return len(p.entries) }

// Samples returns the panel's sample IDs in sorted order.
func (p *Panel) Samples() []string {
	out := make([]string, 0, len(p.entries))
	for s := range p.entries {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
