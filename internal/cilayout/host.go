package cilayout

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Provider is the host a Host stands for.
type Provider string

// Providers.
const (
	GitHub Provider = "github"
	GitLab Provider = "gitlab"
)

// Host is a bare repository standing for a repository on GitHub or GitLab,
// with the refs the host keeps for pull (merge) requests and pipelines,
// and the pull requests themselves.
type Host struct {
	Provider      Provider
	Root          string // the directory standing for the server; repositories are Root/<owner>/<name>.git
	Repository    string // owner/name (GitHub) or group/project (GitLab)
	DefaultBranch string
	ProjectID     int // GitLab's numeric project ID
	Pulls         map[int]*Pull

	clock    time.Time
	pipeline int
	// before is each branch's tip before its last update: a push event's before.
	before map[string]string
}

// Pull is a pull request (GitHub) or merge request (GitLab).
type Pull struct {
	Number     int
	Title      string
	HeadRepo   string // where the head branch lives: the host's repository, or a fork
	HeadBranch string
	HeadSHA    string
	// Before is the head before its last update (a synchronize event's before).
	Before  string
	Base    string // base (target) branch
	BaseSHA string // the base branch's tip when the head was last updated
	// TestMerge is GitHub's test merge commit at refs/pull/N/merge, or
	// GitLab's merge ref refs/merge-requests/N/merge; "" when the pull
	// request conflicts with its base.
	TestMerge      string
	State          string // open or closed
	Merged         bool
	MergeCommitSHA string
	// Commits are the pull request's commits, base..head, oldest first.
	Commits []string
}

// Fork reports whether the pull request comes from another repository.
func (p *Pull) Fork(h *Host) bool { return p.HeadRepo != h.Repository }

// NewHost creates the host's bare repository under root.
func NewHost(root string, provider Provider, repository, defaultBranch string) (*Host, error) {
	if provider != GitHub && provider != GitLab {
		return nil, fmt.Errorf("host provider %q: want github or gitlab", provider)
	}
	if strings.Count(repository, "/") < 1 {
		return nil, fmt.Errorf("host repository %q: want owner/name", repository)
	}
	h := &Host{Provider: provider, Root: root, Repository: repository, DefaultBranch: defaultBranch, ProjectID: 42,
		Pulls: map[int]*Pull{}, clock: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), pipeline: 1000, before: map[string]string{}}
	if err := h.initBare(h.Dir()); err != nil {
		return nil, err
	}
	return h, nil
}

func (h *Host) initBare(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// No template: the host and the writer need no sample hooks, and
	// copying them is most of git init's cost.
	if _, err := git(dir, gitEnv(), "init", "--quiet", "--template=", "--bare", "--initial-branch="+h.DefaultBranch); err != nil {
		return err
	}
	// Hosts answer at owner/name and owner/name.git alike; actions/checkout
	// uses the former. git finds a local name.git by itself, go-git does
	// not: a link makes both spellings a repository for every client.
	return os.Symlink(filepath.Base(dir), strings.TrimSuffix(dir, ".git"))
}

// Dir is the bare repository.
func (h *Host) Dir() string { return h.repoDir(h.Repository) }

func (h *Host) repoDir(repository string) string {
	return filepath.Join(h.Root, filepath.FromSlash(repository)+".git")
}

// ServerURL stands for https://github.com or the GitLab instance: a file://
// URL, the only kind of URL the GitBook emulator can read a repository from.
func (h *Host) ServerURL() string { return "file://" + filepath.ToSlash(h.Root) }

// ProjectURL is the repository's web address (GitLab's CI_PROJECT_URL).
func (h *Host) ProjectURL() string { return h.ServerURL() + "/" + h.Repository }

// URL is the repository's clone URL.
func (h *Host) URL() string { return h.ProjectURL() + ".git" }

// Git runs git in the host's bare repository.
func (h *Host) Git(args ...string) (string, error) { return git(h.Dir(), gitEnv(), args...) }

// Tip is a branch's commit, "" when the branch does not exist.
func (h *Host) Tip(branch string) string {
	out, err := h.Git("rev-parse", "--verify", "--quiet", "refs/heads/"+branch+"^{commit}")
	if err != nil {
		return ""
	}
	return out
}

