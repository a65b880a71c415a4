package gitrepo_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/gitbook-sync/gitbook-sync/internal/gitrepo"
)

// git runs the git CLI in dir, as CI runners do, and returns its output.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir, "GIT_AUTHOR_NAME=A", "GIT_AUTHOR_EMAIL=a@example.com",
		"GIT_COMMITTER_NAME=A", "GIT_COMMITTER_EMAIL=a@example.com", "GIT_AUTHOR_DATE=2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2026-01-01T00:00:00Z")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// host makes a bare repository standing for the Git host, with n commits
// on main, and returns its path and the commits, oldest first.
func host(t *testing.T, n int) (string, []string) {
	t.Helper()
	root := t.TempDir()
	bare, work := filepath.Join(root, "host.git"), filepath.Join(root, "work")
	git(t, root, "init", "-q", "--bare", "-b", "main", bare)
	git(t, root, "init", "-q", "-b", "main", work)
	var commits []string
	for i := range n {
		if err := os.WriteFile(filepath.Join(work, "page.md"), []byte(strings.Repeat("line\n", i+1)), 0o644); err != nil {
			t.Fatal(err)
		}
		git(t, work, "add", "-A")
		git(t, work, "commit", "-q", "-m", "commit")
		commits = append(commits, git(t, work, "rev-parse", "HEAD"))
	}
	git(t, work, "push", "-q", bare, "main")
	return bare, commits
}

func TestFetchDeepensAShallowCheckout(t *testing.T) {
	t.Parallel()
	bare, commits := host(t, 5)
	tip := commits[len(commits)-1]
	// actions/checkout@v4 on a push, fetch-depth 1.
	dir := filepath.Join(t.TempDir(), "ci")
	git(t, filepath.Dir(dir), "init", "-q", dir)
	git(t, dir, "remote", "add", "origin", bare)
	git(t, dir, "-c", "protocol.version=2", "fetch", "-q", "--no-tags", "--prune", "--depth=1", "origin", "+"+tip+":refs/remotes/origin/main")
	git(t, dir, "checkout", "-q", "--force", "-B", "main", "refs/remotes/origin/main")

	r, err := gitrepo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !gitrepo.Shallow(r) {
		t.Fatal("a depth-1 checkout is shallow")
	}
	if _, err := r.CommitObject(plumbing.NewHash(commits[0])); err == nil {
		t.Fatal("the first commit is there before fetching")
	}
	if err := gitrepo.Fetch(context.Background(), r, "origin", nil, gitrepo.FullDepth, "+refs/heads/main:refs/remotes/origin/main"); err != nil {
		t.Fatal(err)
	}
	if gitrepo.Shallow(r) {
		t.Error("still shallow after fetching the whole history")
	}
	if _, err := r.CommitObject(plumbing.NewHash(commits[0])); err != nil {
		t.Errorf("the first commit is missing: %v", err)
	}
	// git agrees: the shallow file was pruned as git would.
	if got := git(t, dir, "rev-parse", "--is-shallow-repository"); got != "false" {
		t.Errorf("git says shallow: %s", got)
	}
	if got := gitrepo.BranchAt(r, plumbing.NewHash(tip)); got != "main" {
		t.Errorf("BranchAt = %q", got)
	}
	if err := gitrepo.Fetch(context.Background(), r, "origin", nil, 0, "+refs/heads/nope:refs/remotes/origin/nope"); err == nil || !strings.Contains(err.Error(), "refs/heads/nope") {
		t.Errorf("fetching a missing ref: %v", err)
	}
}

func TestFetchByCommit(t *testing.T) {
	t.Parallel()
	bare, commits := host(t, 3)
	dir := filepath.Join(t.TempDir(), "ci")
	git(t, filepath.Dir(dir), "clone", "-q", "--depth=1", "file://"+bare, dir)
	r, err := gitrepo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := gitrepo.RemoteHEAD(r, "origin"); got != "main" {
		t.Errorf("RemoteHEAD = %q", got)
	}
	// GitHub serves any commit reachable from its refs.
	git(t, bare, "config", "uploadpack.allowReachableSHA1InWant", "true")
	if err := gitrepo.Fetch(context.Background(), r, "origin", nil, gitrepo.FullDepth, "+"+commits[0]+":refs/remotes/origin/first"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.CommitObject(plumbing.NewHash(commits[0])); err != nil {
		t.Errorf("the commit was not fetched: %v", err)
	}
}
