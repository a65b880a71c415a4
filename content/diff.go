package content

import (
	"bytes"
	"cmp"
	"errors"
	"io/fs"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/aymanbagabas/go-udiff/lcs"
	"github.com/sourcegraph/conc"

	"github.com/gitbook-sync/gitbook-sync/internal/diag"
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
	// Diagnostics are problems found while comparing, such as a new
	// SUMMARY entry whose file does not exist (never an added page).
	Diagnostics diag.List `json:"-"`
}

// DiffInput is what DiffPages compares. DiffPages reads files on several
// goroutines at once: the read functions must allow it.
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
	if p == nil {
		return map[string]placed{}
	}
	n := 0
	Walk(p.Pages, func(*Page, *Page) { n++ })
	out := make(map[string]placed, n)
	var walk func(list []*Page, parent string)
	walk = func(list []*Page, parent string) {
		for _, pg := range list {
			next := parent
			if pg.Kind == KindDocument && pg.Path != "" {
				out[pg.Path] = placed{pg, parent}
				next = pg.Path
			}
			walk(pg.Children, next)
		}
	}
	walk(p.Pages, "")
	return out
}

// version is one side of a page: its file's bytes, and the title the
// file gives itself ("" when it gives none: the SUMMARY title then).
type version struct {
	data   []byte
	exists bool
	own    string
}

func (v version) title(fallback string) string { return cmp.Or(v.own, fallback) }

// ownTitle is DocumentTitle without a fallback; a front matter that is
// not valid YAML gives no title.
func ownTitle(data []byte) string {
	meta, body, err := SplitFrontMatter(data, "")
	if err != nil {
		return ""
	}
	return DocumentTitle(meta, body, "")
}

// ownTitles is ownTitle of both versions of a page. An edit seldom
// touches the front matter: when the old version starts with the whole
// front matter block of the new one, the block is parsed once.
func ownTitles(old, new []byte) (string, string) {
	meta, body, err := SplitFrontMatter(new, "")
	if err != nil {
		return ownTitle(old), ""
	}
	// The block and the blank lines after it: when it ends with a line
	// ending, the same bytes at the start of old end its block at the
	// same line (see SplitFrontMatter).
	block := new[:len(new)-len(body)]
	if len(block) == 0 || block[len(block)-1] != '\n' || !bytes.HasPrefix(old, block) {
		return ownTitle(old), DocumentTitle(meta, body, "")
	}
	return DocumentTitle(meta, bytes.TrimLeft(old[len(block):], "\r\n"), ""), DocumentTitle(meta, body, "")
}

// outcome is what comparing one page gives, in the order of the walk:
// a page change, a problem, or both. Comparisons that read files are
// done by do, on several goroutines.
type outcome struct {
	do      func(o *outcome) error
	page    *PageChange
	problem *diag.Diagnostic
	matched string // an old page the page was renamed from
	err     error
}

// runAll runs the outcomes' comparisons on every core. Reads of the
// same store take turns in the read functions; titles and line counts
// do not wait for each other.
func runAll(outs []outcome) error {
	var next atomic.Int64
	wg := conc.NewWaitGroup() // a panic reaches the caller's goroutine
	for range min(runtime.GOMAXPROCS(0), len(outs)) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(outs); i = int(next.Add(1)) - 1 {
				if o := &outs[i]; o.do != nil {
					o.err = o.do(o)
				}
			}
		})
	}
	wg.Wait()
	for _, o := range outs {
		if o.err != nil {
			return o.err
		}
	}
	return nil
}

