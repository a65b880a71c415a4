package content

import (
	"errors"
	"io/fs"
	"sort"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// FileChange is a file that differs between two commits: From is "" for an
// added file, To is "" for a deleted one; both set and different is a rename.
// Paths are repository paths.
type FileChange struct {
	From, To string
	// FromHash and ToHash name the blobs, when known, so that reading them
	// needs no lookup by path.
	FromHash, ToHash string
}

// Page change kinds.
const (
	Added    = "added"
	Modified = "modified"
	Deleted  = "deleted"
	Renamed  = "renamed"
	Moved    = "moved"
)

// PageChange is one page that differs.
type PageChange struct {
	Op      string `json:"op"`
	Title   string `json:"title"`
	Path    string `json:"path"`               // content path (new side; old side for deletions)
	OldPath string `json:"old_path,omitempty"` // for renames
	Added   int    `json:"added"`              // lines
	Removed int    `json:"removed"`
	Note    string `json:"note,omitempty"`
	// Old and New are the file contents, kept only when asked for (the
	// report's per-page diffs).
	Old, New string `json:"-"`
}

// Diff is the page-level difference between two versions of a project.
type Diff struct {
	Pages []PageChange `json:"pages"`
	// NotPages lists changed Markdown files that no SUMMARY entry makes a
	// page: GitBook ignores them.
	NotPages []string `json:"not_pages,omitempty"`
}

// DiffInput is what DiffPages compares.
type DiffInput struct {
	Old, New *Project // Old is nil when nothing was synced yet
	Changes  []FileChange
	ReadOld  func(repoPath string) ([]byte, error)
	ReadNew  func(repoPath string) ([]byte, error)
	// ReadBlob, when set, reads a blob by the hashes in Changes.
	ReadBlob func(hash string) ([]byte, error)
	KeepText bool // fill PageChange.Old/New
}

type placed struct {
	page   *Page
	parent string // path of the parent page, "" at the root or in a group
}

func index(p *Project) map[string]placed {
	out := map[string]placed{}
	if p == nil {
		return out
	}
	var walk func(list []*Page, parent string)
	walk = func(list []*Page, parent string) {
		for _, pg := range list {
			next := parent
			if pg.Kind == KindDocument {
				out[pg.Path] = placed{pg, parent}
				next = pg.Path
			}
			walk(pg.Children, next)
		}
	}
	walk(p.Pages, "")
	return out
}

// DiffPages maps file changes onto pages, as GitBook's import would apply
// them, and counts changed lines.
func DiffPages(in DiffInput) (*Diff, error) {
	oldIdx, newIdx := index(in.Old), index(in.New)
	rel := func(p *Project, repoPath string) (string, bool) {
		if p == nil {
			return "", false
		}
		root := p.ContentPath("")
		if root == "" {
			return repoPath, true
		}
		r, ok := strings.CutPrefix(repoPath, root+"/")
		return r, ok
	}
	modified := map[string]bool{} // new content path
	renamedFrom := map[string]string{}
	added := map[string]bool{}
	deleted := map[string]bool{} // old content path
	oldHash, newHash := map[string]string{}, map[string]string{}
	for _, c := range in.Changes {
		from, okFrom := rel(in.Old, c.From)
		to, okTo := rel(in.New, c.To)
		if okFrom && c.FromHash != "" {
			oldHash[from] = c.FromHash
		}
		if okTo && c.ToHash != "" {
			newHash[to] = c.ToHash
		}
		switch {
		case c.From != "" && c.To != "" && c.From != c.To:
			if okTo && okFrom {
				renamedFrom[to] = from
			} else if okTo {
				added[to] = true
			} else if okFrom {
				deleted[from] = true
			}
		case c.To != "":
			if okTo {
				if c.From == "" {
					added[to] = true
				} else {
					modified[to] = true
				}
			}
		case okFrom:
			deleted[from] = true
		}
	}
	read := func(side map[string]string, byPath func(string) ([]byte, error), p *Project, path string) ([]byte, error) {
		if h, ok := side[path]; ok && in.ReadBlob != nil {
			return in.ReadBlob(h)
		}
		return readOK(byPath, p.ContentPath(path))
	}
	d := &Diff{}
	lines := func(old, new string, pc *PageChange) error {
		var a, b []byte
		var err error
		if old != "" {
			if a, err = read(oldHash, in.ReadOld, in.Old, old); err != nil {
				return err
			}
		}
		if new != "" {
			if b, err = read(newHash, in.ReadNew, in.New, new); err != nil {
				return err
			}
		}
		pc.Added, pc.Removed = CountLines(string(a), string(b))
		if in.KeepText {
			pc.Old, pc.New = string(a), string(b)
		}
		return nil
	}
	matchedOld := map[string]bool{}
	var err error
	Walk(pagesOf(in.New), func(pg, _ *Page) {
		if err != nil || pg.Kind != KindDocument {
			return
		}
		now := newIdx[pg.Path]
		if before, ok := oldIdx[pg.Path]; ok {
			matchedOld[pg.Path] = true
			pc := PageChange{Title: pg.Title, Path: pg.Path}
			switch {
			case deleted[pg.Path]:
				// The file is gone though the summary still lists it:
				// GitBook drops the page.
				pc.Op, pc.Note = Deleted, "its file was deleted but SUMMARY still lists it"
				err = lines(pg.Path, "", &pc)
				d.Pages = append(d.Pages, pc)
				return
			case modified[pg.Path]:
				pc.Op = Modified
				err = lines(pg.Path, pg.Path, &pc)
			case before.parent != now.parent:
				pc.Op = Moved
				pc.Note = "now under " + parentName(now.parent)
			case before.page.Title != pg.Title:
				pc.Op, pc.Note = Modified, "title was "+before.page.Title
			default:
				return
			}
			if before.page.Title != pg.Title && pc.Note == "" {
				pc.Note = "title was " + before.page.Title
			}
			d.Pages = append(d.Pages, pc)
			return
		}
		if from, ok := renamedFrom[pg.Path]; ok {
			if _, wasPage := oldIdx[from]; wasPage {
				matchedOld[from] = true
				pc := PageChange{Op: Renamed, Title: pg.Title, Path: pg.Path, OldPath: from}
				err = lines(from, pg.Path, &pc)
				d.Pages = append(d.Pages, pc)
				return
			}
		}
		pc := PageChange{Op: Added, Title: pg.Title, Path: pg.Path}
		err = lines("", pg.Path, &pc)
		d.Pages = append(d.Pages, pc)
	})
	if err != nil {
		return nil, err
	}
	Walk(pagesOf(in.Old), func(pg, _ *Page) {
		if err != nil || pg.Kind != KindDocument || matchedOld[pg.Path] {
			return
		}
		pc := PageChange{Op: Deleted, Title: pg.Title, Path: pg.Path}
		err = lines(pg.Path, "", &pc)
		d.Pages = append(d.Pages, pc)
	})
	if err != nil {
		return nil, err
	}
	var summary string
	if in.New != nil {
		summary = in.New.Config.Summary
	}
	for p := range added {
		if _, isPage := newIdx[p]; !isPage && strings.HasSuffix(strings.ToLower(p), ".md") && p != summary {
			d.NotPages = append(d.NotPages, p)
		}
	}
	for p := range modified {
		if _, isPage := newIdx[p]; !isPage && strings.HasSuffix(strings.ToLower(p), ".md") && p != summary {
			d.NotPages = append(d.NotPages, p)
		}
	}
	sort.Strings(d.NotPages)
	return d, nil
}

func pagesOf(p *Project) []*Page {
	if p == nil {
		return nil
	}
	return p.Pages
}

func parentName(p string) string {
	if p == "" {
		return "the root"
	}
	return p
}

func readOK(read func(string) ([]byte, error), p string) ([]byte, error) {
	data, err := read(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return data, err
}

// CountLines returns how many lines b adds to and removes from a, by a
// line-level diff.
func CountLines(a, b string) (added, removed int) {
	if a == b {
		return 0, 0
	}
	if a == "" {
		return lineCount(b), 0
	}
	if b == "" {
		return 0, lineCount(a)
	}
	dmp := diffmatchpatch.New()
	ca, cb, lines := dmp.DiffLinesToChars(a, b)
	for _, df := range dmp.DiffCharsToLines(dmp.DiffMain(ca, cb, false), lines) {
		switch df.Type {
		case diffmatchpatch.DiffInsert:
			added += lineCount(df.Text)
		case diffmatchpatch.DiffDelete:
			removed += lineCount(df.Text)
		}
	}
	return added, removed
}

func lineCount(s string) int {
	n := strings.Count(s, "\n")
	if s != "" && !strings.HasSuffix(s, "\n") {
		n++
	}
	return n
}
