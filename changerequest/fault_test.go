package changerequest_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gitbook-sync/gitbook-sync/changerequest"
	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/internal/httpfault"
)

func isWrite(r *http.Request) bool { return r.Method != http.MethodGet }

// loseAnswer lets the nth request that match reach GitBook, then loses
// its answer, as a dropped connection does.
func loseAnswer(match func(*http.Request) bool, nth int32) httpfault.Wrap {
	var seen atomic.Int32
	return func(next http.RoundTripper) http.RoundTripper {
		return httpfault.Func(func(r *http.Request) (*http.Response, error) {
			resp, err := next.RoundTrip(r)
			if err == nil && match(r) && seen.Add(1) == nth {
				resp.Body.Close()
				return nil, io.ErrUnexpectedEOF
			}
			return resp, err
		})
	}
}

var errKilled = errors.New("killed")

// killAfter lets n writes through, then fails everything, as a run killed
// at that point.
func killAfter(n int32) httpfault.Wrap {
	var writes atomic.Int32
	return func(next http.RoundTripper) http.RoundTripper {
		return httpfault.Func(func(r *http.Request) (*http.Response, error) {
			if writes.Load() >= n {
				return nil, errKilled
			}
			if isWrite(r) {
				writes.Add(1)
			}
			return next.RoundTrip(r)
		})
	}
}

func writeTo(suffix string) func(*http.Request) bool {
	return func(r *http.Request) bool { return isWrite(r) && strings.HasSuffix(r.URL.Path, suffix) }
}

// complete checks the end state every fault must reach: one open change
// request, with the pull request's key and link, holding every page.
func (f *fixture) complete(res *changerequest.Result, want string) {
	f.t.Helper()
	if open := f.open(); len(open) != 1 || !strings.HasPrefix(open[0], fmt.Sprintf("#%d ", res.Number)) {
		f.t.Errorf("open change requests %v, want only #%d", open, res.Number)
	}
	if got := f.crOutline(res.ID); got != want {
		f.t.Errorf("change request #%d:\n%s\nwant:\n%s", res.Number, got, want)
	}
	cr, err := f.raw.ChangeRequest(ctx, "space-1", res.ID)
	if err != nil || len(cr.Links) != 1 || cr.Links[0].Ref.URL != prURL {
		f.t.Errorf("change request #%d links: %+v, %v", res.Number, cr.Links, err)
	}
}

var reworked struct {
	once    sync.Once
	outline string
}

// rework commits the rework on the pull request branch and returns what an
// import of it looks like (the same for every fixture: computed once).
func (f *fixture) rework() string {
	f.write(rework)
	f.repo.Commit("rework")
	reworked.once.Do(func() { reworked.outline = f.importedOutline("refs/heads/pr") })
	return reworked.outline
}

// Lost answers: the run carries on and ends with one change request.
func TestLostAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		match      func(*http.Request) bool
		nth        int32
		wantCreate int // create requests sent
	}{
		{"the create", writeTo("/change-requests"), 1, 1},
		{"the first batch", writeTo("/content"), 1, 1},
		{"the record", func(r *http.Request) bool { return r.Method == http.MethodPatch }, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, "")
			want := f.rework()
			c, w := f.client(loseAnswer(tt.match, tt.nth))
			res, err := f.update(f.opts(c))
			if err != nil {
				t.Fatal(err)
			}
			creates := 0
			for _, s := range w.take() {
				if s == "POST /change-requests" {
					creates++
				}
			}
			if creates != tt.wantCreate || res.Number != 1 {
				t.Errorf("%d creates, change request #%d", creates, res.Number)
			}
			f.complete(res, want)
		})
	}
}

