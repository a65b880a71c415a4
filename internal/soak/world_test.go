package soak

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gitbook-sync/gitbook-sync/changerequest"
	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator/emulatortest"
	"github.com/gitbook-sync/gitbook-sync/internal/cilayout"
	"github.com/gitbook-sync/gitbook-sync/internal/fakehost"
)

// The scenario's names. The tokens carry CANARY so that a leak is easy to
// find in a failing test's log.
const (
	repository   = "acme/docs"
	spaceID      = "s7Ad9Xk2"
	orgID        = "o4Kq1Mn8"
	gitbookToken = "gb_api_CANARY_soak"
	pullNumber   = 7
)

const configFile = `spaces:
  - space: ` + spaceID + `
    organization: ` + orgID + `
    path: docs
    branch: main
    mode: auto
`

// page is one page of the docs: its file under docs/, its title (the
// SUMMARY's and the heading's), a marker that tells its version, and the
// page it is nested under in the SUMMARY.
type page struct {
	file, title, marker, parent string
}

func (p page) markdown() string {
	return fmt.Sprintf("# %s\n\nThis page holds %s.\n", p.title, p.marker)
}

// docs is a docs tree, in SUMMARY order.
type docs []page

func (d docs) with(pages ...page) docs {
	out := slices.Clone(d)
	for _, p := range pages {
		if i := slices.IndexFunc(out, func(q page) bool { return q.file == p.file }); i >= 0 {
			out[i] = p
		} else {
			out = append(out, p)
		}
	}
	return out
}

// summary is the SUMMARY.md of d: nested pages follow their parent.
func (d docs) summary() string {
	var b strings.Builder
	b.WriteString("# Table of contents\n\n")
	var write func(parent, indent string)
	write = func(parent, indent string) {
		for _, p := range d {
			if p.parent == parent {
				fmt.Fprintf(&b, "%s* [%s](%s)\n", indent, p.title, p.file)
				write(p.file, indent+"  ")
			}
		}
	}
	write("", "")
	return b.String()
}

// want is what GitBook must show for d: title -> marker.
func (d docs) want() map[string]string {
	out := map[string]string{}
	for _, p := range d {
		out[p.title] = p.marker
	}
	return out
}

// mainDocs is what main holds before the pull request.
var mainDocs = docs{
	{"README.md", "Welcome", "soak-readme-v1", ""},
	{"guide/install.md", "Install", "soak-install-v1", ""},
	{"guide/configure.md", "Configure", "soak-configure-v1", ""},
	{"reference/cli.md", "Command line", "soak-cli-v1", ""},
}

// prDocs is the pull request's first commit: one page edited, new pages,
// one nested under a new page (a second batch: it needs its parent's ID),
// and extra pages (more than a batch of 50 in the soak).
func prDocs(extra int) docs {
	d := mainDocs.with(
		page{"guide/install.md", "Install", "soak-install-v2", ""},
		page{"guide/upgrade.md", "Upgrade", "soak-upgrade-v1", ""},
		page{"guide/advanced.md", "Advanced", "soak-advanced-v1", ""},
		page{"guide/advanced/proxies.md", "Proxies", "soak-proxies-v1", "guide/advanced.md"},
		page{"guide/advanced/tuning.md", "Tuning", "soak-tuning-v1", "guide/advanced.md"},
	)
	for i := 1; i <= extra; i++ {
		d = d.with(page{fmt.Sprintf("notes/note-%03d.md", i), fmt.Sprintf("Note %d", i), fmt.Sprintf("soak-note-%d-v1", i), ""})
	}
	return d
}

// syncDocs is the pull request's second commit (synchronize).
func syncDocs(extra int) docs {
	return prDocs(extra).with(
		page{"guide/configure.md", "Configure", "soak-configure-v2", ""},
		page{"reference/api.md", "API", "soak-api-v1", ""},
	)
}

