package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// FullDepth asks a fetch for the whole history of what it fetches.
const FullDepth = 1 << 30

// Fetch fetches refspecs from remote, to depth commits (0: as much as the
// local history needs). Being up to date already is no error. A refspec
// whose source is a commit hash asks for that commit, as actions/checkout
// does; hosts allow it for commits reachable from their refs.
func Fetch(ctx context.Context, r *git.Repository, remote string, auth transport.AuthMethod, depth int, specs ...string) error {
	refspecs := make([]config.RefSpec, len(specs))
	for i, s := range specs {
		refspecs[i] = config.RefSpec(s)
		if err := refspecs[i].Validate(); err != nil {
			return fmt.Errorf("refspec %s: %w", s, err)
		}
	}
	err := r.FetchContext(ctx, &git.FetchOptions{RemoteName: remote, RefSpecs: refspecs, Depth: depth, Auth: auth, Tags: git.NoTags})
	if errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("fetch %s from %s: %w", strings.Join(specs, " "), remote, err)
	}
	// go-git can write a ref without its objects when a shallow clone is
	// fetched into without a depth: check, so no caller trusts a ref to
	// nothing.
	for _, rs := range refspecs {
		if rs.IsWildcard() {
			continue
		}
		ref, err := r.Reference(rs.Dst(""), true)
		if err != nil {
			continue
		}
		if _, err := r.CommitObject(ref.Hash()); err != nil {
			return fmt.Errorf("fetch %s from %s: the commit %s did not arrive: %w", rs, remote, ref.Hash(), err)
		}
	}
	return PruneShallow(r)
}

// PruneShallow drops from the shallow list the commits whose parents are
// now all present, as git does when it deepens a clone (go-git only ever
// adds to the list). The list then says truly where history is cut.
func PruneShallow(r *git.Repository) error {
	shallow, err := r.Storer.Shallow()
	if err != nil || len(shallow) == 0 {
		return err
	}
	kept := slices.DeleteFunc(slices.Clone(shallow), func(h plumbing.Hash) bool {
		c, err := object.GetCommit(r.Storer, h)
		if err != nil {
			return false
		}
		for _, p := range c.ParentHashes {
			if _, err := object.GetCommit(r.Storer, p); err != nil {
				return false
			}
		}
		return true
	})
	switch {
	case len(kept) == len(shallow):
		return nil
	case len(kept) == 0:
		// git reads an empty shallow file as "shallow"; it deletes the file.
		if fs, ok := r.Storer.(*filesystem.Storage); ok {
			if err := fs.Filesystem().Remove("shallow"); err == nil || errors.Is(err, os.ErrNotExist) {
				return nil
			}
		}
	}
	return r.Storer.SetShallow(kept)
}

// Shallow reports whether history is cut anywhere in the repository.
func Shallow(r *git.Repository) bool {
	s, err := r.Storer.Shallow()
	return err == nil && len(s) > 0
}

// BranchAt names a branch whose tip is h: one of prefer when it is there
// (locally or as origin's), else any local branch, else any of origin's.
// It returns "" when no branch points at h.
func BranchAt(r *git.Repository, h plumbing.Hash, prefer ...string) string {
	var local, remote []string
	refs, err := r.References()
	if err != nil {
		return ""
	}
	_ = refs.ForEach(func(ref *plumbing.Reference) error {
		if ref.Type() != plumbing.HashReference || ref.Hash() != h {
			return nil
		}
		switch n := ref.Name(); {
		case n.IsBranch():
			local = append(local, n.Short())
		case strings.HasPrefix(n.String(), "refs/remotes/origin/") && !strings.HasSuffix(n.String(), "/HEAD"):
			remote = append(remote, strings.TrimPrefix(n.String(), "refs/remotes/origin/"))
		}
		return nil
	})
	for _, p := range prefer {
		if p != "" && (slices.Contains(local, p) || slices.Contains(remote, p)) {
			return p
		}
	}
	slices.Sort(local)
	slices.Sort(remote)
	if len(local) > 0 {
		return local[0]
	}
	if len(remote) > 0 {
		return remote[0]
	}
	return ""
}

// RemoteHEAD is the branch a remote's HEAD names (refs/remotes/origin/HEAD,
// which a clone writes), or "".
func RemoteHEAD(r *git.Repository, remote string) string {
	ref, err := r.Storer.Reference(plumbing.ReferenceName("refs/remotes/" + remote + "/HEAD"))
	if err != nil || ref.Type() != plumbing.SymbolicReference {
		return ""
	}
	return strings.TrimPrefix(ref.Target().String(), "refs/remotes/"+remote+"/")
}