// A run killed after each of its writes in turn: the next run completes
// the same change request and makes no other.
func TestKilledRunIsCompleted(t *testing.T) {
	t.Parallel()
	for _, n := range []int32{1, 2, 4} {
		t.Run(fmt.Sprintf("after write %d", n), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, "")
			want := f.rework()
			killed, _ := f.client(killAfter(n))
			if _, err := f.update(f.opts(killed)); !errors.Is(err, errKilled) {
				t.Fatalf("killed run: %v", err)
			}
			c, w := f.client(nil)
			res, err := f.update(f.opts(c))
			if err != nil {
				t.Fatal(err)
			}
			if res.Created || res.Number != 1 || slices.Contains(w.take(), "POST /change-requests") {
				t.Errorf("the next run made another change request: %+v", res)
			}
			f.complete(res, want)
		})
	}
}

// An empty, unlinked change request with the pull request's subject, as
// earlier versions left when an answer was lost, is archived with a note.
func TestEarlierOrphanIsArchived(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "")
	want := f.rework()
	orphan, err := f.raw.CreateChangeRequest(ctx, "space-1", "Rework the guide")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := f.raw.CreateChangeRequest(ctx, "space-1", "Someone else's work")
	c, _ := f.client(nil)
	res, err := f.update(f.opts(c))
	if err != nil {
		t.Fatal(err)
	}
	if res.Number != 3 || !slices.Equal(res.Superseded, []int{orphan.Number}) {
		t.Errorf("result %+v", res)
	}
	got, _ := c.ChangeRequest(ctx, "space-1", orphan.ID)
	if got.Status != gitbook.CRArchived || got.Description == nil || !strings.Contains(string(got.Description.Nodes[0]), "lost GitBook's answer") {
		t.Errorf("orphan: %s, %+v", got.Status, got.Description)
	}
	if o, _ := f.raw.ChangeRequest(ctx, "space-1", other.ID); o.Status != gitbook.CROpen {
		t.Errorf("another change request was touched: %s", o.Status)
	}
	if got := f.crOutline(res.ID); got != want {
		t.Errorf("change request:\n%s\nwant:\n%s", got, want)
	}
	// What the engine sees to finish change requests of merged pull requests.
	open, err := changerequest.Open(ctx, c, "space-1")
	if err != nil || len(open) != 1 || !open[0].For(prURL) || open[0].Number != res.Number || open[0].Link != prURL {
		t.Errorf("open: %+v, %v", open, err)
	}
}

// bothCreate holds each create until n runs reached theirs, so that every
// run makes its own change request, as in a real race.
func bothCreate(n int) httpfault.Wrap {
	var mu sync.Mutex
	arrived := 0
	all := make(chan struct{})
	return func(next http.RoundTripper) http.RoundTripper {
		return httpfault.Func(func(r *http.Request) (*http.Response, error) {
			if writeTo("/change-requests")(r) {
				mu.Lock()
				if arrived++; arrived == n {
					close(all)
				}
				mu.Unlock()
				select {
				case <-all:
				case <-time.After(10 * time.Second):
				}
			}
			return next.RoundTrip(r)
		})
	}
}

// Two runs at once for one pull request, each with its own change request:
// both end on the lowest numbered, complete; the other is archived.
func TestTwoRunsAtOnce(t *testing.T) {
	t.Parallel()
	for trial := range 2 {
		t.Run(fmt.Sprint(trial), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, "")
			want := f.rework()
			race := bothCreate(2)
			var wg sync.WaitGroup
			results := make([]*changerequest.Result, 2)
			errs := make([]error, 2)
			var writes [2]*writes
			for i := range 2 {
				c, w := f.client(race)
				writes[i] = w
				wg.Go(func() { results[i], errs[i] = f.update(f.opts(c)) })
			}
			wg.Wait()
			for i := range 2 {
				if errs[i] != nil {
					t.Fatalf("run %d: %v", i, errs[i])
				}
				if results[i].Number != 1 {
					t.Errorf("run %d ended on #%d", i, results[i].Number)
				}
				if n := len(writes[i].take()); n > 12 {
					t.Errorf("run %d: %d writes", i, n)
				}
			}
			f.complete(results[0], want)
			crs, _ := f.raw.ChangeRequests(ctx, "space-1", gitbook.CRArchived)
			if len(crs) != 1 || crs[0].Number != 2 {
				t.Errorf("archived: %+v", crs)
			}
		})
	}
}