// world is one scenario: a Git host with its fake GitHub, the GitBook
// emulator, and the runs made so far.
type world struct {
	t      testing.TB
	dir    string
	host   *cilayout.Host
	dev    string
	github *fakehost.GitHub
	ghAPI  string
	emu    *emulator.Server
	oracle http.Handler // the emulator, without the tap: what tests read
	gbURL  string
	tap    *tap

	mu     sync.Mutex
	runs   int
	tokens []string
}

type worldOptions struct {
	faults emulator.Faults // the emulator's own faults, from the start
	// stateFile makes the emulator save its state there after every
	// change, for a snapshot.
	stateFile string
}

// seed is the emulator's organization: one reviewer, one space without
// Git Sync (gitbook-sync drives its imports).
func seed() emulator.Seed {
	return emulator.Seed{Token: gitbookToken, Organizations: []emulator.OrgSeed{{
		ID: orgID, Title: "Acme",
		Members: []emulator.MemberSeed{{ID: "user-1", DisplayName: "Docs Reviewer", Email: "reviewer@example.com"}},
		Spaces:  []emulator.SpaceSeed{{ID: spaceID, Title: "Docs"}},
	}}}
}

// newWorld makes main (mainDocs) on a new host and starts both fakes.
func newWorld(t testing.TB, opts worldOptions) *world {
	t.Helper()
	dir := t.TempDir()
	h, err := cilayout.NewHost(filepath.Join(dir, "server"), cilayout.GitHub, repository, "main")
	if err != nil {
		t.Fatal(err)
	}
	w := start(t, dir, h, seed(), opts)
	w.dev = filepath.Join(w.dir, "dev")
	w.write(mainDocs)
	_, err = w.host.Init(w.dev)
	w.check(err)
	return w
}

// start starts the fake GitHub and the emulator from sd, for host h.
func start(t testing.TB, dir string, h *cilayout.Host, sd emulator.Seed, opts worldOptions) *world {
	t.Helper()
	binary(t) // first, so that a build failure is reported as such
	w := &world{t: t, dir: dir, host: h, tap: &tap{}}
	w.github = fakehost.NewGitHub()
	ghSrv := httptest.NewServer(w.tap.wrap(w.github))
	w.ghAPI = ghSrv.URL + fakehost.GitHubPrefix
	t.Cleanup(func() {
		ghSrv.Close()
		if p := w.github.Problems(); len(p) > 0 {
			t.Errorf("the fake GitHub received requests GitHub would refuse:\n%s", strings.Join(p, "\n"))
		}
	})

	// emulatortest checks every request and answer against GitBook's API
	// description; the tap goes in front of its checker, so that an answer
	// the tap loses was still checked.
	env := emulatortest.Start(t, sd, emulator.Options{Faults: opts.faults, OperationDelay: 5 * time.Millisecond, StateFile: opts.stateFile})
	w.emu = env.Server
	w.oracle = env.Checker.Handler(env.Server.Handler())
	gbSrv := httptest.NewServer(w.tap.wrap(w.oracle))
	t.Cleanup(gbSrv.Close) // before emulatortest's cleanup, which waits for operations
	w.emu.SetBaseURL(gbSrv.URL)
	w.gbURL = gbSrv.URL + "/v1"
	return w
}

// snapshot is a world at one moment, to start many worlds from: the host's
// repository, its pull requests, the bot's comments and the emulator's
// saved state. Worlds started from it skip the runs that led there.
type snapshot struct {
	repo     string // a bare repository holding every ref of the host's
	pulls    []cilayout.Pull
	comments []fakehost.Comment
	state    string // the emulator's saved seed and state
	// pullURL is the pull request's address on the snapshot's host: it
	// names the host's directory, which each world has its own of.
	pullURL string
}

