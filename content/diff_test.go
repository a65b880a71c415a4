package content

import (
	"fmt"
	"maps"
	"strconv"
	"strings"
	"testing"
)

func TestDiffPages(t *testing.T) {
	base := map[string]string{
		"README.md":  "# Home\n",
		"SUMMARY.md": "* [Home](README.md)\n* [Guide](guide.md)\n",
		"guide.md":   "# Guide\n\nline\n",
	}
	tests := []struct {
		name    string
		edit    map[string]string // "" deletes
		changes []FileChange
		want    string
		diags   []string
	}{
		{
			name:    "a new entry whose file is missing is a problem, never an added page",
			edit:    map[string]string{"SUMMARY.md": "* [Home](README.md)\n* [Guide](guide.md)\n* [New](new.md)\n"},
			changes: []FileChange{{From: "SUMMARY.md", To: "SUMMARY.md"}},
			diags:   []string{"error: SUMMARY.md:3:3: new.md does not exist"},
		},
		{
			name:    "an added page is titled by its heading",
			edit:    map[string]string{"SUMMARY.md": base["SUMMARY.md"] + "* [Link text](new.md)\n", "new.md": "# Real title\n\nA\nB\n"},
			changes: []FileChange{{From: "SUMMARY.md", To: "SUMMARY.md"}, {To: "new.md"}},
			want:    "added \"Real title\" new.md +4 -0",
		},
		{
			name:    "link text changed, heading unchanged: GitBook keeps the title, nothing changes",
			edit:    map[string]string{"SUMMARY.md": "* [Home](README.md)\n* [Guide renamed](guide.md)\n"},
			changes: []FileChange{{From: "SUMMARY.md", To: "SUMMARY.md"}},
		},
		{
			name:    "the heading changed: a modified page with its old title",
			edit:    map[string]string{"guide.md": "# Handbook\n\nline\n"},
			changes: []FileChange{{From: "guide.md", To: "guide.md"}},
			want:    "modified \"Handbook\" guide.md +1 -1 (title was Guide)",
		},
		{
			name:    "moved under another page",
			edit:    map[string]string{"SUMMARY.md": "* [Home](README.md)\n  * [Guide](guide.md)\n"},
			changes: []FileChange{{From: "SUMMARY.md", To: "SUMMARY.md"}},
			want:    "moved \"Guide\" guide.md +0 -0 (now under README.md)",
		},
		{
			name:    "a listed file deleted",
			edit:    map[string]string{"guide.md": ""},
			changes: []FileChange{{From: "guide.md"}},
			want:    "deleted \"Guide\" guide.md +0 -3 (its file was deleted but SUMMARY still lists it)",
			diags:   []string{"error: SUMMARY.md:2:3: guide.md does not exist"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			next := maps.Clone(base)
			for k, v := range tt.edit {
				if v == "" {
					delete(next, k)
				} else {
					next[k] = v
				}
			}
			oldF, newF := memFiles(base), memFiles(next)
			oldP, err := LoadForDiff(oldF, "")
			if err != nil {
				t.Fatal(err)
			}
			newP, err := LoadForDiff(newF, "")
			if err != nil {
				t.Fatal(err)
			}
			d, err := DiffPages(DiffInput{Old: oldP, New: newP, Changes: tt.changes, ReadOld: oldF.Read, ReadNew: newF.Read})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range d.Pages {
				s := fmt.Sprintf("%s %q %s +%d -%d", p.Op, p.Title, p.Path, p.Added, p.Removed)
				if p.Note != "" {
					s += " (" + p.Note + ")"
				}
				got = append(got, s)
			}
			if s := strings.Join(got, "\n"); s != tt.want {
				t.Errorf("pages:\n%s\nwant:\n%s", s, tt.want)
			}
			checkDiags(t, d.Diagnostics, tt.diags)
		})
	}
}

func TestCountLines(t *testing.T) {
	t.Parallel()
	lines := func(from, to int, f string) string {
		var b strings.Builder
		for i := from; i < to; i++ {
			fmt.Fprintf(&b, f+"\n", i)
		}
		return b.String()
	}
	for _, tt := range []struct {
		name, a, b   string
		added, taken int
	}{
		{"same", "a\nb\n", "a\nb\n", 0, 0},
		{"new file", "", "a\nb", 2, 0},
		{"deleted file", "a\nb\nc\n", "", 0, 3},
		{"one line changed", "a\nb\nc\n", "a\nB\nc\n", 1, 1},
		{"last line gains a newline", "a\nb", "a\nb\n", 1, 1},
		{"repeated lines only", "x\nx\nx\n", "x\ny\nx\n", 1, 1},
		{"moved block", "1\n2\n3\n4\n5\n", "4\n5\n1\n2\n3\n", 2, 2},
		{"scattered edits in a long page", lines(0, 5000, "line %d"), strings.Replace(lines(0, 5000, "line %d"), "line 2500\n", "changed\n", 1), 1, 1},
		{"reversed", lines(0, 100, "l%d"), func() string {
			var b strings.Builder
			for i := 99; i >= 0; i-- {
				fmt.Fprintf(&b, "l%d\n", i)
			}
			return b.String()
		}(), 99, 99},
	} {
		added, taken := CountLines(tt.a, tt.b)
		if added != tt.added || taken != tt.taken {
			t.Errorf("%s: +%d -%d, want +%d -%d", tt.name, added, taken, tt.added, tt.taken)
		}
	}
}

