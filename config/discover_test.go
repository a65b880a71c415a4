package config

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/internal/diag"
	"github.com/gitbook-sync/gitbook-sync/internal/testcorpus"
)

// writeRepo lays files out in a temporary directory; a value starting with
// "-> " makes a symbolic link to the rest.
func writeRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, s := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(s, "-> "); ok {
			if err := os.Symlink(target, full); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const siteYAML = `$schema: https://api.gitbook.com/openapi.yaml#/components/schemas/GitSyncSiteConfig
site:
  title: Docs
  structure:
    - type: section
      key: product
      title: Product
      path: product
      default: true
      children:
        - type: space
          key: docs-en
          title: English
          path: docs
          default: true
          content:
            directory: ./docs/en
            language: en
        - type: space
          key: docs-fr
          title: Français
          path: fr
          content:
            directory: null
            language: fr
    - type: section-group
      key: more
      title: More
      children:
        - type: section
          key: api-section
          title: API
          path: api
          children:
            - type: space
              key: api
              title: API reference
              path: reference
              default: true
              content:
                directory: /api
`

func spacesOf(c *Config) string {
	var out []string
	for _, s := range c.Spaces {
		out = append(out, fmt.Sprintf("%s=%s:%s:%s", s.Name(), s.Space, s.Path, s.Mode))
	}
	return strings.Join(out, " ")
}

func TestDiscover(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		want  string // spacesOf
		err   string
	}{
		{
			name:  "docs.yaml alone: its synced spaces, no IDs (enough for plan --offline)",
			files: map[string]string{"docs.yaml": siteYAML},
			want:  "docs-en=:docs/en:auto api=:api:auto",
		},
		{
			name: "IDs by key, settings by key, an entry outside the site kept",
			files: map[string]string{"docs.yaml": siteYAML, FileName: "site:\n  spaces:\n    docs-en: S1\n    api: S2\n" +
				"spaces:\n  - key: api\n    mode: change-request\n  - space: S9\n    path: other\n"},
			want: "S1=S1:docs/en:auto S2=S2:api:change-request S9=S9:other:auto",
		},
		{
			name:  "an entry matching a docs.yaml directory takes its key",
			files: map[string]string{"docs.yaml": siteYAML, FileName: "spaces:\n  - space: S1\n    path: ./docs/en/\n    mode: import\n"},
			want:  "S1=S1:docs/en:import api=:api:auto",
		},
		{
			name:  "docs.yaml at site.config",
			files: map[string]string{"site/docs.yaml": siteYAML, FileName: "site:\n  config: site/docs.yaml\n"},
			want:  "docs-en=:site/docs/en:auto api=:api:auto",
		},
		{
			name:  "no docs.yaml: the spaces of .gitbook-sync.yaml",
			files: map[string]string{FileName: "spaces:\n  - space: S1\n"},
			want:  "S1=S1:.:auto",
		},
		{
			name:  "a key that is not in docs.yaml, with the key meant",
			files: map[string]string{"docs.yaml": siteYAML, FileName: "site:\n  spaces:\n    doc-en: S1\n"},
			err:   `.gitbook-sync.yaml:3:5: site.spaces.doc-en: "doc-en" is not a space of docs.yaml; did you mean docs-en?`,
		},
		{
			name:  "a space not synced from the repository",
			files: map[string]string{"docs.yaml": siteYAML, FileName: "spaces:\n  - key: docs-fr\n    mode: import\n"},
			err:   `.gitbook-sync.yaml:2:5: spaces.key: "docs-fr" has content.directory: null in docs.yaml`,
		},
		{
			name:  "site.config names a missing file",
			files: map[string]string{FileName: "site:\n  config: nowhere.yaml\n"},
			err:   ".gitbook-sync.yaml:2: site.config: nowhere.yaml does not exist in the repository",
		},
		{
			name:  "a space directory through a symbolic link out of the repository",
			files: map[string]string{"docs.yaml": siteYAML, "docs": "-> /etc"},
			err:   "docs.yaml:11:11: content.directory: docs/en: symbolic link docs → /etc leads outside the repository",
		},
		{
			name:  "a space path through a symbolic link inside the repository",
			files: map[string]string{FileName: "spaces:\n  - space: S1\n    path: docs/en\n", "outside/en/README.md": "x", "docs": "-> outside"},
			want:  "S1=S1:docs/en:auto",
		},
		{
			name:  "a space path through a symbolic link out of the repository",
			files: map[string]string{FileName: "spaces:\n  - space: S1\n    path: docs/en\n", "docs": "-> ../.."},
			err:   ".gitbook-sync.yaml:2:5: spaces.path: docs/en: symbolic link docs → ../.. leads outside the repository",
		},
		{
			name:  "an OpenAPI file that is a symbolic link out of the repository",
			files: map[string]string{FileName: "spaces:\n  - space: S1\n    openapi:\n      - spec: p\n        file: api.yaml\n", "api.yaml": "-> /etc/passwd"},
			err:   ".gitbook-sync.yaml:4: spaces.openapi.file: symbolic link api.yaml → /etc/passwd leads outside the repository",
		},
		{
			name:  "docs.yaml that is a symbolic link inside the repository",
			files: map[string]string{"docs.yaml": "-> real.yaml", "real.yaml": siteYAML},
			want:  "docs-en=:docs/en:auto api=:api:auto",
		},
		{
			name:  "docs.yaml that is a symbolic link out of the repository",
			files: map[string]string{FileName: "site:\n  config: site/docs.yaml\n", "site": "-> ../../site"},
			err:   ".gitbook-sync.yaml:2: site.config: site/docs.yaml: symbolic link site → ../../site leads outside the repository",
		},
		{
			name:  ".gitbook-sync.yaml that is a symbolic link out of the repository",
			files: map[string]string{FileName: "-> /etc/gitbook-sync.yaml"},
			err:   ".gitbook-sync.yaml: symbolic link .gitbook-sync.yaml → /etc/gitbook-sync.yaml leads outside the repository",
		},
		{
			name:  "nothing at all",
			files: map[string]string{"README.md": "x"},
			err:   "no .gitbook-sync.yaml and no docs.yaml",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Discover(writeRepo(t, tt.files), "")
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				if strings.Contains(tt.err, ".yaml:") && len(diag.As(err)) == 0 {
					t.Errorf("%v carries no diagnostic", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := spacesOf(c); got != tt.want {
				t.Errorf("spaces %s\nwant   %s", got, tt.want)
			}
		})
	}
}

// TestDiscoverPublicDocs: GitBook's own docs repository has no
// .gitbook-sync.yaml; its docs.yaml maps 5 synced spaces and 3 translations
// with content.directory: null.
func TestDiscoverPublicDocs(t *testing.T) {
	t.Parallel()
	c, err := Discover(testcorpus.Path(t, "corpus/GitbookIO-public-docs"), "")
	if err != nil {
		t.Fatal(err)
	}
	want := "space-1=:documentation:auto space-3=:developers:auto space-2=:changelog:auto space-7=:policies:auto space-4=:guides:auto"
	if got := spacesOf(c); got != want {
		t.Errorf("spaces %s\nwant   %s", got, want)
	}
	if len(c.Diagnostics) != 0 {
		t.Errorf("diagnostics:\n%s", c.Diagnostics)
	}
	missing := c.MissingIDs()
	if len(missing) != 5 || !strings.Contains(missing[0].String(), `docs.yaml:20:11: site.spaces.space-1: space "space-1" has no space ID: add space-1: <space ID> under site.spaces in .gitbook-sync.yaml, or set site.organization and site.site`) {
		t.Errorf("missing IDs:\n%s", missing)
	}
}

type fakeSite []gitbook.SiteSpace

func (f fakeSite) SiteSpaces(_ context.Context, org, site string) ([]gitbook.SiteSpace, error) {
	if org != "o1" || site != "site1" {
		return nil, errors.New("wrong site")
	}
	return f, nil
}

func TestResolveIDs(t *testing.T) {
	t.Parallel()
	repo := writeRepo(t, map[string]string{"docs.yaml": siteYAML, FileName: "site:\n  organization: o1\n  site: site1\n  spaces:\n    api: FIXED\n"})
	c, err := Discover(repo, "")
	if err != nil {
		t.Fatal(err)
	}
	site := fakeSite{
		{SpaceID: "WRONG", Path: "docs", SectionPath: "other"}, // same path, other section
		{SpaceID: "S-EN", Path: "docs", SectionPath: "product"},
		{SpaceID: "S-API", Path: "reference", SectionPath: "api"},
	}
	if err := c.ResolveIDs(context.Background(), site); err != nil {
		t.Fatal(err)
	}
	if got := spacesOf(c); got != "S-EN=S-EN:docs/en:auto FIXED=FIXED:api:auto" {
		t.Errorf("spaces %s", got)
	}
	if c.Spaces[0].Organization != "o1" {
		t.Errorf("organization %q", c.Spaces[0].Organization)
	}

	c, _ = Discover(repo, "")
	err = c.ResolveIDs(context.Background(), fakeSite{})
	if err == nil || !strings.Contains(err.Error(), `docs.yaml:11:11: site.spaces.docs-en: space "docs-en" has no space ID: the site has no space at path "docs"`) {
		t.Errorf("err = %v", err)
	}
}

func TestParseSite(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, in, want string }{
		{"a typo in a node type", "site:\n  structure:\n    - type: spaces\n      key: a\n", `docs.yaml:3:13: site.structure.type: "spaces" is not a node type; did you mean space?`},
		{"a reused key", "site:\n  structure:\n    - {type: space, key: a, title: A, path: a, content: {directory: a}}\n    - {type: space, key: a, title: B, path: b, content: {directory: b}}\n",
			`docs.yaml:4:26: site.structure.key: "a" is already used at line 3`},
		{"directory with ..", "site:\n  structure:\n    - {type: space, key: a, title: A, path: a, content: {directory: ../x}}\n", `docs.yaml:3:69: site.structure.content.directory: "../x": parent-directory segments (..) are rejected`},
		{"a space without content", "site:\n  structure:\n    - {type: space, key: a, title: A, path: a}\n", `docs.yaml:3:7: site.structure.content: required`},
		{"two languages for one directory", "site:\n  structure:\n    - {type: space, key: a, title: A, path: a, content: {directory: d, language: en}}\n    - {type: space, key: b, title: B, path: b, content: {directory: ./d, language: fr}}\n",
			`docs.yaml:4:7: site.structure.content.language: spaces reading d must declare the same language ("en" and "fr")`},
		{"no site", "version: 1\n", `docs.yaml:1:1: site: required`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ParseSite([]byte(tt.in), "docs.yaml")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant %s", err, tt.want)
			}
		})
	}
	// GitBook's schema grows: an unknown key is a warning.
	sc, warnings, err := ParseSite([]byte("site:\n  structure:\n    - {type: space, key: a, title: A, path: a, colour: red, content: {directory: a}}\n"), "docs.yaml")
	if err != nil || len(sc.Spaces) != 1 || len(warnings) != 1 || warnings[0].Severity != diag.Warning {
		t.Errorf("err %v, warnings %v", err, warnings)
	}
}