func (h *Host) tick() time.Time {
	h.clock = h.clock.Add(time.Minute)
	return h.clock
}

// Init makes dev, a directory of files, the developer's clone: its files
// become the first commit on the default branch, pushed to the host.
func (h *Host) Init(dev string) (string, error) {
	if _, err := git(dev, gitEnv(), "init", "--quiet", "--template=", "--initial-branch="+h.DefaultBranch); err != nil {
		return "", err
	}
	if _, err := git(dev, gitEnv(), "remote", "add", "origin", h.URL()); err != nil {
		return "", err
	}
	return h.Push(dev, "Initial docs")
}

// Switch checks out branch in the developer's clone, creating it from the
// current commit when it does not exist. Uncommitted edits come along.
func (h *Host) Switch(dev, branch string) error {
	if _, err := git(dev, gitEnv(), "rev-parse", "--verify", "--quiet", "refs/heads/"+branch); err == nil {
		_, err := git(dev, gitEnv(), "checkout", "--quiet", branch)
		return err
	}
	_, err := git(dev, gitEnv(), "checkout", "--quiet", "-b", branch)
	return err
}

// Push commits everything in the developer's clone on its current branch
// and pushes it, then updates what the host derives from the branch: the
// head of pull requests from it (a fork's branch goes to the fork) and the
// test merges of open pull requests.
func (h *Host) Push(dev, message string) (string, error) {
	branch, err := git(dev, gitEnv(), "symbolic-ref", "--short", "HEAD")
	if err != nil {
		return "", err
	}
	env := commitEnv(Developer, Developer, h.tick())
	if _, err := git(dev, env, "add", "--all"); err != nil {
		return "", err
	}
	if _, err := git(dev, env, "commit", "--quiet", "--message", message); err != nil {
		return "", err
	}
	sha, err := git(dev, env, "rev-parse", "HEAD")
	if err != nil {
		return "", err
	}
	target := h.URL()
	for _, p := range h.sortedPulls() {
		if p.State == "open" && p.HeadBranch == branch && p.Fork(h) {
			target = "file://" + filepath.ToSlash(h.repoDir(p.HeadRepo))
		}
	}
	h.before[branch] = h.tipIn(target, branch)
	if _, err := git(dev, env, "push", "--quiet", target, "HEAD:refs/heads/"+branch); err != nil {
		return "", err
	}
	return sha, h.refresh()
}

func (h *Host) tipIn(url, branch string) string {
	out, err := git(h.Root, gitEnv(), "ls-remote", url, "refs/heads/"+branch)
	if err != nil {
		return ""
	}
	sha, _, _ := strings.Cut(out, "\t")
	return sha
}

// Before is a branch's tip before its last push: a push event's "before",
// all zeros for a new branch.
func (h *Host) Before(branch string) string {
	return cmpOr(h.before[branch], zeroSHA)
}

const zeroSHA = "0000000000000000000000000000000000000000"

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (h *Host) sortedPulls() []*Pull {
	var out []*Pull
	for _, n := range slices.Sorted(maps.Keys(h.Pulls)) {
		out = append(out, h.Pulls[n])
	}
	return out
}

// OpenPull opens pull (merge) request n from branch into the default
// branch, as the host does: the head ref, and on GitHub the test merge.
func (h *Host) OpenPull(n int, branch, title string) (*Pull, error) {
	return h.openPull(n, h.Repository, branch, title)
}

// OpenForkPull opens pull request n from branch of fork (owner/name). The
// branch, pushed to the host by the developer, moves to the fork, and the
// host copies its commits to refs/pull/N/head as GitHub does.
func (h *Host) OpenForkPull(n int, fork, branch, title string) (*Pull, error) {
	if h.Provider != GitHub {
		return nil, errors.New("fork pull requests are laid out for GitHub only")
	}
	dir := h.repoDir(fork)
	if _, err := os.Stat(dir); err != nil {
		if err := h.initBare(dir); err != nil {
			return nil, err
		}
	}
	if _, err := h.Git("push", "--quiet", dir, "refs/heads/"+branch+":refs/heads/"+branch); err != nil {
		return nil, err
	}
	if _, err := h.Git("update-ref", "-d", "refs/heads/"+branch); err != nil {
		return nil, err
	}
	return h.openPull(n, fork, branch, title)
}

