package app

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/gousynth/gousynth/vcf"
)

// TestNoteIndex: the log says when a CSI index replaces the .tbi.
func TestNoteIndex(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(slog.NewTextHandler(&b, nil))
	NoteIndex(log, "x.vcf.gz", []vcf.Site{{Chrom: "1", Pos: 1000, Ref: "A"}})
	if b.Len() != 0 {
		t.Errorf("a .tbi is logged at info level: %s", b.String())
	}
	NoteIndex(log, "x.vcf.gz", []vcf.Site{{Chrom: "1", Pos: 1000, Ref: "A"}, {Chrom: "1", Pos: 1 << 30, Ref: "A"}})
	if !strings.Contains(b.String(), "wrote a CSI index instead of a .tbi") || !strings.Contains(b.String(), "index=x.vcf.gz.csi") {
		t.Errorf("log: %s", b.String())
	}
}
