package app

import (
	"log/slog"
	"strings"

	"github.com/gousynth/gousynth/vcf"
)

// NoteIndex logs the index written beside the VCF at path holding sites,
// and says so when it is a CSI index rather than the usual .tbi (positions
// beyond 2^29, which a .tbi cannot hold).
func NoteIndex(log *slog.Logger, path string, sites []vcf.Site) {
	if log == nil {
		log = slog.Default()
	}
	idx := vcf.IndexPathFor(path, sites)
	if strings.HasSuffix(idx, ".csi") {
		log.Info("positions beyond 2^29 (536,870,912): wrote a CSI index instead of a .tbi, which cannot hold them (tabix and bcftools read it)", "index", idx)
		return
	}
	log.Debug("wrote index", "index", idx)
}