func TestInit(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		files map[string]string
		opts  InitOptions
		want  string // spacesOf after Discover on the result
	}{
		{name: "from docs.yaml", files: map[string]string{"docs.yaml": siteYAML}, want: "docs-en=:docs/en:auto api=:api:auto"},
		{name: "from docs.yaml with the site's IDs", files: map[string]string{"docs.yaml": siteYAML}, opts: InitOptions{Organization: "o1", Site: "site1"}, want: "docs-en=:docs/en:auto api=:api:auto"},
		{name: "from .gitbook.yaml projects", files: map[string]string{"a/.gitbook.yaml": "", "b/docs/.gitbook.yaml": "root: x\n", ".hidden/.gitbook.yaml": ""},
			want: "REPLACE-WITH-SPACE-ID=REPLACE-WITH-SPACE-ID:a:auto"},
		{name: "one project with its space", files: map[string]string{".gitbook.yaml": ""}, opts: InitOptions{Space: "S1", Organization: "o1"}, want: "S1=S1:.:auto"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			repo := writeRepo(t, tt.files)
			files, err := Init(repo, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(files) != 2 || files[0].Path != FileName || files[1].Path != WorkflowFile {
				t.Fatalf("files %v", files)
			}
			if err := WriteInit(repo, files, false); err != nil {
				t.Fatal(err)
			}
			if err := WriteInit(repo, files, false); err == nil || !strings.Contains(err.Error(), "exists; pass --force") {
				t.Errorf("second write: %v", err)
			}
			c, err := Discover(repo, "")
			if err != nil && !strings.Contains(err.Error(), "already configured") {
				t.Fatalf("the written configuration does not load: %v\n%s", err, files[0].Data)
			}
			if c != nil && !strings.HasPrefix(spacesOf(c), tt.want) {
				t.Errorf("spaces %s, want %s\n%s", spacesOf(c), tt.want, files[0].Data)
			}
			wf, err := os.ReadFile(filepath.Join(repo, WorkflowFile))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{"fetch-depth: 0", "uses: gitbook-sync/gitbook-sync@v1", "secrets.GITBOOK_TOKEN", "branches: [main]"} {
				if !strings.Contains(string(wf), s) {
					t.Errorf("workflow lacks %q", s)
				}
			}
		})
	}
}

// TestInitRefusesLinks: WriteInit goes through os.Root: a workflow folder
// that is a link out of the repository is not followed.
func TestInitRefusesLinks(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	repo := writeRepo(t, map[string]string{".github": "-> " + outside})
	err := WriteInit(repo, []InitFile{{Path: WorkflowFile, Data: []byte("x")}}, true)
	if err == nil {
		t.Fatal("wrote through a link out of the repository")
	}
	if _, statErr := os.Stat(filepath.Join(outside, "workflows")); !errors.Is(statErr, fs.ErrNotExist) {
		t.Errorf("something was written outside: %v", statErr)
	}
}