// snap takes w's snapshot into dir (which must outlive the worlds started
// from it). w must have been made with stateFile.
func (w *world) snap(dir, stateFile string) *snapshot {
	w.t.Helper()
	w.emu.Wait()
	state, err := os.ReadFile(stateFile)
	w.check(err)
	sn := &snapshot{repo: filepath.Join(dir, "repo.git"), state: string(state), pullURL: w.host.PullURL(pullNumber),
		comments: w.github.Comments(repository, pullNumber)}
	_, err = cilayout.Git(dir, "clone", "--quiet", "--mirror", w.host.Dir(), sn.repo)
	w.check(err)
	for _, n := range slices.Sorted(maps.Keys(w.host.Pulls)) {
		p := *w.host.Pulls[n]
		p.Commits = slices.Clone(p.Commits)
		sn.pulls = append(sn.pulls, p)
	}
	return sn
}

// restore starts a world from sn. It has no developer's clone: it runs
// events, it does not push. A change request linked to the pull request
// (by its address, and the key made of it in the subject) is linked to
// the pull request of the new host, as if it had always been there.
func (sn *snapshot) restore(t testing.TB, opts worldOptions) *world {
	t.Helper()
	dir := t.TempDir()
	h, err := cilayout.NewHost(filepath.Join(dir, "server"), cilayout.GitHub, repository, "main")
	if err != nil {
		t.Fatal(err)
	}
	url := h.PullURL(pullNumber)
	state := strings.NewReplacer(sn.pullURL, url, changerequest.Key(sn.pullURL), changerequest.Key(url)).Replace(sn.state)
	sd, err := emulator.ParseSeed([]byte(state), "snapshot")
	if err != nil {
		t.Fatal(err)
	}
	w := start(t, dir, h, sd, opts)
	_, err = w.host.Git("fetch", "--quiet", sn.repo, "+refs/*:refs/*")
	w.check(err)
	for _, p := range sn.pulls {
		p.Commits = slices.Clone(p.Commits)
		w.host.Pulls[p.Number] = &p
	}
	for _, c := range sn.comments {
		w.github.AddComment(repository, pullNumber, c.Author, c.Body)
	}
	w.publish()
	return w
}

// write makes the developer's clone hold d (and the configuration).
func (w *world) write(d docs) {
	w.t.Helper()
	root := filepath.Join(w.dev, "docs")
	if err := os.RemoveAll(root); err != nil {
		w.t.Fatal(err)
	}
	files := map[string]string{".gitbook-sync.yaml": configFile, "docs/SUMMARY.md": d.summary()}
	for _, p := range d {
		files["docs/"+p.file] = p.markdown()
	}
	for name, body := range files {
		p := filepath.Join(w.dev, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			w.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			w.t.Fatal(err)
		}
	}
}

// openPull pushes d on branch feature and opens pull request 7 from it.
func (w *world) openPull(d docs) {
	w.t.Helper()
	w.check(w.host.Switch(w.dev, "feature"))
	w.write(d)
	_, err := w.host.Push(w.dev, "Docs for v2")
	w.check(err)
	_, err = w.host.OpenPull(pullNumber, "feature", "Docs for v2")
	w.check(err)
	w.publish()
}

// pushPull pushes d on the pull request's branch (a synchronize).
func (w *world) pushPull(d docs) {
	w.t.Helper()
	w.write(d)
	_, err := w.host.Push(w.dev, "More docs")
	w.check(err)
	w.publish()
}

// mergePull merges pull request 7 with GitHub's merge button.
func (w *world) mergePull() string {
	w.t.Helper()
	sha, err := w.host.MergePull(pullNumber, cilayout.MergeCommit)
	w.check(err)
	w.publish()
	return sha
}

