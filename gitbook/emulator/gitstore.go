package emulator

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator/gitformat"
	"github.com/gitbook-sync/gitbook-sync/internal/gitrepo"
)

func branchRef(ref string) plumbing.ReferenceName {
	if strings.HasPrefix(ref, "refs/") {
		return plumbing.ReferenceName(ref)
	}
	return plumbing.NewBranchReferenceName(ref)
}

// resolveCommit finds what a ref ("refs/heads/main", "main", a tag, a
// hash) points at. Unlike gitrepo.ResolveCommit it never falls back to a
// remote-tracking branch: a Git host has none.
func resolveCommit(r *git.Repository, ref string) (*object.Commit, error) {
	candidates := []string{ref}
	if !strings.HasPrefix(ref, "refs/") {
		candidates = append(candidates, "refs/heads/"+ref, "refs/tags/"+ref)
	}
	for _, c := range candidates {
		if h, err := r.ResolveRevision(plumbing.Revision(c)); err == nil {
			return r.CommitObject(*h)
		}
	}
	return nil, fmt.Errorf("ref %s not found in the repository", gitformat.QuoteCut(ref))
}

// treeFS reads a commit's tree through gitrepo.TreeFiles, the client's
// reader: every name git accepts is a file (go-git's tree walker refuses
// control characters, and one such name anywhere failed the import), and
// symbolic links follow the one rule of content.ResolveLinks: followed
// while they stay inside the repository, a read through one that leaves
// it fails the import naming the file. GitBook's documentation says
// nothing of links, and their behaviour there is not known; this is the
// client's rule, so the emulator cannot pass what the client refuses.
type treeFS struct {
	read func(name string) ([]byte, error)
	list func(dir string) ([]string, error)
}

func newTreeFS(repo *git.Repository, tree *object.Tree) treeFS {
	f := gitrepo.TreeFiles(repo.Storer, tree)
	return treeFS{f.Read, f.List}
}

func (t treeFS) ReadFile(name string) ([]byte, error) { return t.read(name) }

func (t treeFS) List(dir string) ([]string, error) {
	list, err := t.list(dir)
	slices.Sort(list)
	return list, err
}

// commitExport writes the changes as a commit of GitBook's bot on parent,
// without a work tree, and moves branch to it if it is still at parent.
func commitExport(r *git.Repository, branch plumbing.ReferenceName, parent plumbing.Hash, changes []gitformat.Change, message string, when time.Time) (plumbing.Hash, error) {
	list := make([]gitrepo.Change, len(changes))
	for i, c := range changes {
		list[i] = gitrepo.Change(c)
	}
	bot := object.Signature{Name: "gitbook-bot", Email: "ghost@gitbook.com", When: when}
	return gitrepo.Commit(r, branch.String(), parent, list, message, bot)
}

// refuseCheckedOutBranch fails as a Git server does when asked to update
// the branch checked out in a work tree.
func refuseCheckedOutBranch(r *git.Repository, branch plumbing.ReferenceName) error {
	if _, err := r.Worktree(); errors.Is(err, git.ErrIsBareRepository) {
		return nil
	}
	head, err := r.Storer.Reference(plumbing.HEAD)
	if err == nil && head.Type() == plumbing.SymbolicReference && head.Target() == branch {
		return fmt.Errorf("refusing to update checked out branch %s of a non-bare repository; export to a bare repository (as on a Git host)", branch)
	}
	return nil
}
