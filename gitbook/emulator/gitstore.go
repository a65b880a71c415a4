package emulator

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
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

// treeFS reads a commit's tree. Symbolic links are followed as a checkout
// would, but only inside the repository: one that leaves it reads as a
// missing file, so nothing outside the repository is ever imported, and a
// link's body is never its target's name.
type treeFS struct {
	repo *git.Repository
	root *object.Tree
}

const maxLinkHops = 40

var errOutside = errors.New("symbolic link leaves the repository")

// lookup resolves a path to its entry, following links in every part.
func (t treeFS) lookup(name string) (object.TreeEntry, error) {
	parts := splitPath(name)
	hops := 0
	var dir []string
	tree := t.root
	for i := 0; i < len(parts); i++ {
		e, err := tree.FindEntry(parts[i])
		if err != nil {
			return object.TreeEntry{}, fs.ErrNotExist
		}
		if e.Mode == filemode.Symlink {
			if hops++; hops > maxLinkHops {
				return object.TreeEntry{}, fmt.Errorf("%s: too many symbolic links", name)
			}
			target, err := t.blob(e.Hash)
			if err != nil {
				return object.TreeEntry{}, err
			}
			joined := path.Join(strings.Join(dir, "/"), string(target))
			if strings.HasPrefix(string(target), "/") || joined == ".." || strings.HasPrefix(joined, "../") {
				return object.TreeEntry{}, errOutside
			}
			rest := append(splitPath(joined), parts[i+1:]...)
			parts, dir, tree, i = rest, nil, t.root, -1
			continue
		}
		if i == len(parts)-1 {
			return *e, nil
		}
		if e.Mode != filemode.Dir {
			return object.TreeEntry{}, fs.ErrNotExist
		}
		if tree, err = t.repo.TreeObject(e.Hash); err != nil {
			return object.TreeEntry{}, err
		}
		dir = append(dir, parts[i])
	}
	return object.TreeEntry{Name: "", Mode: filemode.Dir, Hash: t.root.Hash}, nil
}

func splitPath(p string) []string {
	var out []string
	for _, s := range strings.Split(path.Clean("/"+p), "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (t treeFS) blob(h plumbing.Hash) ([]byte, error) { return gitrepo.ReadBlob(t.repo.Storer, h) }

func (t treeFS) ReadFile(name string) ([]byte, error) {
	e, err := t.lookup(name)
	if errors.Is(err, errOutside) {
		return nil, fs.ErrNotExist
	}
	if err != nil {
		return nil, err
	}
	if !e.Mode.IsFile() {
		return nil, fs.ErrNotExist
	}
	return t.blob(e.Hash)
}

// List lists the files below dir; linked folders are not entered.
func (t treeFS) List(dir string) ([]string, error) {
	e, err := t.lookup(dir)
	if err != nil {
		return nil, fs.ErrNotExist
	}
	if e.Mode != filemode.Dir {
		return nil, fs.ErrNotExist
	}
	tree, err := t.repo.TreeObject(e.Hash)
	if err != nil {
		return nil, err
	}
	prefix := strings.Join(splitPath(dir), "/")
	var out []string
	err = tree.Files().ForEach(func(f *object.File) error {
		out = append(out, path.Join(prefix, f.Name))
		return nil
	})
	sort.Strings(out)
	return out, err
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