// TestCountLinesManyDistinctLines: go-diff's line mode numbered each
// distinct line as a rune and panicked past 1,114,112 of them.
func TestCountLinesManyDistinctLines(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds two pages of 1.2 million lines")
	}
	a, b := bigPages(1_200_000, 1000)
	added, taken := CountLines(a, b)
	if added != 1200 || taken != 1200 {
		t.Errorf("+%d -%d, want +1200 -1200", added, taken)
	}
}

// bigPages returns a page of n distinct lines and a copy with every
// step-th line changed.
func bigPages(n, step int) (string, string) {
	var a, b []byte
	for i := 0; i < n; i++ {
		a = append(strconv.AppendInt(append(a, "line "...), int64(i), 10), " of a large generated page\n"...)
		if i%step == 0 {
			b = append(strconv.AppendInt(append(b, "changed line "...), int64(i), 10), '\n')
		} else {
			b = append(strconv.AppendInt(append(b, "line "...), int64(i), 10), " of a large generated page\n"...)
		}
	}
	return string(a), string(b)
}

// BenchmarkCountLines measures pages up to GitBook's 100 MB file limit:
// run with -benchmem (see the README's figures).
func BenchmarkCountLines(b *testing.B) {
	for _, n := range []int{10_000, 1_200_000, 2_900_000} { // ~0.4 MB, ~43 MB, ~106 MB a page
		b.Run(fmt.Sprintf("lines=%d", n), func(b *testing.B) {
			x, y := bigPages(n, 1000)
			b.SetBytes(int64(len(x) + len(y)))
			for b.Loop() {
				CountLines(x, y)
			}
		})
	}
}

// BenchmarkParseDocument: splitting the front matter and finding the
// title read only the head of a 100 MB page.
func BenchmarkParseDocument(b *testing.B) {
	page, _ := bigPages(2_900_000, 1000)
	data := []byte("---\ndescription: a large page\n---\n\n# Large\n\n" + page)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if d, err := ParseDocument(data, "large.md", "x"); err != nil || d.Title != "Large" {
			b.Fatal(d, err)
		}
	}
}

// TestOwnTitles: parsing the front matter once for both versions of a
// page gives the titles parsing each would, wherever the two versions
// part: inside the block, on its closing line, in the blank lines after
// it, with or without line endings, CRs and invalid YAML.
func TestOwnTitles(t *testing.T) {
	t.Parallel()
	pieces := []string{"---\n", "---\r\n", "title: A\n", "title: B\n", "description: d\n", ": [\n", "---", "--- \n",
		"\n", "\r\n", "\r", "# Head\n", "# Other\n", "text\n", "x", "  # Indented\n", "---\n"}
	var docs []string
	for i := range 4000 {
		var b strings.Builder
		for k := range 1 + i%7 {
			b.WriteString(pieces[(i*7+k*k*3+i/5*k)%len(pieces)])
		}
		docs = append(docs, b.String())
	}
	docs = append(docs, "", "---\ntitle: A\n---", "---\ntitle: A\n---\n", "---\ntitle: A\n---\n\n# H\n", "---\ntitle: A\n---x\n# H\n")
	for i, n := range docs {
		// old versions that share a prefix with n, and some that do not
		for _, o := range []string{n, n + "# Late\n", n + "\r# H\n", docs[(i*31+7)%len(docs)], n[:len(n)/2], n[:len(n)/2] + "# Cut\n", "x" + n} {
			gotOld, gotNew := ownTitles([]byte(o), []byte(n))
			if wantOld, wantNew := ownTitle([]byte(o)), ownTitle([]byte(n)); gotOld != wantOld || gotNew != wantNew {
				t.Fatalf("ownTitles(%q, %q) = %q, %q; want %q, %q", o, n, gotOld, gotNew, wantOld, wantNew)
			}
		}
	}
}

// A panic while comparing a page (in a read, or in a parser) comes out of
// DiffPages on the caller's goroutine, where the run's guard makes it one
// space's failure; on a worker goroutine of its own it would end the
// process, and this test binary with it.
func TestDiffPagesPanicReachesCaller(t *testing.T) {
	t.Parallel()
	files := map[string]string{"README.md": "# Home\n", "SUMMARY.md": "* [Home](README.md)\n* [Guide](guide.md)\n", "guide.md": "# Guide\n"}
	f := memFiles(files)
	p, err := LoadForDiff(f, "")
	if err != nil {
		t.Fatal(err)
	}
	boom := func(string) ([]byte, error) { panic("boom") }
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "boom") {
			t.Errorf("recovered %v, want the read's panic", r)
		}
	}()
	_, _ = DiffPages(DiffInput{Old: p, New: p, Changes: []FileChange{{From: "guide.md", To: "guide.md"}}, ReadOld: boom, ReadNew: boom, ReadBlob: boom})
	t.Error("DiffPages returned")
}
