package soak

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator"
	"github.com/gitbook-sync/gitbook-sync/internal/cilayout"
)

// A scenario is the run the faults hit, and the moment it starts from: the
// pull request is opened with open; with sync, a clean opened run comes
// first and the faults hit the synchronize run for sync; with merged, the
// clean runs come first, the pull request is merged and the faults hit
// the closed run, which merges the change request.
type scenario struct {
	name       string
	open, sync docs
	merged     bool
}

func (s scenario) event() cilayout.GitHubEvent {
	switch {
	case s.merged:
		return prClosed
	case s.sync != nil:
		return prSynchronize
	}
	return prOpened
}

// want is the pull request's docs once the faulted run is through.
func (s scenario) want() docs {
	if s.sync != nil {
		return s.sync
	}
	return s.open
}

// scenarios are the runs the faults hit: opened in the default run, and in
// the soak a synchronize, a pull request of more than one batch of 50
// pages, and the run of a merged pull request.
func scenarios() []scenario {
	s := []scenario{{name: "opened", open: prDocs(0)}}
	if long() {
		s = append(s,
			scenario{name: "synchronize", open: prDocs(0), sync: syncDocs(0)},
			scenario{name: "opened-60", open: prDocs(60)},
			scenario{name: "merged", open: prDocs(0), merged: true})
	}
	return s
}

// ready makes a world at the moment of the scenario's faulted run.
func ready(t *testing.T, s scenario, opts worldOptions) *world {
	w := newWorld(t, opts)
	w.mustRun(pushMain)
	if bad := mismatch(w.livePages(), mainDocs); len(bad) > 0 {
		t.Fatalf("main's import: %v", bad)
	}
	w.openPull(s.open)
	if s.sync != nil || s.merged {
		w.mustRun(prOpened)
	}
	if s.sync != nil {
		w.pushPull(s.sync)
	}
	if s.merged {
		w.mergePull()
	}
	return w
}

// problems lists how the end state differs from the scenario's: for a
// pull request, one open change request with every page, one comment, and
// the live content as main left it; once merged, no change request open,
// one merged (or archived), the live content with every page of the pull request, one
// comment.
func (s scenario) problems(w *world) []string {
	if !s.merged {
		bad := w.pullState().problems(s.want())
		for _, m := range mismatch(w.livePages(), mainDocs) {
			bad = append(bad, "live content changed by a pull request run: "+m)
		}
		return bad
	}
	var bad []string
	if open := append(w.changeRequests("open"), w.changeRequests("draft")...); len(open) > 0 {
		bad = append(bad, fmt.Sprintf("%d change requests still open: %v", len(open), open))
	}
	// Merged, or archived when the push to main brought the same pages
	// first (as cmd/gitbook-sync's lifecycle scenarios accept).
	if done := append(w.changeRequests("merged"), w.changeRequests("archived")...); len(done) != 1 {
		bad = append(bad, fmt.Sprintf("%d change requests merged or archived, want 1: %v", len(done), done))
	}
	for _, m := range mismatch(w.livePages(), s.want()) {
		bad = append(bad, "live: "+m)
	}
	if c := w.botComments(); len(c) != 1 {
		bad = append(bad, fmt.Sprintf("%d comments by the bot, want 1", len(c)))
	}
	return bad
}

// prepared is a scenario made ready once per test process, and what its
// run does without faults: the requests it makes (both hosts) and its
// writes in order, with the request number of each.
type prepared struct {
	snap     *snapshot
	requests int
	writes   []string
	writeAt  []int
}

var (
	preparedMu sync.Mutex
	preparedAt = map[string]*prepared{}
)

// prepare makes the scenario ready once, snapshots it, and runs it once
// without faults from the snapshot, checking the end state.
func prepare(t *testing.T, s scenario) *prepared {
	t.Helper()
	preparedMu.Lock()
	defer preparedMu.Unlock()
	if p := preparedAt[s.name]; p != nil {
		return p
	}
	binary(t)
	dir, err := os.MkdirTemp(built.dir, "snapshot-"+s.name+"-") // lives as long as the test process
	if err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, "emulator.yaml")
	p := &prepared{snap: ready(t, s, worldOptions{stateFile: state}).snap(dir, state)}
	w := p.snap.restore(t, worldOptions{})
	w.tap.reset()
	w.mustRun(s.event())
	w.tap.mu.Lock()
	p.requests, p.writes, p.writeAt = w.tap.requests, slices.Clone(w.tap.writes), slices.Clone(w.tap.writeAt)
	w.tap.mu.Unlock()
	for _, bad := range s.problems(w) {
		t.Fatalf("%s without faults: %s", s.name, bad)
	}
	t.Logf("%s without faults: %d requests, writes %q", s.name, p.requests, p.writes)
	preparedAt[s.name] = p
	return p
}

