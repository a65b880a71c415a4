package changerequest

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/gitbook"
)

func doc(path, title, body string, children ...*Page) *Page {
	return &Page{Kind: content.KindDocument, Path: path, Title: title, Body: body, Children: children}
}

func gbPage(id, slugPath, title, gitPath string, children ...gitbook.Page) gitbook.Page {
	p := gitbook.Page{ID: id, Type: gitbook.PageDocument, Title: title, Path: slugPath, Pages: children}
	if gitPath != "" {
		p.Git = &gitbook.GitBlob{OID: "x", Path: gitPath}
	}
	return p
}

func scopeOf(changed []string, deleted ...string) Scope {
	s := Scope{Paths: map[string]bool{}, Deleted: map[string]bool{}, Renamed: map[string]string{}, Base: map[string]string{}}
	for _, p := range changed {
		s.Paths[p] = true
	}
	for _, p := range deleted {
		s.Deleted[p] = true
	}
	return s
}

func withBase(s Scope, p, body string) Scope {
	s.Base[p] = body
	return s
}

func ops(steps []step) string {
	var out []string
	for _, s := range steps {
		if s.Change.Operation != "" {
			out = append(out, s.Change.Operation+" "+s.Summary.Path)
		}
	}
	return strings.Join(out, ", ")
}

// Each case is a repository tree against what GitBook holds: which changes
// the plan sends and which bodies it had to read.
func TestPlan(t *testing.T) {
	t.Parallel()
	const readme = "# Home\n\nWelcome.\n"
	const guide = "# Guide\n\n- one\n- two\n"
	// What GitBook stored when sent guide: its own list markers.
	const guideStored = "# Guide\n\n* one\n* two\n"
	tree := func(roots ...string) *Tree {
		return &Tree{Pages: []*Page{doc("README.md", "Home", readme), doc("guide.md", "Guide", guide)}, roots: roots}
	}
	live := func(gitRoot, guideBody string) ([]gitbook.Page, map[string]string) {
		return []gitbook.Page{
				gbPage("p1", "", "Home", content.Join(gitRoot, "README.md")),
				gbPage("p2", "guide", "Guide", content.Join(gitRoot, "guide.md")),
			},
			map[string]string{"p1": readme, "p2": guideBody}
	}
	sentGuide := record{"p2": {Sent: digest(withoutTitle(guide)), Stored: digest(guideStored)}}
	tests := []struct {
		name      string
		tree      *Tree
		gitRoot   string // where GitBook's git.path starts
		guideBody string // the guide as GitBook gives it back
		record    record
		scope     Scope
		want      string
		wantReads []string
		wantNote  string
	}{
		{name: "out of scope: nothing read, nothing sent", tree: tree(), guideBody: guide, scope: scopeOf(nil)},
		{name: "same text", tree: tree(), guideBody: guide, scope: scopeOf([]string{"guide.md"}), wantReads: []string{"p2"}},
		{name: "same but for blank space", tree: tree(), guideBody: "# Guide\r\n\n\n- one  \n- two", scope: scopeOf([]string{"guide.md"}), wantReads: []string{"p2"}},
		{name: "GitBook's normal form of what was last sent", tree: tree(), guideBody: guideStored, record: sentGuide,
			scope: scopeOf([]string{"guide.md"}), wantReads: []string{"p2"}},
		{name: "GitBook's normal form, record lost: sent again", tree: tree(), guideBody: guideStored,
			scope: scopeOf([]string{"guide.md"}), want: "update_page guide.md", wantReads: []string{"p2"}},
		{name: "edited in GitBook since it was sent", tree: tree(), guideBody: "# Guide\n\n* one\n* three\n", record: sentGuide,
			scope: scopeOf([]string{"guide.md"}), want: "update_page guide.md", wantReads: []string{"p2"}, wantNote: "also edited in GitBook"},
		{name: "git.path from the repository root", tree: tree("docs", ""), gitRoot: "docs", guideBody: guide,
			scope: scopeOf([]string{"guide.md"}), wantReads: []string{"p2"}},
		{name: "git.path from the project directory", tree: tree("docs/content", "content"), gitRoot: "content", guideBody: guide,
			scope: scopeOf([]string{"guide.md"}), wantReads: []string{"p2"}},
		{name: "deleted, git.path from the repository root", tree: &Tree{Pages: []*Page{doc("README.md", "Home", readme)}, roots: []string{"docs"}},
			gitRoot: "docs", guideBody: guide, scope: scopeOf(nil, "guide.md"), want: "delete_page guide.md"},
		{name: "moved, same text: GitBook's copy kept, not even read", tree: tree(), guideBody: guideStored,
			scope: withBase(scopeOf([]string{"guide.md"}), "guide.md", guide)},
		{name: "written before, back to the base text: read and sent", tree: tree(), guideBody: "# Guide\n\n* other\n",
			record: record{"p2": {Sent: digest("- other\n"), Stored: digest("# Guide\n\n* other\n")}},
			scope:  withBase(scopeOf([]string{"guide.md"}), "guide.md", guide), want: "update_page guide.md", wantReads: []string{"p2"}},
		{name: "front matter only: fields without a document", guideBody: guideStored,
			tree:  &Tree{Pages: []*Page{doc("README.md", "Home", readme), {Kind: content.KindDocument, Path: "guide.md", Title: "Guide", Body: guide, Meta: content.Meta{Description: "New"}}}},
			scope: withBase(scopeOf([]string{"guide.md"}), "guide.md", guide), want: "update_page guide.md"},
		{name: "new page, parent matched", gitRoot: "docs", guideBody: guide, scope: scopeOf([]string{"guide/more.md"}),
			tree: &Tree{Pages: []*Page{doc("README.md", "Home", readme), doc("guide.md", "Guide", guide, doc("guide/more.md", "More", "# More\n"))}, roots: []string{"docs"}},
			want: "insert_page guide/more.md"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pages, bodies := live(tt.gitRoot, tt.guideBody)
			v := newView(&gitbook.Revision{Pages: pages}, tt.tree, tt.record)
			v.wanted = map[string]bool{}
			plan(tt.tree, v, tt.scope)
			reads := make([]string, 0, len(v.wanted))
			for id := range v.wanted {
				reads = append(reads, id)
			}
			slices.Sort(reads)
			if !slices.Equal(reads, tt.wantReads) && len(reads)+len(tt.wantReads) > 0 {
				t.Errorf("bodies read: %v, want %v", reads, tt.wantReads)
			}
			v.wanted = nil
			for _, id := range reads {
				v.bodies[id] = bodies[id]
			}
			steps := plan(tt.tree, v, tt.scope)
			if got := ops(steps); got != tt.want {
				t.Errorf("steps: %q, want %q", got, tt.want)
			}
			for _, st := range steps {
				if st.Change.Document != nil && len(reads) == 0 && st.Change.Operation == gitbook.OpUpdatePage {
					t.Errorf("a document sent for a page never read: %+v", st.Change)
				}
			}
			if tt.wantNote != "" && (len(steps) == 0 || !strings.Contains(steps[0].Summary.Note, tt.wantNote)) {
				t.Errorf("note: %+v, want %q", steps, tt.wantNote)
			}
		})
	}
}