func (w *world) check(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// publish shows the host's pull requests through the fake GitHub.
func (w *world) publish() {
	h := w.host
	for _, p := range h.Pulls {
		w.github.SetPull(h.Repository, fakehost.PullRequest{Number: p.Number, Title: p.Title, State: p.State, Merged: p.Merged,
			MergeCommitSHA: cmp.Or(p.MergeCommitSHA, p.TestMerge), HeadRepo: p.HeadRepo, HeadRef: p.HeadBranch, HeadSHA: p.HeadSHA,
			BaseRef: p.Base, BaseSHA: p.BaseSHA, HTMLURL: h.PullURL(p.Number), Author: fakehost.User{Login: "writer", ID: 1001},
			Commits: p.Commits})
	}
}

// Events the suite runs.
var (
	pushMain      = cilayout.GitHubEvent{Name: "push", Branch: "main"}
	prOpened      = cilayout.GitHubEvent{Name: "pull_request", Action: "opened", Number: pullNumber}
	prSynchronize = cilayout.GitHubEvent{Name: "pull_request", Action: "synchronize", Number: pullNumber}
	prClosed      = cilayout.GitHubEvent{Name: "pull_request", Action: "closed", Number: pullNumber}
)

// proc is one run of the Action's step: the binary in a working copy laid
// out as actions/checkout@v4 lays it out, with the runner's variables and
// the env of action.yml's step.
type proc struct {
	name    string
	cmd     *exec.Cmd
	stdout  bytes.Buffer
	stderr  bytes.Buffer
	started chan struct{}
	done    chan struct{}
	err     error
	killed  atomic.Bool // set by the tap's goroutine
	hung    atomic.Bool // killed after runTimeout
}

// runTimeout bounds one run; a run that hangs fails the test.
const runTimeout = 60 * time.Second

// layout lays out a run for ev; start starts it.
func (w *world) layout(ev cilayout.GitHubEvent) *proc {
	w.t.Helper()
	w.mu.Lock()
	w.runs++
	n := w.runs
	token := fmt.Sprintf("ghs_CANARY_run%d", n)
	w.tokens = append(w.tokens, token)
	w.mu.Unlock()
	w.github.AddToken(token, fakehost.Token{User: fakehost.GitHubActionsBot, Installation: true})
	run, err := w.host.GitHubRun(filepath.Join(w.dir, fmt.Sprintf("runner%d", n)), ev,
		cilayout.GitHubOptions{FetchDepth: 0, Token: token, APIURL: w.ghAPI, RunNumber: n})
	w.check(err)
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + filepath.Join(w.dir, "home"), "LANG=C.UTF-8"}
	for k, v := range run.Env {
		env = append(env, k+"="+v)
	}
	// action.yml's step: inputs at their defaults, the secrets, the run's token.
	for k, v := range map[string]string{
		"GITBOOK_TOKEN": gitbookToken, "GITHUB_TOKEN": token, "GITBOOK_API_URL": w.gbURL,
		"INPUT_COMMAND": "sync", "INPUT_DRY_RUN": "false", "INPUT_CONFIG": ".gitbook-sync.yaml", "INPUT_FORCE": "false",
		"INPUT_TIMEOUT": "10m", "INPUT_PAGE_DIFFS": "false",
	} {
		env = append(env, k+"="+v)
	}
	slices.Sort(env)
	p := &proc{name: fmt.Sprintf("run %d (%s %s)", n, ev.Name, cmp.Or(ev.Action, ev.Branch)),
		started: make(chan struct{}), done: make(chan struct{})}
	p.cmd = exec.Command(binary(w.t), "action")
	p.cmd.Dir, p.cmd.Env = run.Dir, env
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	// Its own process group, so that a kill takes any child with it.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return p
}

func (p *proc) start(t testing.TB) {
	t.Helper()
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	close(p.started)
	timer := time.AfterFunc(runTimeout, func() {
		p.hung.Store(true)
		p.kill()
	})
	go func() {
		p.err = p.cmd.Wait()
		timer.Stop()
		close(p.done)
	}()
}

// kill SIGKILLs the run's process group and returns once it is gone.
func (p *proc) kill() {
	<-p.started
	p.killed.Store(true)
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
}

// result is how a run ended.
type result struct {
	name   string
	exit   int
	killed bool
	out    string // stdout and stderr, for failure messages
}

func (p *proc) wait() result {
	<-p.done
	r := result{name: p.name, killed: p.killed.Load() && !p.hung.Load(), out: p.stdout.String() + p.stderr.String()}
	if p.hung.Load() {
		r.out += fmt.Sprintf("\n(killed: still running after %s)", runTimeout)
	}
	var ee *exec.ExitError
	switch {
	case p.err == nil:
	case errors.As(p.err, &ee):
		r.exit = ee.ExitCode()
	default:
		r.exit = -1
		r.out += "\n" + p.err.Error()
	}
	return r
}