func (h *Host) openPull(n int, repo, branch, title string) (*Pull, error) {
	if p := h.Pulls[n]; p != nil {
		return nil, fmt.Errorf("pull request %d is already open from %s", n, p.HeadBranch)
	}
	p := &Pull{Number: n, Title: title, HeadRepo: repo, HeadBranch: branch, Base: h.DefaultBranch, State: "open"}
	h.Pulls[n] = p
	return p, h.refresh()
}

// refresh brings every open pull request up to date with its branches, as
// the host does after a push: head ref, commits, base tip and test merge.
func (h *Host) refresh() error {
	for _, p := range h.sortedPulls() {
		if p.State != "open" {
			continue
		}
		head := h.tipIn("file://"+filepath.ToSlash(h.repoDir(p.HeadRepo)), p.HeadBranch)
		if head == "" {
			return fmt.Errorf("pull request %d: branch %s of %s does not exist", p.Number, p.HeadBranch, p.HeadRepo)
		}
		if p.Fork(h) {
			if _, err := h.Git("fetch", "--quiet", h.repoDir(p.HeadRepo), "+refs/heads/"+p.HeadBranch+":"+h.headRef(p.Number)); err != nil {
				return err
			}
		} else if _, err := h.Git("update-ref", h.headRef(p.Number), head); err != nil {
			return err
		}
		base := h.Tip(p.Base)
		if head == p.HeadSHA && base == p.BaseSHA {
			continue
		}
		if head != p.HeadSHA {
			p.Before, p.HeadSHA = p.HeadSHA, head
		}
		p.BaseSHA = base
		list, err := h.Git("rev-list", "--reverse", base+".."+head)
		if err != nil {
			return err
		}
		p.Commits = strings.Fields(list)
		if h.Provider == GitHub {
			if err := h.testMerge(p); err != nil {
				return err
			}
		}
	}
	return nil
}

func (h *Host) headRef(n int) string {
	if h.Provider == GitLab {
		return fmt.Sprintf("refs/merge-requests/%d/head", n)
	}
	return fmt.Sprintf("refs/pull/%d/head", n)
}

func (h *Host) mergeRef(n int) string {
	if h.Provider == GitLab {
		return fmt.Sprintf("refs/merge-requests/%d/merge", n)
	}
	return fmt.Sprintf("refs/pull/%d/merge", n)
}

// mergeTree is the tree of base and head merged, or ok false on a conflict.
func (h *Host) mergeTree(base, head string) (tree string, ok bool, err error) {
	out, err := h.Git("merge-tree", "--write-tree", "--no-messages", base, head)
	if err != nil {
		if strings.Contains(err.Error(), "exit status 1") {
			return "", false, nil
		}
		return "", false, err
	}
	tree, _, _ = strings.Cut(out, "\n")
	return tree, true, nil
}

// testMerge makes GitHub's test merge commit of the head into the base at
// refs/pull/N/merge; a conflicting pull request has none.
func (h *Host) testMerge(p *Pull) error {
	tree, ok, err := h.mergeTree(p.BaseSHA, p.HeadSHA)
	if err != nil {
		return err
	}
	if !ok {
		p.TestMerge = ""
		_, err := h.Git("update-ref", "-d", h.mergeRef(p.Number))
		return err
	}
	msg := fmt.Sprintf("Merge %s into %s", p.HeadSHA, p.BaseSHA)
	sha, err := git(h.Dir(), commitEnv(GitHubIdentity, GitHubIdentity, h.tick()), "commit-tree", tree, "-p", p.BaseSHA, "-p", p.HeadSHA, "-m", msg)
	if err != nil {
		return err
	}
	p.TestMerge = sha
	_, err = h.Git("update-ref", h.mergeRef(p.Number), sha)
	return err
}