// DiffPages maps file changes onto pages, as GitBook's import would apply
// them, and counts changed lines. Titles follow GitBook's rule (see
// DocumentTitle) for every page whose file is read.
func DiffPages(in DiffInput) (*Diff, error) {
	var oldIdx map[string]placed
	wg := conc.NewWaitGroup()
	wg.Go(func() { oldIdx = index(in.Old) })
	newIdx := index(in.New)
	wg.Wait()
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
	// load returns the bytes of the page at path (content path) on one side.
	load := func(old bool, p string) (version, error) {
		hashes, byPath, proj := newHash, in.ReadNew, in.New
		if old {
			hashes, byPath, proj = oldHash, in.ReadOld, in.Old
		}
		var data []byte
		var err error
		if h, ok := hashes[p]; ok && in.ReadBlob != nil {
			data, err = in.ReadBlob(h)
		} else {
			data, err = byPath(proj.ContentPath(p))
		}
		if errors.Is(err, fs.ErrNotExist) {
			return version{}, nil
		}
		if err != nil {
			return version{}, err
		}
		return version{data: data, exists: true}, nil
	}
	// read returns a version of the page at path on one side, titled.
	read := func(old bool, p string) (version, error) {
		v, err := load(old, p)
		if v.exists {
			v.own = ownTitle(v.data)
		}
		return v, err
	}
	count := func(pc *PageChange, a, b version) {
		pc.Added, pc.Removed = CountLines(string(a.data), string(b.data))
		if in.KeepText {
			pc.Old, pc.New = string(a.data), string(b.data)
		}
	}
	missing := func(pg *Page) *diag.Diagnostic {
		d := diag.Errorf(in.New.ContentPath(in.New.Config.Summary), pg.Line, pg.Col,
			"%s does not exist: create it or remove the entry", in.New.ContentPath(pg.Path))
		return &d
	}
	// finish notes a move and the title the page had (was) and keeps pc
	// when it is a change.
	finish := func(o *outcome, pc PageChange, was string, before, now placed) {
		if before.parent != now.parent {
			pc.Note = "now under " + parentName(now.parent)
			if pc.Op == "" {
				pc.Op = Moved
			}
		}
		if pc.Op == "" {
			return
		}
		if was != "" && was != pc.Title {
			pc.Note = strings.TrimPrefix(pc.Note+"; title was "+was, "; ")
		}
		o.page = &pc
	}
	matchedOld := make(map[string]bool, len(oldIdx))
	var outs []outcome
	Walk(pagesOf(in.New), func(pg, _ *Page) {
		if pg.Kind != KindDocument || pg.Path == "" {
			return
		}
		now := newIdx[pg.Path]
		before, ok := oldIdx[pg.Path]
		if !ok {
			outs = append(outs, outcome{do: func(o *outcome) error {
				b, err := read(false, pg.Path)
				if err != nil {
					return err
				}
				if !b.exists {
					o.problem = missing(pg)
					return nil
				}
				if from, ok := renamedFrom[pg.Path]; ok {
					if _, wasPage := oldIdx[from]; wasPage {
						o.matched = from
						a, err := load(true, from) // its title is not shown
						if err != nil {
							return err
						}
						pc := PageChange{Op: Renamed, Title: b.title(pg.Title), Path: pg.Path, OldPath: from}
						count(&pc, a, b)
						o.page = &pc
						return nil
					}
				}
				pc := PageChange{Op: Added, Title: b.title(pg.Title), Path: pg.Path}
				count(&pc, version{}, b)
				o.page = &pc
				return nil
			}})
			return
		}
		matchedOld[pg.Path] = true
		switch {
		case deleted[pg.Path]:
			// The file is gone though the summary still lists it:
			// GitBook drops the page.
			outs = append(outs, outcome{problem: missing(pg), do: func(o *outcome) error {
				a, err := read(true, pg.Path)
				if err != nil {
					return err
				}
				pc := PageChange{Op: Deleted, Title: a.title(before.page.Title), Path: pg.Path, Note: "its file was deleted but SUMMARY still lists it"}
				count(&pc, a, version{})
				o.page = &pc
				return nil
			}})
		case modified[pg.Path]:
			outs = append(outs, outcome{do: func(o *outcome) error {
				a, err := load(true, pg.Path)
				if err != nil {
					return err
				}
				b, err := load(false, pg.Path)
				if err != nil {
					return err
				}
				switch {
				case a.exists && b.exists:
					a.own, b.own = ownTitles(a.data, b.data)
				case a.exists:
					a.own = ownTitle(a.data)
				case b.exists:
					b.own = ownTitle(b.data)
				}
				pc := PageChange{Op: Modified, Title: b.title(pg.Title), Path: pg.Path}
				count(&pc, a, b)
				finish(o, pc, a.title(before.page.Title), before, now)
				return nil
			}})
		case before.page.Title != pg.Title:
			// Only the link text changed: the title changes only when
			// the page itself gives none.
			outs = append(outs, outcome{do: func(o *outcome) error {
				b, err := read(false, pg.Path)
				if err != nil {
					return err
				}
				// Before, the same file went with the old link text.
				was := b.title(before.page.Title)
				pc := PageChange{Title: b.title(pg.Title), Path: pg.Path}
				if was != pc.Title {
					pc.Op = Modified
				}
				finish(o, pc, was, before, now)
				return nil
			}})
		case before.parent != now.parent:
			var o outcome
			finish(&o, PageChange{Title: pg.Title, Path: pg.Path}, "", before, now)
			outs = append(outs, o)
		}
	})
	if err := runAll(outs); err != nil {
		return nil, err
	}
	for _, o := range outs {
		if o.matched != "" {
			matchedOld[o.matched] = true
		}
	}
	first := len(outs)
	Walk(pagesOf(in.Old), func(pg, _ *Page) {
		if pg.Kind != KindDocument || pg.Path == "" || matchedOld[pg.Path] {
			return
		}
		outs = append(outs, outcome{do: func(o *outcome) error {
			a, err := read(true, pg.Path)
			if err != nil {
				return err
			}
			pc := PageChange{Op: Deleted, Title: a.title(pg.Title), Path: pg.Path}
			count(&pc, a, version{})
			o.page = &pc
			return nil
		}})
	})
	if err := runAll(outs[first:]); err != nil {
		return nil, err
	}
	d := &Diff{}
	for _, o := range outs {
		if o.problem != nil {
			d.Diagnostics = append(d.Diagnostics, *o.problem)
		}
		if o.page != nil {
			d.Pages = append(d.Pages, *o.page)
		}
	}
	var summary string
	if in.New != nil {
		summary = in.New.Config.Summary
	}
	for _, set := range []map[string]bool{added, modified} {
		for p := range set {
			if _, isPage := newIdx[p]; !isPage && strings.HasSuffix(strings.ToLower(p), ".md") && p != summary {
				d.NotPages = append(d.NotPages, p)
			}
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

// CountLines returns how many lines b adds to and removes from a, by a
// line diff. Lines that occur once on each side anchor the comparison
// (patience diff, as git's --patience): the longest run of them in the
// same order is kept, and only the stretches between anchors go through
// a Myers diff (go-udiff's, whose work is bounded). That keeps pages of
// millions of lines to a fraction of a second with exact counts for
// ordinary edits; only a long stretch with no line unique to it can be
// counted too high.
func CountLines(a, b string) (added, removed int) {
	if a == b {
		return 0, 0
	}
	la, lb := splitLines(a), splitLines(b)
	// A small edit in a large page is the usual case: the common head and
	// tail need no numbering.
	head := 0
	for head < len(la) && head < len(lb) && la[head] == lb[head] {
		head++
	}
	tail := 0
	for tail < len(la)-head && tail < len(lb)-head && la[len(la)-1-tail] == lb[len(lb)-1-tail] {
		tail++
	}
	same := head + tail + matchedLines(la[head:len(la)-tail], lb[head:len(lb)-tail])
	return len(lb) - same, len(la) - same
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	l := strings.SplitAfter(s, "\n")
	if l[len(l)-1] == "" {
		l = l[:len(l)-1]
	}
	return l
}

// matchedLines returns how many lines of a and b a line diff keeps.
// Lines become numbers first, so that the work below compares and indexes
// integers; it goes through a stack of stretches rather than recursing,
// as hostile input could nest deeply.
func matchedLines(a, b []string) int {
	ids := make(map[string]rune, len(a))
	number := func(lines []string) []rune {
		out := make([]rune, len(lines))
		for i, l := range lines {
			id, ok := ids[l]
			if !ok {
				id = rune(len(ids))
				ids[l] = id
			}
			out[i] = id
		}
		return out
	}
	x0, y0 := number(a), number(b)
	u := &uniques{count: make([][2]int32, len(ids)), pos: make([][2]int32, len(ids))}
	type stretch struct{ a, b []rune }
	same := 0
	work := []stretch{{x0, y0}}
	for len(work) > 0 {
		s := work[len(work)-1]
		work = work[:len(work)-1]
		x, y := s.a, s.b
		for len(x) > 0 && len(y) > 0 && x[0] == y[0] {
			x, y, same = x[1:], y[1:], same+1
		}
		for len(x) > 0 && len(y) > 0 && x[len(x)-1] == y[len(y)-1] {
			x, y, same = x[:len(x)-1], y[:len(y)-1], same+1
		}
		if len(x) == 0 || len(y) == 0 {
			continue
		}
		anchors := u.anchors(x, y)
		if len(anchors) == 0 {
			same += len(x)
			for _, d := range lcs.DiffRunes(x, y) {
				same -= d.End - d.Start
			}
			continue
		}
		// Between anchors, a stretch empty on either side matches nothing.
		push := func(a, b []rune) {
			if len(a) > 0 && len(b) > 0 {
				work = append(work, stretch{a, b})
			}
		}
		ai, bi := int32(0), int32(0)
		for _, p := range anchors {
			push(x[ai:p[0]], y[bi:p[1]])
			ai, bi, same = p[0]+1, p[1]+1, same+1
		}
		push(x[ai:], y[bi:])
	}
	return same
}

// uniques finds anchor lines; its tables are indexed by line number and
// cleared after each use, so each stretch costs its own length only.
type uniques struct {
	count [][2]int32 // occurrences in a, in b
	pos   [][2]int32 // last position in a, in b
}

// anchors returns the pairs (i, j) with a[i] == b[j] for lines that
// occur exactly once in a and once in b, keeping the longest chain that
// is increasing on both sides.
func (u *uniques) anchors(a, b []rune) [][2]int32 {
	for i, id := range a {
		u.count[id][0]++
		u.pos[id][0] = int32(i)
	}
	for j, id := range b {
		u.count[id][1]++
		u.pos[id][1] = int32(j)
	}
	var pairs [][2]int32
	for _, id := range a {
		if u.count[id] == [2]int32{1, 1} {
			pairs = append(pairs, u.pos[id])
		}
	}
	for _, id := range a {
		u.count[id] = [2]int32{}
	}
	for _, id := range b {
		u.count[id] = [2]int32{}
	}
	// Longest increasing subsequence of the b positions (patience sort).
	var tails []int32 // index into pairs of the smallest tail of each length
	prev := make([]int32, len(pairs))
	for k, p := range pairs {
		n := sort.Search(len(tails), func(t int) bool { return pairs[tails[t]][1] >= p[1] })
		prev[k] = -1
		if n > 0 {
			prev[k] = tails[n-1]
		}
		if n == len(tails) {
			tails = append(tails, int32(k))
		} else {
			tails[n] = int32(k)
		}
	}
	if len(tails) == 0 {
		return nil
	}
	chain := make([][2]int32, len(tails))
	for k, n := tails[len(tails)-1], len(tails)-1; n >= 0; k, n = prev[k], n-1 {
		chain[n] = pairs[k]
	}
	return chain
}