// run runs ev to its end.
func (w *world) run(ev cilayout.GitHubEvent) result {
	w.t.Helper()
	p := w.layout(ev)
	p.start(w.t)
	return p.wait()
}

// mustRun runs ev and fails the test unless it succeeds.
func (w *world) mustRun(ev cilayout.GitHubEvent) result {
	w.t.Helper()
	r := w.run(ev)
	if r.exit != 0 {
		w.t.Fatalf("%s: exit %d\n%s", r.name, r.exit, tail(r.out))
	}
	return r
}

// converge re-runs ev, as a person presses "Re-run jobs", until it
// succeeds, at most tries times; it returns how many runs it took.
func (w *world) converge(ev cilayout.GitHubEvent, tries int) (int, result) {
	w.t.Helper()
	var r result
	for i := 1; i <= tries; i++ {
		if r = w.run(ev); r.exit == 0 {
			return i, r
		}
		w.t.Logf("%s: exit %d: %s", r.name, r.exit, lastLine(r.out))
	}
	w.t.Fatalf("%s still fails after %d runs: exit %d\n%s", r.name, tries, r.exit, tail(r.out))
	return 0, r
}

// lastLine is the last line of an output but GitHub's workflow commands.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if !strings.HasPrefix(lines[i], "::add-mask::") {
			return lines[i]
		}
	}
	return ""
}

// tail keeps the end of a long output.
func tail(s string) string {
	const n = 3000
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// ---- What GitBook and GitHub hold, read around the tap ----

// get reads a GitBook API path from the emulator as a client would, but
// around the tap. The emulator's own faults still apply: a 429, a 503 or
// a lost answer is read again.
func (w *world) get(p string, v any) {
	w.t.Helper()
	w.emu.Wait()
	for try := 1; ; try++ {
		req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/v1"+p, nil)
		req.Header.Set("Authorization", "Bearer "+gitbookToken)
		rec := &droppable{ResponseRecorder: httptest.NewRecorder()}
		w.oracle.ServeHTTP(rec, req)
		if rec.Code == http.StatusOK && rec.Body.Len() > 0 {
			if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
				w.t.Fatalf("GET %s: %v", p, err)
			}
			return
		}
		if try == 20 || (rec.Code != http.StatusOK && rec.Code != http.StatusTooManyRequests && rec.Code != http.StatusServiceUnavailable) {
			w.t.Fatalf("GET %s: %d %s", p, rec.Code, rec.Body)
		}
	}
}

// droppable records an answer in memory and lets the emulator drop the
// connection, as its DropEvery fault does: the answer is then empty and
// read again, and the contract checker knows there was none to check.
type droppable struct{ *httptest.ResponseRecorder }

func (d *droppable) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	ours, theirs := net.Pipe()
	theirs.Close()
	return ours, bufio.NewReadWriter(bufio.NewReader(ours), bufio.NewWriter(ours)), nil
}

type changeRequest struct {
	ID      string `json:"id"`
	Number  int    `json:"number"`
	Subject string `json:"subject"`
	Status  string `json:"status"`
}

// changeRequests lists the space's change requests of a status.
func (w *world) changeRequests(status string) []changeRequest {
	var list struct {
		Items []changeRequest `json:"items"`
	}
	w.get("/spaces/"+spaceID+"/change-requests?status="+status+"&limit=1000", &list)
	return list.Items
}