func TestGitRootNeedsEveryPath(t *testing.T) {
	t.Parallel()
	pages := []gitbook.Page{gbPage("a", "", "A", "docs/README.md"), gbPage("b", "b", "B", "docs/b.md")}
	if got := gitRoot(pages, []string{"docs", ""}); got != "docs" {
		t.Errorf("root %q, want docs", got)
	}
	// A project-relative tree whose pages merely include a docs/ folder.
	pages = append(pages, gbPage("c", "c", "C", "README.md"))
	if got := gitRoot(pages, []string{"docs", ""}); got != "" {
		t.Errorf("root %q, want none", got)
	}
}

func TestReorderLeavesGitBookPagesInPlace(t *testing.T) {
	t.Parallel()
	tree := &Tree{Pages: []*Page{doc("README.md", "Home", ""), doc("b.md", "B", ""), doc("a.md", "A", "")}}
	pages := []gitbook.Page{gbPage("r", "", "Home", "README.md"), gbPage("x", "x", "Made in GitBook", ""),
		gbPage("a", "a", "A", "a.md"), gbPage("b", "b", "B", "b.md")}
	v := newView(&gitbook.Revision{Pages: pages}, tree, nil)
	steps := reorder(tree, v, scopeOf([]string{"b.md"}))
	if len(steps) != 1 || steps[0].Change.Page != "b" || *steps[0].Change.At != 1 {
		t.Fatalf("moves: %+v", steps)
	}
}