// MergedResult makes GitLab's merge ref, refs/merge-requests/N/merge: the
// merge commit a merged results pipeline runs on.
func (h *Host) MergedResult(n int) (string, error) {
	p, err := h.open(n)
	if err != nil {
		return "", err
	}
	tree, ok, err := h.mergeTree(p.BaseSHA, p.HeadSHA)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("merge request !%d conflicts with %s: GitLab runs no merged results pipeline", n, p.Base)
	}
	sha, err := git(h.Dir(), commitEnv(Developer, Developer, h.tick()), "commit-tree", tree, "-p", p.BaseSHA, "-p", p.HeadSHA, "-m", h.mergeMessage(p))
	if err != nil {
		return "", err
	}
	p.TestMerge = sha
	_, err = h.Git("update-ref", h.mergeRef(n), sha)
	return sha, err
}

func (h *Host) open(n int) (*Pull, error) {
	p := h.Pulls[n]
	switch {
	case p == nil:
		return nil, fmt.Errorf("no pull request %d", n)
	case p.State != "open":
		return nil, fmt.Errorf("pull request %d is %s", n, p.State)
	}
	return p, nil
}

func (h *Host) mergeMessage(p *Pull) string {
	if h.Provider == GitLab {
		return fmt.Sprintf("Merge branch '%s' into '%s'\n\n%s\n\nSee merge request %s!%d", p.HeadBranch, p.Base, p.Title, h.Repository, p.Number)
	}
	owner, _, _ := strings.Cut(p.HeadRepo, "/")
	return fmt.Sprintf("Merge pull request #%d from %s/%s\n\n%s", p.Number, owner, p.HeadBranch, p.Title)
}

// Merge methods.
const (
	MergeCommit = "merge"
	Squash      = "squash"
)

// MergePull merges pull request n as the host's merge button does: a merge
// commit (or one squashed commit) on the base branch, committed by the host.
func (h *Host) MergePull(n int, method string) (string, error) {
	p, err := h.open(n)
	if err != nil {
		return "", err
	}
	base := h.Tip(p.Base)
	tree, ok, err := h.mergeTree(base, p.HeadSHA)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("pull request %d conflicts with %s and cannot be merged", n, p.Base)
	}
	committer := GitHubIdentity
	if h.Provider == GitLab {
		committer = Developer
	}
	env := commitEnv(Developer, committer, h.tick())
	var sha string
	switch method {
	case MergeCommit, "":
		sha, err = git(h.Dir(), env, "commit-tree", tree, "-p", base, "-p", p.HeadSHA, "-m", h.mergeMessage(p))
	case Squash:
		sha, err = git(h.Dir(), env, "commit-tree", tree, "-p", base, "-m", fmt.Sprintf("%s (#%d)", p.Title, n))
	default:
		return "", fmt.Errorf("merge method %q: want %s or %s", method, MergeCommit, Squash)
	}
	if err != nil {
		return "", err
	}
	if _, err := h.Git("update-ref", "refs/heads/"+p.Base, sha, base); err != nil {
		return "", err
	}
	h.before[p.Base] = base
	p.State, p.Merged, p.MergeCommitSHA = "closed", true, sha
	return sha, h.refresh()
}

// ClosePull closes pull request n without merging it.
func (h *Host) ClosePull(n int) error {
	p, err := h.open(n)
	if err != nil {
		return err
	}
	p.State = "closed"
	return nil
}

// OpenFrom lists the open pull requests whose head is branch of the host's
// repository.
func (h *Host) OpenFrom(branch string) []*Pull {
	var out []*Pull
	for _, p := range h.sortedPulls() {
		if p.State == "open" && p.HeadBranch == branch && !p.Fork(h) {
			out = append(out, p)
		}
	}
	return out
}

// newPipelineRef creates GitLab's persistent pipeline ref at sha.
func (h *Host) newPipelineRef(sha string) (int, error) {
	h.pipeline++
	_, err := h.Git("update-ref", fmt.Sprintf("refs/pipelines/%d", h.pipeline), sha)
	return h.pipeline, err
}
