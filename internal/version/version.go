// Package version holds gousynth's version string, written into every output
// file (VCF ##source, model files, reports) so that results can be traced to
// the code that made them.
package version

import "runtime/debug"

// Version is the release version of gousynth.
const Version = "0.1.0-dev"

// String returns Version, followed by the VCS revision when the binary was
// built from a checkout with build info.
func String() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return Version
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return Version + "+" + s.Value[:12]
		}
	}
	return Version
}