func TestSubjectCarriesTheKey(t *testing.T) {
	t.Parallel()
	link := "https://github.com/acme/docs/pull/7"
	for _, title := range []string{"", "Rework the guide", strings.Repeat("é", 150), "two\nlines"} {
		s := subjectFor(title, link)
		if n := len([]rune(s)); n > maxSubject {
			t.Errorf("%q: %d characters", s, n)
		}
		if keyOf(s) != Key(link) || strings.Contains(s, "\n") {
			t.Errorf("%q: key %q, want %q", s, keyOf(s), Key(link))
		}
	}
	if Key(link) == Key(link+"8") {
		t.Error("two pull requests share a key")
	}
	tr := tracked(&gitbook.ChangeRequest{Subject: "Edited by a person " + subjectFor("x", link)[2:]})
	if !tr.For(link) || tr.For("https://github.com/acme/docs/pull/8") {
		t.Errorf("tracked %+v", tr)
	}
	linked := tracked(&gitbook.ChangeRequest{Subject: "no key", Links: []gitbook.ChangeRequestLink{gitbook.NewLink(link, "")}})
	if !linked.For(link) {
		t.Errorf("a change request linked by an earlier version is not found: %+v", linked)
	}
}

func TestRecordRoundTripKeepsWhatPeopleWrote(t *testing.T) {
	t.Parallel()
	person := gitbook.Paragraph("Please check the screenshots.")
	old := &gitbook.Document{Object: "document", Data: map[string]json.RawMessage{"theirs": json.RawMessage(`1`)}, Nodes: []json.RawMessage{person}}
	rec := record{"p1": {Sent: digest("a"), Stored: digest("b")}}
	d := describe(old, rec, "A note.")
	if got := readRecord(&gitbook.ChangeRequest{Description: d}); len(got) != 1 || got["p1"] != rec["p1"] {
		t.Errorf("record read back: %v", got)
	}
	if len(d.Nodes) != 2 || !strings.Contains(string(d.Nodes[0]), "A note.") || string(d.Nodes[1]) != string(person) || string(d.Data["theirs"]) != "1" {
		t.Errorf("description: %+v", d)
	}
	if got := readRecord(&gitbook.ChangeRequest{Description: &gitbook.Document{Data: map[string]json.RawMessage{recordKey: json.RawMessage(`"garbage"`)}}}); len(got) != 0 {
		t.Errorf("garbage read as %v", got)
	}
}

func TestDocumentLeavesTheTitleOut(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ body, want string }{
		{"# Install\n\nStep one.\n", "Step one.\n"},
		{"\n  # Install\r\n\r\nStep one.\n", "Step one.\n"},
		{"Step one.\n\n# Later\n", "Step one.\n\n# Later\n"},
		{"## Section\n\nText\n", "## Section\n\nText\n"},
		{"    # code, not a heading\n", "    # code, not a heading\n"},
		{"#hashtag\n", "#hashtag\n"},
	} {
		if got := withoutTitle(tt.body); got != tt.want {
			t.Errorf("withoutTitle(%q) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

func TestPageLinks(t *testing.T) {
	t.Parallel()
	md := "See [setup](../setup/README.md), [this](<other page.md#top> \"mention\"), [x](https://e.com/a.md), " +
		"[abs](/pages/x.md), [up](../../out.md) and ![img](../.gitbook/assets/a.png) or [q](sib.md?x=1), [dir](../faq/), [mail](mailto:a@b.c)."
	got := pageLinks("guide/install.md", md)
	want := []string{"setup/README.md", "guide/other page.md", "guide/sib.md", "faq/README.md"}
	if !slices.Equal(got, want) {
		t.Errorf("links %q, want %q", got, want)
	}
}

// TestSameMarkdown: what no renderer distinguishes is set aside, and
// nothing more (GitBook's other rewrites are the record's business).
func TestSameMarkdown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want bool
	}{
		{"# A\n\nText.\n", "# A\r\n\r\nText.\r\n", true},
		{"Text.  \nMore.\t\n", "Text.\nMore.\n", true},
		{"A\n\n\n\nB\n", "A\n\nB", true},
		{"\n\nA\n\n", "A", true},
		{"- item\n", "* item\n", false},
		{"A\nB\n", "A\n\nB\n", false},
		{"Text.\n", "Text!\n", false},
	}
	for _, tt := range tests {
		if got := SameMarkdown(tt.a, tt.b); got != tt.want {
			t.Errorf("SameMarkdown(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
