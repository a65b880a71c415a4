package gitrepo_test

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitbook-sync/gitbook-sync/internal/gitrepo"
	"github.com/gitbook-sync/gitbook-sync/internal/testrepo"
)

func tree(t *testing.T, r *testrepo.Repo) *object.Tree {
	t.Helper()
	c, err := r.Git.CommitObject(r.Head())
	if err != nil {
		t.Fatal(err)
	}
	tr, err := c.Tree()
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

var long = strings.Repeat("a line that stays the same\n", 20)

func TestChangedFiles(t *testing.T) {
	r := testrepo.New(t).Write(map[string]string{
		"docs/keep.md":    "same\n",
		"docs/edit.md":    "old\n",
		"docs/gone.md":    "bye\n",
		"docs/moved.md":   "exactly this\n",
		"docs/similar.md": long + "old tail\n",
		"other/x.md":      "outside the prefix\n",
	})
	r.Commit("one")
	before := tree(t, r)
	r.Write(map[string]string{
		"docs/edit.md":      "new\n",
		"docs/gone.md":      "",
		"docs/moved.md":     "",
		"docs/sub/moved.md": "exactly this\n",
		"docs/similar.md":   "",
		"docs/similar-2.md": long + "new tail\n",
		"docs/new.md":       "hello\n",
		"other/x.md":        "changed outside\n",
	})
	r.Commit("two")
	after := tree(t, r)

	changes, err := gitrepo.ChangedFiles(r.Git.Storer, before, after, "docs")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range changes {
		got = append(got, fmt.Sprintf("%s -> %s", c.From, c.To))
	}
	sort.Strings(got)
	want := []string{
		" -> docs/new.md",
		"docs/edit.md -> docs/edit.md",
		"docs/gone.md -> ",
		"docs/moved.md -> docs/sub/moved.md",
		"docs/similar.md -> docs/similar-2.md",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, c := range changes {
		if (c.From != "") != (c.FromHash != "") || (c.To != "") != (c.ToHash != "") {
			t.Errorf("%+v: hashes do not match the sides", c)
		}
	}
	if none, _ := gitrepo.ChangedFiles(r.Git.Storer, after, after, ""); len(none) != 0 {
		t.Errorf("identical trees: %v", none)
	}
	if all, _ := gitrepo.ChangedFiles(r.Git.Storer, nil, after, "other"); len(all) != 1 || all[0].To != "other/x.md" {
		t.Errorf("from nothing: %+v", all)
	}
}

func TestChangedFilesFileBecomesDirectory(t *testing.T) {
	r := testrepo.New(t).Write(map[string]string{"thing": "a file\n"})
	r.Commit("one")
	g := r.Git
	before := tree(t, r)
	sig := object.Signature{Name: "x", Email: "x@example.com"}
	h, err := gitrepo.Commit(g, "main", r.Head(), []gitrepo.Change{{Path: "thing"}, {Path: "thing/page.md", Data: []byte("inside\n")}}, "two", sig)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := g.CommitObject(h)
	after, _ := c.Tree()
	changes, err := gitrepo.ChangedFiles(g.Storer, before, after, "")
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(changes)
	if len(changes) != 2 || !strings.Contains(got, "{thing  ") || !strings.Contains(got, "{ thing/page.md") {
		t.Errorf("changes = %v", got)
	}
}

func TestCommitWritesWithoutWorkTree(t *testing.T) {
	r := testrepo.New(t).Write(map[string]string{"a/b.md": "1\n", "c.md": "2\n"})
	r.Commit("one")
	bare := r.Bare()
	g, err := gitrepo.Open("file://" + bare)
	if err != nil {
		t.Fatal(err)
	}
	sig := object.Signature{Name: "x", Email: "x@example.com"}
	head := r.Head()
	if _, err := gitrepo.Commit(g, "main", head, []gitrepo.Change{{Path: "/", Data: []byte("x")}}, "root", sig); err == nil {
		t.Error("a change to the root was written")
	}
	h, err := gitrepo.Commit(g, "main", head, []gitrepo.Change{{Path: "a/b.md"}, {Path: "./d//e/f.md", Data: []byte("3\n")}}, "edit", sig)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := g.CommitObject(h)
	files, _ := gitrepo.Files(g, c)
	list, _ := files.List("")
	sort.Strings(list)
	if strings.Join(list, ",") != "c.md,d/e/f.md" {
		t.Errorf("files = %v (the emptied directory a/ must go)", list)
	}
	if data, err := files.Read("d/e/f.md"); err != nil || string(data) != "3\n" {
		t.Errorf("read = %q, %v", data, err)
	}
	if ok, _ := files.Exists("c.md"); !ok {
		t.Error("c.md should exist")
	}
	if _, err := files.Read("a/b.md"); err == nil {
		t.Error("a/b.md should be gone")
	}
}

// TestCommitRefusesAMovedBranch: a commit made on a parent the branch has
// left is refused, as a Git host refuses a push that is not a
// fast-forward, and the branch keeps the other commit.
func TestCommitRefusesAMovedBranch(t *testing.T) {
	t.Parallel()
	r := testrepo.New(t).Write(map[string]string{"a.md": "1\n"})
	first := r.Commit("one")
	g, err := gitrepo.Open("file://" + r.Bare())
	if err != nil {
		t.Fatal(err)
	}
	sig := object.Signature{Name: "x", Email: "x@example.com"}
	ours, err := gitrepo.Commit(g, "main", first, []gitrepo.Change{{Path: "ours.md", Data: []byte("ours\n")}}, "ours", sig)
	if err != nil {
		t.Fatal(err)
	}
	// A second writer that read the branch before ours moved it.
	_, err = gitrepo.Commit(g, "main", first, []gitrepo.Change{{Path: "theirs.md", Data: []byte("theirs\n")}}, "theirs", sig)
	if !errors.Is(err, gitrepo.ErrBranchMoved) || !strings.Contains(err.Error(), ours.String()) || !strings.Contains(err.Error(), first.String()) {
		t.Errorf("stale parent: %v; want ErrBranchMoved naming both commits", err)
	}
	if ref, _ := g.Reference("refs/heads/main", true); ref.Hash() != ours {
		t.Errorf("main = %s, want %s", ref.Hash(), ours)
	}
	// Creating a branch that exists is a stale parent too; a new one is made.
	if _, err := gitrepo.Commit(g, "main", plumbing.ZeroHash, nil, "again", sig); !errors.Is(err, gitrepo.ErrBranchMoved) {
		t.Errorf("create an existing branch: %v", err)
	}
	if _, err := gitrepo.Commit(g, "gone", first, nil, "x", sig); !errors.Is(err, gitrepo.ErrBranchMoved) {
		t.Errorf("a branch that does not exist: %v", err)
	}
	if _, err := g.Reference("refs/heads/gone", false); !errors.Is(err, plumbing.ErrReferenceNotFound) {
		t.Errorf("refused update left a reference behind: %v", err)
	}
	h, err := gitrepo.Commit(g, "refs/heads/topic/new", plumbing.ZeroHash, []gitrepo.Change{{Path: "n.md", Data: []byte("n\n")}}, "new", sig)
	if ref, _ := g.Reference("refs/heads/topic/new", true); err != nil || ref == nil || ref.Hash() != h {
		t.Errorf("new branch: %v, %v", ref, err)
	}
}

// TestCommitConcurrent: writers racing on one branch (each with its own
// OpenShared handle, as a Git host's pushes) each either land their
// commit in its history or are told the branch moved; none is lost.
func TestCommitConcurrent(t *testing.T) {
	t.Parallel()
	r := testrepo.New(t).Write(map[string]string{"a.md": "1\n"})
	r.Commit("one")
	bare := "file://" + r.Bare()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var landed []plumbing.Hash
	for i := range 8 {
		wg.Go(func() {
			g, err := gitrepo.OpenShared(bare)
			if err != nil {
				t.Error(err)
				return
			}
			// go-git rewrites a reference in place: a reader can find
			// it empty while another writer moves it, and then takes
			// the branch for new; creating it is refused too.
			parent := plumbing.ZeroHash
			if ref, err := g.Reference("refs/heads/main", true); err == nil {
				parent = ref.Hash()
			}
			change := []gitrepo.Change{{Path: fmt.Sprintf("f%d.md", i), Data: []byte("x\n")}}
			h, err := gitrepo.Commit(g, "main", parent, change, "m", object.Signature{Name: "x"})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				landed = append(landed, h)
			case !errors.Is(err, gitrepo.ErrBranchMoved):
				t.Error(err)
			}
		})
	}
	wg.Wait()
	g, err := gitrepo.OpenShared(bare)
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := g.Reference("refs/heads/main", true)
	head, _ := g.CommitObject(ref.Hash())
	for _, h := range landed {
		c, _ := g.CommitObject(h)
		if ok, _ := c.IsAncestor(head); !ok && h != head.Hash {
			t.Errorf("commit %s was reported written but is not on main", h)
		}
	}
	if len(landed) == 0 {
		t.Error("no writer landed")
	}
}
