package config

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gitbook-sync/gitbook-sync/content"
)

// WorkflowFile is where Init puts the GitHub Actions workflow.
const WorkflowFile = ".github/workflows/gitbook-sync.yml"

// InitOptions are the choices of `gitbook-sync init`; all are optional.
type InitOptions struct {
	Space        string // space ID, for a repository with one project and no docs.yaml
	Organization string // with Site, docs.yaml spaces get their IDs from GitBook's API
	Site         string
	Branch       string // branch the workflow syncs on push (default: main)
	Action       string // the Action to use (default: gitbook-sync/gitbook-sync@v1)
}

// InitFile is a file Init would write.
type InitFile struct {
	Path string // slash-separated, relative to the repository
	Data []byte
}

// Init returns a starting .gitbook-sync.yaml and the GitHub workflow for
// the repository at repoDir, reading what is there: docs.yaml (a site
// block: its spaces are found again on every run), else each project with
// a .gitbook.yaml, else the repository root. It writes nothing: see
// WriteInit. The configuration it returns parses (placeholders where an
// ID is needed are written as such and named in comments).
func Init(repoDir string, opts InitOptions) ([]InitFile, error) {
	var b strings.Builder
	b.WriteString("# gitbook-sync configuration; reference: `gitbook-sync config schema` and the README.\n")
	site, err := os.ReadFile(filepath.Join(repoDir, SiteFile))
	switch {
	case err == nil:
		sc, _, err := ParseSite(site, SiteFile)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", SiteFile, err)
		}
		initSite(&b, sc, opts)
	case errors.Is(err, fs.ErrNotExist):
		projects, err := gitbookProjects(repoDir)
		if err != nil {
			return nil, err
		}
		initSpaces(&b, projects, opts)
	default:
		return nil, err
	}
	return []InitFile{
		{Path: FileName, Data: []byte(b.String())},
		{Path: WorkflowFile, Data: []byte(workflow(opts))},
	}, nil
}

func initSite(b *strings.Builder, sc *SiteConfig, opts InitOptions) {
	fmt.Fprintf(b, "# The spaces come from %s, GitBook's site-wide Git Sync file: each space\n# with a content.directory is synced from that directory.\nsite:\n  config: %s\n", SiteFile, SiteFile)
	if opts.Organization != "" && opts.Site != "" {
		fmt.Fprintf(b, "  # Space IDs are looked up on the site (its spaces matched by path).\n  organization: %s\n  site: %s\n", opts.Organization, opts.Site)
	} else {
		b.WriteString("  # Space IDs: set organization and site to look them up on the site,\n  # organization: <organization ID>\n  # site: <site ID>\n  # or give them by docs.yaml key:\n  # spaces:\n")
	}
	for _, s := range sc.Spaces {
		if !s.Synced {
			continue
		}
		prefix := "  #   "
		if opts.Organization != "" && opts.Site != "" {
			prefix = "  # (or) "
		}
		fmt.Fprintf(b, "%s%s: <space ID>    # %s, %s\n", prefix, s.Key, s.Title, cmp.Or(s.Directory, "."))
	}
	b.WriteString("# Settings for one space, by its docs.yaml key:\n# spaces:\n#   - key: <key>\n#     mode: change-request\n")
}

func initSpaces(b *strings.Builder, projects []string, opts InitOptions) {
	if len(projects) == 0 {
		projects = []string{"."}
	}
	b.WriteString("spaces:\n")
	for _, p := range projects {
		id := "REPLACE-WITH-SPACE-ID"
		if opts.Space != "" && len(projects) == 1 {
			id = opts.Space
		}
		fmt.Fprintf(b, "  - space: %s    # the space ID, from the space's URL\n", id)
		if opts.Organization != "" {
			fmt.Fprintf(b, "    organization: %s\n", opts.Organization)
		}
		fmt.Fprintf(b, "    path: %s\n    mode: auto    # auto | import | change-request | export\n", p)
	}
}

// gitbookProjects returns the directories holding a .gitbook.yaml, below
// repoDir, skipping hidden and dependency folders.
func gitbookProjects(repoDir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(repoDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(repoDir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() && rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "vendor") {
			return filepath.SkipDir
		}
		if !d.IsDir() && d.Name() == content.ConfigFile {
			out = append(out, cmp.Or(path.Dir(rel), "."))
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}

func workflow(opts InitOptions) string {
	branch := cmp.Or(opts.Branch, "main")
	action := cmp.Or(opts.Action, "gitbook-sync/gitbook-sync@v1")
	return fmt.Sprintf(`name: gitbook
on:
  push:
    branches: [%s]
  pull_request:
    types: [opened, synchronize, reopened, closed]
permissions:
  contents: read
  pull-requests: write   # the sticky comment
concurrency:
  group: gitbook-${{ github.event.pull_request.number || github.ref }}
  cancel-in-progress: false
jobs:
  sync:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: %s
        with:
          gitbook-token: ${{ secrets.GITBOOK_TOKEN }}
`, branch, action)
}

// WriteInit writes the files under repoDir. It refuses to replace a file
// that exists unless force is set, and writes nothing then.
func WriteInit(repoDir string, files []InitFile, force bool) error {
	root, err := os.OpenRoot(repoDir)
	if err != nil {
		return fmt.Errorf("open %s: %w", repoDir, err)
	}
	defer root.Close()
	if !force {
		for _, f := range files {
			if _, err := root.Lstat(filepath.FromSlash(f.Path)); err == nil {
				return fmt.Errorf("%s exists; pass --force to replace it", f.Path)
			}
		}
	}
	for _, f := range files {
		if dir := path.Dir(f.Path); dir != "." {
			if err := root.MkdirAll(filepath.FromSlash(dir), 0o755); err != nil {
				return fmt.Errorf("create %s: %w", dir, err)
			}
		}
		if err := root.WriteFile(filepath.FromSlash(f.Path), f.Data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", f.Path, err)
		}
	}
	return nil
}