// pages reads the document pages under base (a space's or a change
// request's content): title -> Markdown of each. A title seen twice is
// kept as "TITLE (again)", so that a duplicate shows.
func (w *world) pages(base string) map[string]string {
	var rev struct {
		Pages []gitbook.Page `json:"pages"`
	}
	w.get(base+"/pages", &rev)
	out := map[string]string{}
	gitbook.Walk(rev.Pages, func(p *gitbook.Page, _ *gitbook.Page, _ int) {
		if p.Type != gitbook.PageDocument {
			return
		}
		var body gitbook.Page
		w.get(base+"/page/"+p.ID+"?format=markdown", &body)
		key := p.Title
		for out[key] != "" {
			key += " (again)"
		}
		out[key] = cmp.Or(body.Markdown, " ")
	})
	return out
}

func (w *world) livePages() map[string]string { return w.pages("/spaces/" + spaceID + "/content") }

func (w *world) crPages(id string) map[string]string {
	return w.pages("/spaces/" + spaceID + "/change-requests/" + id + "/content")
}

// spaceCommit is the commit GitBook records for the live revision.
func (w *world) spaceCommit() string {
	var rev struct {
		Git *struct {
			OID string `json:"oid"`
		} `json:"git"`
	}
	w.get("/spaces/"+spaceID+"/content", &rev)
	if rev.Git == nil {
		return ""
	}
	return rev.Git.OID
}

// botComments are the comments the runs' token (github-actions[bot])
// wrote on the pull request.
func (w *world) botComments() []fakehost.Comment {
	var out []fakehost.Comment
	for _, c := range w.github.Comments(repository, pullNumber) {
		if c.Author.Login == fakehost.GitHubActionsBot.Login {
			out = append(out, c)
		}
	}
	return out
}

// ---- The counts ----

// mismatch compares what GitBook shows with d: pages missing, with an old
// body, or there twice, and pages d lacks.
func mismatch(got map[string]string, d docs) []string {
	var bad []string
	want := d.want()
	for _, title := range slices.Sorted(maps.Keys(want)) {
		body, ok := got[title]
		switch {
		case !ok:
			bad = append(bad, fmt.Sprintf("%q missing", title))
		case !strings.Contains(body, want[title]):
			bad = append(bad, fmt.Sprintf("%q lacks %s: %q", title, want[title], body))
		}
	}
	for _, title := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[title]; !ok {
			bad = append(bad, fmt.Sprintf("%q should not be there", title))
		}
	}
	return bad
}

// pullState is what the pull request's runs left: the open change
// requests, the pages of the one kept, and the bot's comments.
type pullState struct {
	open     []changeRequest
	pages    map[string]string
	comments []fakehost.Comment
}

func (w *world) pullState() pullState {
	s := pullState{open: w.changeRequests("open"), comments: w.botComments()}
	s.open = append(s.open, w.changeRequests("draft")...)
	if len(s.open) == 1 {
		s.pages = w.crPages(s.open[0].ID)
	}
	return s
}

// problems lists how s differs from one open change request with every
// page of d and one comment.
func (s pullState) problems(d docs) []string {
	var bad []string
	if len(s.open) != 1 {
		bad = append(bad, fmt.Sprintf("%d open change requests, want 1: %v", len(s.open), s.open))
	} else if m := mismatch(s.pages, d); len(m) > 0 {
		bad = append(bad, fmt.Sprintf("change request #%d: %s", s.open[0].Number, strings.Join(m, "; ")))
	}
	if len(s.comments) != 1 {
		bad = append(bad, fmt.Sprintf("%d comments by %s, want 1", len(s.comments), fakehost.GitHubActionsBot.Login))
	}
	return bad
}

// noLeaks fails when a token shows in a run's output or a comment.
func (w *world) noLeaks(outs ...string) {
	w.t.Helper()
	texts := slices.Clone(outs)
	for _, c := range w.github.Comments(repository, pullNumber) {
		texts = append(texts, c.Body)
	}
	secrets := append([]string{gitbookToken}, w.tokens...)
	for _, text := range texts {
		for _, line := range strings.Split(text, "\n") {
			if strings.HasPrefix(line, "::add-mask::") {
				continue
			}
			for _, s := range secrets {
				if strings.Contains(line, s) {
					w.t.Errorf("a token shows: %s", line)
				}
			}
		}
	}
}