// settled asserts the scenario's end state.
func settled(t *testing.T, w *world, s scenario) {
	t.Helper()
	for _, bad := range s.problems(w) {
		t.Error(bad)
	}
}

// skipForBug skips a test that meets a known bug, unless
// GITBOOK_SYNC_SOAK_BUGS=1 asks to see whether it is still there.
func skipForBug(t *testing.T, n *tally, bug string) {
	t.Helper()
	if os.Getenv("GITBOOK_SYNC_SOAK_BUGS") == "1" {
		t.Logf("run despite %s", bug)
		return
	}
	n.skipped.Add(1)
	t.Skip(bug)
}

// tally gathers what the subtests of a test measured, for its log.
type tally struct {
	configs, faulted, reruns, failedFirst, archived atomic.Int64
	skipped                                         atomic.Int64 // for a bug named in the log
}

// TestLostAnswers loses GitBook's or GitHub's answer to each write of the
// run in turn (the write is carried out; the run never learns it): create
// change request, content batches, the link and record update, the comment.
// Re-runs must end with one open change request holding every page, and
// one comment.
func TestLostAnswers(t *testing.T) {
	t.Parallel()
	var n tally
	for _, s := range scenarios() {
		p := prepare(t, s)
		for i, write := range p.writes {
			n.configs.Add(1)
			t.Run(fmt.Sprintf("%s/write%d %s", s.name, i+1, write), func(t *testing.T) {
				t.Parallel()
				w := p.snap.restore(t, worldOptions{})
				w.tap.reset()
				w.tap.mu.Lock()
				w.tap.dropWrite = i + 1
				w.tap.mu.Unlock()
				first := w.run(s.event())
				w.tap.mu.Lock()
				dropped := w.tap.dropped
				w.tap.mu.Unlock()
				if dropped == "" {
					t.Fatalf("write %d was never made (the run made other writes than the clean one)", i+1)
				}
				n.faulted.Add(1)
				if first.exit != 0 {
					n.failedFirst.Add(1)
				} else {
					// A run that says it succeeded must have done it all.
					for _, bad := range s.problems(w) {
						t.Errorf("the run that lost the answer to %s exited 0, yet: %s", dropped, bad)
					}
				}
				t.Logf("first run:\n%s", tail(first.out))
				w.tap.reset()
				runs, last := w.converge(s.event(), 3)
				n.reruns.Add(int64(runs))
				n.archived.Add(int64(len(w.changeRequests("archived"))))
				t.Logf("lost the answer to %s; first run exit %d; %d re-run(s)", dropped, first.exit, runs)
				settled(t, w, s)
				w.noLeaks(first.out, last.out)
			})
		}
	}
	t.Cleanup(func() {
		t.Logf("lost answers: %d configurations (writes of %d scenarios), %d answers lost, %d first runs failed, %d re-runs, %d change requests archived",
			n.configs.Load(), len(scenarios()), n.faulted.Load(), n.failedFirst.Load(), n.reruns.Load(), n.archived.Load())
	})
}

