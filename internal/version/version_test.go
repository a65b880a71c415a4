package version

import (
	"os"
	"regexp"
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	t.Parallel()
	const rev = "0935177abcde41a2b3c4d5e6f708192a3b4c5d6e"
	vcs := func(modified string) []debug.BuildSetting {
		return []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: rev},
			{Key: "vcs.time", Value: "2025-11-21T11:13:00Z"},
			{Key: "vcs.modified", Value: modified},
		}
	}
	main := func(v string, settings []debug.BuildSetting) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Path: "github.com/gitbook-sync/gitbook-sync", Version: v}, Settings: settings}
	}
	tests := []struct {
		name   string
		linked string
		bi     *debug.BuildInfo
		want   Info
		text   string
	}{
		{
			name:   "release build: ldflags win, the commit is added",
			linked: "v1.2.3",
			bi:     main("v1.2.3", vcs("false")),
			want:   Info{Version: "v1.2.3", Revision: rev},
			text:   "v1.2.3 (commit 0935177abcde)",
		},
		{
			name:   "ldflags and no build info",
			linked: "v1.2.3",
			want:   Info{Version: "v1.2.3"},
			text:   "v1.2.3",
		},
		{
			name: "go install …@v1.2.3: the module version, no VCS",
			bi:   main("v1.2.3", nil),
			want: Info{Version: "v1.2.3"},
			text: "v1.2.3",
		},
		{
			name: "go build in a dirty checkout (Go 1.24+ stamps a pseudo-version)",
			bi:   main("v0.0.0-20251121111300-0935177abcde+dirty", vcs("true")),
			want: Info{Version: "v0.0.0-20251121111300-0935177abcde+dirty", Revision: rev, Dirty: true},
			text: "v0.0.0-20251121111300-0935177abcde+dirty (commit 0935177abcde, dirty)",
		},
		{
			name: "(devel) with a clean checkout",
			bi:   main("(devel)", vcs("false")),
			want: Info{Version: "dev", Revision: rev},
			text: "dev (commit 0935177abcde)",
		},
		{
			name: "(devel) with a dirty checkout",
			bi:   main("(devel)", vcs("true")),
			want: Info{Version: "dev", Revision: rev, Dirty: true},
			text: "dev (commit 0935177abcde, dirty)",
		},
		{
			name: "a test binary: nothing known",
			bi:   main("", nil),
			want: Info{Version: "dev"},
			text: "dev",
		},
		{
			name: "no build info at all",
			want: Info{Version: "dev"},
			text: "dev",
		},
		{
			name: "a short revision is kept whole",
			bi:   main("(devel)", []debug.BuildSetting{{Key: "vcs.revision", Value: "4f2a"}}),
			want: Info{Version: "dev", Revision: "4f2a"},
			text: "dev (commit 4f2a)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := FromBuildInfo(tt.linked, tt.bi)
			if got != tt.want {
				t.Errorf("FromBuildInfo = %+v, want %+v", got, tt.want)
			}
			if s := got.String(); s != tt.text {
				t.Errorf("String() = %q, want %q", s, tt.text)
			}
		})
	}
}

// Release builds set the version through -X; renaming the variable or the
// package would silently turn every release into "dev".
func TestReleaseLdflagsTargetThisVariable(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../.goreleaser.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`-X (\S+)=\{\{ *\.Tag *\}\}`).FindSubmatch(data)
	if m == nil {
		t.Fatal(".goreleaser.yaml sets no version with -X …={{ .Tag }}")
	}
	if got, want := string(m[1]), "github.com/gitbook-sync/gitbook-sync/internal/version.version"; got != want {
		t.Errorf(".goreleaser.yaml sets %s, want %s", got, want)
	}
}
