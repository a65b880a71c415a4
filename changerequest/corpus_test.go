package changerequest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/gitbook-sync/gitbook-sync/changerequest"
	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/internal/testcorpus"
	"github.com/gitbook-sync/gitbook-sync/internal/testrepo"
)

var summaryItem = regexp.MustCompile(`^\s*[*-] \[`)

// TestCorpusReplay grows a real docs repository in steps, each step a pull
// request: after each, the change request's page tree must equal what
// GitBook builds by importing the same commit. Then it is merged, and the
// next step starts from there.
func TestCorpusReplay(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, dir, project string
		steps              int
	}{
		{"BrainMonkey", "Brain-WP-BrainMonkey", "", 3},
		{"GitBook docs", "GitbookIO-public-docs", "documentation", 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := testcorpus.Path(t, "corpus/"+tc.dir)
			repo := testrepo.New(t)
			testrepo.CopyDir(t, src, repo.Dir)
			proj := filepath.Join(repo.Dir, tc.project)
			summaryPath := findSummary(t, proj)
			full, _ := os.ReadFile(summaryPath)
			lines := strings.Split(string(full), "\n")
			var items []int
			for i, l := range lines {
				if summaryItem.MatchString(l) {
					items = append(items, i)
				}
			}
			// Step k keeps the k-th share of the entries, and every group
			// heading from the start: change requests cannot create groups.
			cut := func(k int) string {
				if k == tc.steps {
					return string(full)
				}
				end := items[len(items)*k/tc.steps]
				var kept []string
				for i, l := range lines {
					if i < end || strings.HasPrefix(l, "## ") {
						kept = append(kept, l)
					}
				}
				return strings.Join(kept, "\n") + "\n"
			}
			os.WriteFile(summaryPath, []byte(cut(1)), 0o644)
			base := repo.Commit("step 1")
			f := &fixture{t: t, repo: repo, base: base, dir: tc.project}
			f.start("main")
			c, _ := f.client(nil)
			wt, _ := repo.Git.Worktree()
			// Pages sent through the API, at any step: merged, they stay
			// as GitBook made them.
			var sent []string
			for k := 2; k <= tc.steps; k++ {
				if err := wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(fmt.Sprintf("step-%d", k)), Create: true}); err != nil {
					t.Fatal(err)
				}
				os.WriteFile(summaryPath, []byte(cut(k)), 0o644)
				repo.Commit(fmt.Sprintf("step %d", k))
				opts := f.opts(c)
				opts.Link = fmt.Sprintf("https://example.com/pull/%d", k)
				res, err := f.update(opts)
				if err != nil {
					t.Fatalf("step %d: %v", k, err)
				}
				for _, p := range res.Pages {
					if p.Op != content.Deleted {
						sent = append(sent, p.Path)
					}
				}
				got, want := f.crOutline(res.ID), f.importedOutline(fmt.Sprintf("refs/heads/step-%d", k), sent...)
				if got != want {
					t.Fatalf("step %d: change request differs from the import:\n%s", k, firstDifference(got, want))
				}
				t.Logf("step %d: %d pages changed, %d writes in %d batches", k, len(res.Pages), res.Writes, res.Batches)
				if m, err := changerequest.Merge(ctx, opts); err != nil || !m.Merged || m.Conflicts {
					t.Fatalf("step %d: merge: %+v, %v", k, m, err)
				}
				f.base = repo.Head()
			}
		})
	}
}

func findSummary(t *testing.T, proj string) string {
	for _, p := range []string{"SUMMARY.md", "docs/summary.md"} {
		if _, err := os.Stat(filepath.Join(proj, p)); err == nil {
			return filepath.Join(proj, p)
		}
	}
	t.Fatal("no summary")
	return ""
}

func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n  change request: %s\n  import:         %s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d", len(al), len(bl))
}
