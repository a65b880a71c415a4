package emulator_test

import (
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator"
	"github.com/gitbook-sync/gitbook-sync/internal/testcorpus"
)

// corpusRepo commits a corpus repository into a new bare repository in
// the test's temporary folder (the corpus itself is only read), as one
// commit on main.
func corpusRepo(t *testing.T, src string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "corpus.git")
	r, err := git.PlainInit(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	store := func(o interface {
		Encode(plumbing.EncodedObject) error
	}) plumbing.Hash {
		obj := r.Storer.NewEncodedObject()
		if err := o.Encode(obj); err != nil {
			t.Fatal(err)
		}
		h, err := r.Storer.SetEncodedObject(obj)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	var tree func(p string) plumbing.Hash
	tree = func(p string) plumbing.Hash {
		entries, err := os.ReadDir(p)
		if err != nil {
			t.Fatal(err)
		}
		var tr object.Tree
		for _, e := range entries {
			full := filepath.Join(p, e.Name())
			if e.IsDir() {
				tr.Entries = append(tr.Entries, object.TreeEntry{Name: e.Name(), Mode: filemode.Dir, Hash: tree(full)})
				continue
			}
			data, err := os.ReadFile(full)
			if err != nil {
				t.Fatal(err)
			}
			obj := r.Storer.NewEncodedObject()
			obj.SetType(plumbing.BlobObject)
			w, _ := obj.Writer()
			_, _ = w.Write(data)
			_ = w.Close()
			h, err := r.Storer.SetEncodedObject(obj)
			if err != nil {
				t.Fatal(err)
			}
			tr.Entries = append(tr.Entries, object.TreeEntry{Name: e.Name(), Mode: filemode.Regular, Hash: h})
		}
		key := func(e object.TreeEntry) string {
			if e.Mode == filemode.Dir {
				return e.Name + "/"
			}
			return e.Name
		}
		sort.Slice(tr.Entries, func(i, j int) bool { return key(tr.Entries[i]) < key(tr.Entries[j]) })
		return store(&tr)
	}
	sig := object.Signature{Name: "GitBook", Email: "ghost@gitbook.com", When: time.Date(2026, 8, 21, 0, 0, 0, 0, time.UTC)}
	commit := store(&object.Commit{Author: sig, Committer: sig, Message: "corpus", TreeHash: tree(src)})
	if err := r.Storer.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName("main"), commit)); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestRoundTripGitBookDocs imports each synced space of GitBook's own docs
// (written by GitBook's Git Sync export; the spaces of its docs.yaml) and
// exports it into a new repository: every Markdown file comes back byte for
// byte: front matter, "***", group folders, SUMMARY link text, and links
// to the assets the corpus copy lacks (5 of 978 were copied) included.
func TestRoundTripGitBookDocs(t *testing.T) {
	t.Parallel()
	src := testcorpus.Path(t, "corpus/GitbookIO-public-docs")
	bare := corpusRepo(t, src)
	spaces := []string{"documentation", "developers", "changelog", "guides", "policies"}
	seed := emulator.DefaultSeed()
	seed.Organizations[0].Spaces = nil
	for _, s := range spaces {
		seed.Organizations[0].Spaces = append(seed.Organizations[0].Spaces, emulator.SpaceSeed{ID: s, Title: s})
	}
	env, c := start(t, seed, emulator.Options{})
	out := map[string]string{}
	for _, s := range spaces {
		out[s] = emptyBare(t)
		if err := c.Import(ctx, s, gitbook.ImportRequest{URL: bare, Ref: "refs/heads/main", RepoProjectDirectory: s}); err != nil {
			t.Fatal(err)
		}
	}
	env.Server.Wait()
	// The developers space lists a computed builtin:openapi page: its
	// answer is checked against GitBook's description too.
	if pages, err := c.Pages(ctx, "developers"); err != nil || len(pages) < 3 {
		t.Fatalf("developers pages: %d, %v", len(pages), err)
	}
	for _, s := range spaces {
		if err := c.Export(ctx, s, gitbook.ExportRequest{URL: out[s], Ref: "refs/heads/main", CommitMessage: "export", RepoProjectDirectory: s}); err != nil {
			t.Fatal(err)
		}
	}
	env.Server.Wait()
	for _, s := range spaces {
		written := commitFiles(t, out[s])
		n := 0
		_ = filepath.WalkDir(filepath.Join(src, s), func(p string, e os.DirEntry, err error) error {
			if err != nil || e.IsDir() || path.Ext(p) != ".md" || strings.Contains(p, "/.gitbook/") {
				return err
			}
			n++
			rel, _ := filepath.Rel(src, p)
			want, _ := os.ReadFile(p)
			if got, ok := written[filepath.ToSlash(rel)]; !ok {
				t.Errorf("%s: not written back", rel)
			} else if got != string(want) {
				t.Errorf("%s: written back differently", rel)
			}
			return nil
		})
		for p := range written {
			if path.Ext(p) == ".md" {
				if _, err := os.Stat(filepath.Join(src, p)); err != nil {
					t.Errorf("%s: written, but not in GitBook's repository", p)
				}
			}
		}
		t.Logf("%s: %d Markdown files written back byte for byte", s, n)
	}

	// Exported back into GitBook's repository, nothing changes at all.
	before := headCommit(t, bare).TreeHash
	for _, s := range spaces {
		if err := c.Export(ctx, s, gitbook.ExportRequest{URL: bare, Ref: "refs/heads/main", CommitMessage: "export " + s, RepoProjectDirectory: s}); err != nil {
			t.Fatal(err)
		}
		env.Server.Wait()
	}
	if after := headCommit(t, bare); after.TreeHash != before || after.Message != "export policies" {
		t.Errorf("exporting the spaces back into their repository changed its tree (%s -> %s)", before, after.TreeHash)
	}
}
