// Package version says which gitbook-sync is running: the release version
// set at link time, or else what the Go toolchain recorded in the binary
// (the module version for `go install …@v1.2.3`, the commit for a build
// from a checkout).
package version

import (
	"cmp"
	"runtime/debug"
)

// version is set by release builds:
//
//	-ldflags "-X github.com/gitbook-sync/gitbook-sync/internal/version.version=v1.2.3"
var version string

// Info describes one build.
type Info struct {
	// Version is a release (v1.2.3), a Go pseudo-version
	// (v0.0.0-20251121111300-0935177abcde), or "dev" when nothing is known.
	Version string
	// Revision is the commit the binary was built from, when recorded.
	Revision string
	// Dirty says the working tree had uncommitted changes.
	Dirty bool
}

// Get describes the running binary.
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	return FromBuildInfo(version, bi)
}

// FromBuildInfo combines a link-time version (may be empty) with the build
// information the Go toolchain embedded (may be nil).
func FromBuildInfo(linked string, bi *debug.BuildInfo) Info {
	info := Info{Version: linked}
	if bi != nil {
		// "(devel)" is what Go records when it knows no version: a build
		// outside version control, or with -buildvcs=false.
		if info.Version == "" && bi.Main.Version != "(devel)" {
			info.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				info.Revision = s.Value
			case "vcs.modified":
				info.Dirty = s.Value == "true"
			}
		}
	}
	info.Version = cmp.Or(info.Version, "dev")
	return info
}

// String is the version with the commit it was built from, as `version`
// prints it: "v1.2.3", "v1.2.3 (commit 0935177abcde)",
// "dev (commit 0935177abcde, dirty)".
func (i Info) String() string {
	if i.Revision == "" {
		return i.Version
	}
	s := i.Version + " (commit " + i.Revision[:min(12, len(i.Revision))]
	if i.Dirty {
		s += ", dirty"
	}
	return s + ")"
}