// killPoints chooses the requests at which runs are killed: in the soak
// every request of the clean run and one past its end; by default two of
// its writes and two requests, at random (the seed is logged;
// GITBOOK_SYNC_SOAK_SEED replays it).
func killPoints(t *testing.T, requests int, writeAt []int) []int {
	if long() {
		var all []int
		for i := 1; i <= requests+1; i++ {
			all = append(all, i)
		}
		return all
	}
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv("GITBOOK_SYNC_SOAK_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("kill points: seed %d (GITBOOK_SYNC_SOAK_SEED=%d replays them)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	// Two writes (the request carried out, its answer never read), and
	// two requests anywhere.
	var points []int
	for _, i := range rng.Perm(len(writeAt))[:min(2, len(writeAt))] {
		points = append(points, writeAt[i])
	}
	for range 2 {
		points = append(points, 1+rng.IntN(requests))
	}
	slices.Sort(points)
	return slices.Compact(points)
}

// TestKills SIGKILLs the run after its Nth request has been carried out
// (before the answer reaches it), for N over the run's requests. The live
// content must be untouched, and one re-run must complete it: one change
// request, every page, one comment.
func TestKills(t *testing.T) {
	t.Parallel()
	var n tally
	var killed, missed atomic.Int64
	var mu sync.Mutex
	at := map[string]int{} // killed at which kind of request
	for _, s := range scenarios() {
		p := prepare(t, s)
		points := killPoints(t, p.requests, p.writeAt)
		t.Logf("%s: %d requests in a clean run; killing at %v", s.name, p.requests, points)
		for _, k := range points {
			n.configs.Add(1)
			t.Run(fmt.Sprintf("%s/request%d", s.name, k), func(t *testing.T) {
				t.Parallel()
				w := p.snap.restore(t, worldOptions{})
				run := w.layout(s.event())
				w.tap.reset()
				w.tap.mu.Lock()
				w.tap.killAt, w.tap.kill = k, run.kill
				w.tap.mu.Unlock()
				run.start(t)
				first := run.wait()
				w.tap.mu.Lock()
				where := w.tap.killed
				w.tap.mu.Unlock()
				if !first.killed {
					missed.Add(1)
					t.Logf("the run ended (exit %d) before request %d", first.exit, k)
				} else {
					killed.Add(1)
					kind, _, _ := strings.Cut(where, " ")
					mu.Lock()
					at[kind]++
					mu.Unlock()
				}
				if !s.merged {
					for _, bad := range mismatch(w.livePages(), mainDocs) {
						t.Errorf("killed at %s: the live content changed: %s", where, bad)
					}
				}
				w.tap.reset()
				runs, last := w.converge(s.event(), 2)
				n.reruns.Add(int64(runs))
				n.archived.Add(int64(len(w.changeRequests("archived"))))
				t.Logf("killed at request %d (%s); %d re-run(s)", k, where, runs)
				settled(t, w, s)
				w.noLeaks(first.out, last.out)
			})
		}
	}
	t.Cleanup(func() {
		t.Logf("kills: %d configurations, %d runs killed (at %v), %d ended before their kill point, %d re-runs, %d change requests archived",
			n.configs.Load(), killed.Load(), at, missed.Load(), n.reruns.Load(), n.archived.Load())
	})
}

// TestTwoRunsAtOnce starts two runs for the same pull request event at the
// same moment (a re-run pressed while the first still runs, or a workflow
// without a concurrency group): both must succeed and leave the
// scenario's end state: for an open pull request, one open change request
// with every page and one comment. A merged pull request's closed run is
// also paired with the push to main its merge made (the README's workflow
// runs them in different concurrency groups).
func TestTwoRunsAtOnce(t *testing.T) {
	t.Parallel()
	trials := pick(2, 20)
	var n tally
	for _, s := range scenarios() {
		p := prepare(t, s)
		for trial := 1; trial <= trials; trial++ {
			other := s.event()
			if s.merged && trial%2 == 0 {
				other = pushMain
			}
			t.Run(fmt.Sprintf("%s/trial%d-%s", s.name, trial, cmp.Or(other.Action, other.Name)), func(t *testing.T) {
				n.configs.Add(1)
				t.Parallel()
				w := p.snap.restore(t, worldOptions{})
				a, b := w.layout(s.event()), w.layout(other)
				a.start(t)
				b.start(t)
				ra, rb := a.wait(), b.wait()
				for _, r := range []result{ra, rb} {
					if r.exit != 0 {
						n.failedFirst.Add(1)
						t.Errorf("%s: exit %d\n%s", r.name, r.exit, tail(r.out))
					}
				}
				archived := len(w.changeRequests("archived"))
				n.archived.Add(int64(archived))
				t.Logf("both ended; %d change request(s) archived", archived)
				settled(t, w, s)
				w.noLeaks(ra.out, rb.out)
			})
		}
	}
	t.Cleanup(func() {
		t.Logf("two runs at once: %d trials (%d processes), %d runs failed, %d change requests archived (made by the race, then superseded)",
			n.configs.Load(), 2*n.configs.Load(), n.failedFirst.Load(), n.archived.Load())
	})
}

// faultConfig is one setting of the emulator's faults for a lifecycle.
type faultConfig struct {
	name   string
	faults emulator.Faults
	bug    string // the bug the setting meets, for a skipped test
}

// faultConfigs are the emulator's fault settings a whole lifecycle runs
// under. Rate limits reset within the second, so that a run waits about
// 100 ms for each. The faults hit every Nth request.
func faultConfigs() []faultConfig {
	ms := time.Millisecond
	c := []faultConfig{
		{"429-every-8+503-every-13", emulator.Faults{RateLimitEvery: 8, RateLimitReset: 10 * ms, ServerErrorEvery: 13}, ""},
		{"429-retry-after-every-9+503-every-11", emulator.Faults{RateLimitEvery: 9, RetryAfter: true, RateLimitReset: 10 * ms, ServerErrorEvery: 11}, ""},
	}
	if long() {
		c = append(c,
			faultConfig{"429-every-3", emulator.Faults{RateLimitEvery: 3, RateLimitReset: 10 * ms}, ""},
			faultConfig{"429-reset-1s-every-10", emulator.Faults{RateLimitEvery: 10, RateLimitReset: time.Second}, ""},
			faultConfig{"503-every-7", emulator.Faults{ServerErrorEvery: 7}, ""},
			faultConfig{"503-every-4", emulator.Faults{ServerErrorEvery: 4}, ""},
			faultConfig{"drop-every-9", emulator.Faults{DropEvery: 9}, ""},
			faultConfig{"delay-5ms+503-every-5", emulator.Faults{Delay: 5 * ms, ServerErrorEvery: 5}, ""},
			faultConfig{"all", emulator.Faults{RateLimitEvery: 7, RateLimitReset: 10 * ms, ServerErrorEvery: 11, DropEvery: 13, Delay: 2 * ms}, ""},
		)
	}
	return c
}

// TestLifecycleUnderFaults runs a pull request's whole life (opened,
// synchronize, merged: the closed run and the push to main) against an
// emulator that answers 429 and 503 through it. Each step is re-run until
// it succeeds, as a person would; at the end nothing is open, the space
// holds every page of the merge and records its commit, and the pull
// request has one comment.
func TestLifecycleUnderFaults(t *testing.T) {
	t.Parallel()
	var n tally
	var runs, lost atomic.Int64
	for _, c := range faultConfigs() {
		t.Run(c.name, func(t *testing.T) {
			if c.bug != "" {
				skipForBug(t, &n, c.bug)
			}
			n.configs.Add(1)
			t.Parallel()
			w := newWorld(t, worldOptions{faults: c.faults})
			step := func(ev cilayout.GitHubEvent) {
				t.Helper()
				began := time.Now()
				k, _ := w.converge(ev, 6)
				t.Logf("%s %s: %d run(s), %v", ev.Name, cmp.Or(ev.Action, ev.Branch), k, time.Since(began).Round(time.Millisecond))
				runs.Add(int64(k))
				n.reruns.Add(int64(k - 1))
			}
			step(pushMain)
			if bad := mismatch(w.livePages(), mainDocs); len(bad) > 0 {
				t.Fatalf("after the first push: %v", bad)
			}
			w.openPull(prDocs(0))
			step(prOpened)
			for _, bad := range w.pullState().problems(prDocs(0)) {
				t.Errorf("after opened: %s", bad)
			}
			w.pushPull(syncDocs(0))
			step(prSynchronize)
			for _, bad := range w.pullState().problems(syncDocs(0)) {
				t.Errorf("after synchronize: %s", bad)
			}
			merge := w.mergePull()
			step(prClosed)
			step(pushMain)
			if open := append(w.changeRequests("open"), w.changeRequests("draft")...); len(open) > 0 {
				t.Errorf("after the merge, %d change requests still open: %v", len(open), open)
			}
			bad := mismatch(w.livePages(), syncDocs(0))
			lost.Add(int64(len(bad)))
			for _, b := range bad {
				t.Errorf("after the merge, live: %s", b)
			}
			if got := w.spaceCommit(); got != merge {
				t.Errorf("the space records commit %q, want the merge %s", got, merge)
			}
			if c := w.botComments(); len(c) != 1 {
				t.Errorf("%d comments by the bot, want 1", len(c))
			}
			w.noLeaks()
		})
	}
	t.Cleanup(func() {
		t.Logf("lifecycle under faults: %d configurations, %d runs of which %d re-runs, %d pages lost or wrong; %d configurations skipped for a bug",
			n.configs.Load(), runs.Load(), n.reruns.Load(), lost.Load(), n.skipped.Load())
	})
}
