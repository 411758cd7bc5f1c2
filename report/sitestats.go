package report

import "github.com/gousynth/gousynth/metrics"

// SiteStats are per-SNP genotype summaries of one cohort
// (metrics.SiteStats, computed by metrics.SiteStatsOf).
type SiteStats = metrics.SiteStats

// SFSBins is the number of minor-allele-frequency bins of the folded site
// frequency spectrum drawn by the report (metrics.SFSBins).
const SFSBins = metrics.SFSBins
