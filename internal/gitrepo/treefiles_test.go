package gitrepo_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/internal/gitrepo"
)

// commitTree commits files and symbolic links (values starting with "->")
// with the git CLI and returns content.Files over the commit.
func commitTree(t *testing.T, entries map[string]string) content.Files {
	t.Helper()
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	for name, v := range entries {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(v, "->"); ok {
			err = os.Symlink(target, p)
		} else {
			err = os.WriteFile(p, []byte(v), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "files")
	r, err := gitrepo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.CommitObject(plumbing.NewHash(git(t, dir, "rev-parse", "HEAD")))
	if err != nil {
		t.Fatal(err)
	}
	files, err := gitrepo.Files(r, c)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestTreeFilesNames(t *testing.T) {
	t.Parallel()
	// Every name git accepts: control characters, newlines, bytes that
	// are not UTF-8, spaces, quotes.
	names := []string{"docs/a\x01b.md", "docs/tab\there.md", "docs/nl\nname.md", "docs/\xff\xfe.md", "other/\x1b[31mred.md", "docs/quote\"s.md", "docs/ünï code.md"}
	entries := map[string]string{"docs/README.md": "# Home\n"}
	for _, n := range names {
		entries[n] = "body of " + n
	}
	files := commitTree(t, entries)
	for _, n := range names {
		if ok, err := files.Exists(n); !ok || err != nil {
			t.Errorf("Exists(%q) = %v, %v", n, ok, err)
		}
		if data, err := files.Read(n); err != nil || string(data) != "body of "+n {
			t.Errorf("Read(%q) = %q, %v", n, data, err)
		}
	}
	list, err := files.List("docs")
	if err != nil || len(list) != 7 || !slices.Contains(list, "docs/a\x01b.md") {
		t.Errorf("List = %q, %v", list, err)
	}
}

func TestTreeFilesSymlinks(t *testing.T) {
	t.Parallel()
	files := commitTree(t, map[string]string{
		"shared/intro.md":     "# Intro\n\nShared.\n",
		"shared/guide/use.md": "# Use\n",
		"docs/README.md":      "# Home\n",
		"docs/intro.md":       "->../shared/intro.md",
		"docs/guide":          "->../shared/guide",
		"docs/loop.md":        "->loop.md",
		"docs/passwd.md":      "->/etc/passwd",
		"docs/up.md":          "->../../outside.md",
		"docs/dangling.md":    "->nowhere.md",
		"docs/etc":            "->/etc",
	})
	// A linked page reads as its target, not as the link's path.
	if data, err := files.Read("docs/intro.md"); err != nil || string(data) != "# Intro\n\nShared.\n" {
		t.Errorf("linked page: %q, %v", data, err)
	}
	// A page under a linked folder is there.
	if ok, err := files.Exists("docs/guide/use.md"); !ok || err != nil {
		t.Errorf("page under a linked folder: %v, %v", ok, err)
	}
	if list, err := files.List("docs/guide"); err != nil || !slices.Equal(list, []string{"docs/guide/use.md"}) {
		t.Errorf("List through a link = %q, %v", list, err)
	}
	// Out of the repository: refused, naming the file.
	for _, p := range []string{"docs/passwd.md", "docs/up.md"} {
		_, err := files.Read(p)
		if !errors.Is(err, content.ErrOutside) || !strings.Contains(err.Error(), "symbolic link "+p+" → ") {
			t.Errorf("Read(%s) = %v: want ErrOutside naming the file", p, err)
		}
		if _, err := files.Exists(p); !errors.Is(err, content.ErrOutside) {
			t.Errorf("Exists(%s) = %v: want ErrOutside", p, err)
		}
	}
	if _, err := files.Read("docs/loop.md"); err == nil || !strings.Contains(err.Error(), "too many levels") {
		t.Errorf("loop: %v", err)
	}
	if _, err := files.Read("docs/dangling.md"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("dangling: %v", err)
	}
	// A folder out of the repository: a page through it is refused,
	// naming the page and the link.
	if _, err := files.Read("docs/etc/passwd"); !errors.Is(err, content.ErrOutside) || !strings.HasPrefix(err.Error(), "docs/etc/passwd: symbolic link docs/etc → /etc") {
		t.Errorf("through a folder out: %v", err)
	}
}

// TestTreeFilesListLinks: a listing shows what a checkout shows: linked
// folders inside the repository are entered (once, however they loop),
// and links out are listed by their name, to be refused when read.
func TestTreeFilesListLinks(t *testing.T) {
	t.Parallel()
	files := commitTree(t, map[string]string{
		"shared/use.md":     "# Use\n",
		"shared/back":       "->../docs",
		"docs/README.md":    "# Home\n",
		"docs/guide":        "->../shared",
		"docs/self":         "->.",
		"docs/root":         "->..",
		"docs/etc":          "->/etc",
		"docs/page.md":      "->../shared/use.md",
		"other/unlisted.md": "x",
	})
	list, err := files.List("docs")
	want := []string{"docs/README.md", "docs/etc", "docs/guide/use.md", "docs/page.md"}
	if err != nil || !slices.Equal(list, want) {
		t.Errorf("List(docs) = %q, %v\nwant %q", list, err, want)
	}
	// Pages under a linked folder read through it.
	for _, p := range list {
		if _, err := files.Read(p); err != nil && p != "docs/etc" {
			t.Errorf("Read(%s): %v", p, err)
		}
	}
}

// TestTreeFilesLinkFanOut: links that multiply (each folder linking the
// next many times) end the listing with an error, not a listing without
// end.
func TestTreeFilesLinkFanOut(t *testing.T) {
	t.Parallel()
	entries := map[string]string{"d9/x.md": "x"}
	for i := range 9 {
		for j := range 3 {
			entries[fmt.Sprintf("d%d/l%d", i, j)] = fmt.Sprintf("->../d%d", i+1)
		}
	}
	files := commitTree(t, entries)
	if _, err := files.List("d0"); err == nil || !strings.Contains(err.Error(), "symbolic links to folders") {
		t.Errorf("List = %v", err)
	}
}

// TestChangedFilesLinks: a symbolic link's blob is the name of its
// target, not a page: its change carries no hash, so the page is read by
// path, through the link.
func TestChangedFilesLinks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	if err := os.WriteFile(filepath.Join(dir, "real.md"), []byte("# Real\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "one")
	if err := os.Symlink("real.md", filepath.Join(dir, "link.md")); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "two")
	r, err := gitrepo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	tree := func(rev string) *object.Tree {
		c, err := r.CommitObject(plumbing.NewHash(git(t, dir, "rev-parse", rev)))
		if err != nil {
			t.Fatal(err)
		}
		tr, err := c.Tree()
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	changes, err := gitrepo.ChangedFiles(r.Storer, tree("HEAD~1"), tree("HEAD"), "")
	if err != nil || len(changes) != 1 || changes[0].To != "link.md" || changes[0].ToHash != "" {
		t.Errorf("changes %+v, %v", changes, err)
	}
}

// TestTakingTurns reads a packed repository from several goroutines at
// once through TakingTurns: small objects, large ones (go-git reads
// those from the pack file only when they are read) and deltas of both
// come back as git has them. Run with -race.
func TestTakingTurns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	large := strings.Repeat("a line of a large page\n", 2000) // 46 KB, past go-git's 16 KiB
	for i, edit := range []string{"", "one more line\n"} {
		for k := range 8 {
			body := fmt.Sprintf("# Page %d\n\n%s", k, strings.Repeat("text\n", 50*k)) + edit
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("p%d.md", k)), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "SUMMARY.md"), []byte(large+edit), 0o644); err != nil {
			t.Fatal(err)
		}
		git(t, dir, "add", "-A")
		git(t, dir, "commit", "-q", "-m", fmt.Sprint("commit ", i))
	}
	git(t, dir, "gc", "-q", "--aggressive") // one pack, with deltas
	r, err := gitrepo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	objs := gitrepo.TakingTurns(r.Storer, &mu)
	want := map[plumbing.Hash]string{}
	for _, line := range strings.Split(git(t, dir, "rev-list", "--objects", "--all"), "\n") {
		h, _, _ := strings.Cut(line, " ")
		if git(t, dir, "cat-file", "-t", h) == "blob" {
			want[plumbing.NewHash(h)] = git(t, dir, "cat-file", "blob", h)
		}
	}
	if len(want) != 18 {
		t.Fatalf("%d blobs, want 18", len(want))
	}
	commits := []string{git(t, dir, "rev-parse", "HEAD"), git(t, dir, "rev-parse", "HEAD~1")}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for h, body := range want {
				if data, err := gitrepo.ReadBlob(objs, h); err != nil || strings.TrimSpace(string(data)) != body {
					t.Errorf("blob %s: %d bytes, %v; want %d bytes", h, len(data), err, len(body))
				}
			}
			for _, rev := range commits {
				c, err := object.GetCommit(objs, plumbing.NewHash(rev))
				if err != nil {
					t.Error(err)
					return
				}
				tree, err := object.GetTree(objs, c.TreeHash)
				if err != nil || len(tree.Entries) != 9 || tree.Hash != c.TreeHash {
					t.Errorf("tree of %s: %v entries, %v", rev, tree, err)
				}
			}
		})
	}
	wg.Wait()
	if _, err := objs.IterEncodedObjects(plumbing.BlobObject); err == nil {
		t.Error("iterating a shared store: want an error")
	}
}
