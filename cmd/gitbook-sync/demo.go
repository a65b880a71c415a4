package main

import (
	"fmt"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/spf13/cobra"

	gitbooksync "github.com/gitbook-sync/gitbook-sync"
	cfg "github.com/gitbook-sync/gitbook-sync/config"
	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator"
	"github.com/gitbook-sync/gitbook-sync/report"
	gbsync "github.com/gitbook-sync/gitbook-sync/sync"
)

// NewCmdDemo runs the whole workflow against an in-process emulator: the
// README's first command, and a safe way to see what gitbook-sync does.
func NewCmdDemo(f *Factory) *cobra.Command {
	var keep string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run plan and sync against a built-in GitBook emulator and a sample repository",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir := keep
			if dir == "" {
				tmp, err := os.MkdirTemp("", "gitbook-sync-demo-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(tmp)
				dir = tmp
			}
			return demo(cmd, f, dir)
		},
	}
	cmd.Flags().StringVar(&keep, "keep", "", "build the sample repositories in this directory and keep them")
	return cmd
}

func demo(cmd *cobra.Command, f *Factory, dir string) error {
	out := f.IO.Out
	seed := emulator.DefaultSeed()
	srv, err := emulator.New(seed, emulator.Options{OperationDelay: 50 * time.Millisecond})
	if err != nil {
		return err
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	defer srv.Wait()
	srv.SetBaseURL(hs.URL)
	fmt.Fprintf(out, "# gitbook-sync demo\n\nA GitBook emulator is serving %s/v1 with space `space-1`.\n", hs.URL)

	remote, work := filepath.Join(dir, "remote.git"), filepath.Join(dir, "docs")
	repo, err := demoRepo(remote, work)
	if err != nil {
		return fmt.Errorf("build the sample repository: %w", err)
	}
	fmt.Fprintf(out, "The sample docs repository is %s (its remote: %s).\n", work, remote)

	client, err := gitbook.New(gitbook.Options{BaseURL: hs.URL + "/v1", Token: seed.Token, UserAgent: "gitbook-sync/" + version, Redactor: f.Redactor})
	if err != nil {
		return err
	}
	space := []cfg.Space{{Space: "space-1", Path: ".", Mode: cfg.ModeAuto}}
	step := func(title string, dryRun bool) ([]gbsync.Result, error) {
		r, err := gbsync.OpenRepo(work)
		if err != nil {
			return nil, err
		}
		opts := gbsync.Options{Client: client, Repo: r, Redactor: f.Redactor, RepoURL: "file://" + filepath.ToSlash(remote),
			DryRun: dryRun, Poll: gitbook.Poll{Initial: 20 * time.Millisecond}, Wait: time.Minute, KeepText: true}
		results := gbsync.Run(cmd.Context(), opts, space)
		// A person at a terminal reads the text report; the README and
		// pipes get the Markdown a pull request would.
		var text string
		if f.IO.StdoutTTY {
			var b strings.Builder
			err = report.Text(&b, results, report.TextOptions{DryRun: dryRun, Color: f.IO.Color, Redactor: f.Redactor})
			text = b.String()
		} else {
			text, err = report.Render(results, report.Options{DryRun: dryRun, Marker: "demo", PageDiffs: true, Redactor: f.Redactor})
		}
		if err != nil {
			return nil, err
		}
		verb := "sync"
		if dryRun {
			verb = "plan"
		}
		fmt.Fprintf(out, "\n## %s\n\n    $ gitbook-sync %s\n\n%s", title, verb, text)
		return results, nil
	}
	check := func(results []gbsync.Result, err error, want gbsync.Outcome) error {
		if err != nil {
			return err
		}
		if results[0].Outcome != want {
			return fmt.Errorf("demo: expected %s, got %s: %s %s", want, results[0].Outcome, results[0].Reason(), results[0].ErrorText())
		}
		return nil
	}

	r, err := step("1. A space that was never synced", true)
	if err := check(r, err, gbsync.Planned); err != nil {
		return err
	}
	r, err = step("2. Import the repository into the space", false)
	if err := check(r, err, gbsync.Imported); err != nil {
		return err
	}
	if err := demoEdit(repo, map[string]string{
		"guide/installation.md":    "# Installation\n\nDownload the binary for your platform and put it on your PATH.\nOr build it: `go install ./cmd/gitbook-sync`.\n\n```bash\ngitbook-sync version\n```\n",
		"guide/troubleshooting.md": "# Troubleshooting\n\nRun `gitbook-sync plan` to see what would happen.\n",
		"SUMMARY.md":               "# Table of contents\n\n* [Acme Docs](README.md)\n\n## Guides\n\n* [Getting started](guide/README.md)\n  * [Installation](guide/installation.md)\n  * [Configuration](guide/configuration.md)\n  * [Troubleshooting](guide/troubleshooting.md)\n",
	}, "Document building from source; add troubleshooting"); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nA commit edits one page and adds another, and is pushed.\n")
	r, err = step("3. The repository is ahead", true)
	if err := check(r, err, gbsync.Planned); err != nil {
		return err
	}
	r, err = step("4. Sync it", false)
	if err := check(r, err, gbsync.Imported); err != nil {
		return err
	}
	r, err = step("5. Nothing left to do", true)
	if err := check(r, err, gbsync.Unchanged); err != nil {
		return err
	}
	if _, err := srv.EditPage("space-1", "guide/configuration.md", "", "# Configuration\n\nEdited in GitBook by a teammate.\n"); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nA teammate edits a page in GitBook's editor.\n")
	r, err = step("6. GitBook has edits the repository lacks: gitbook-sync stops rather than overwrite them", false)
	if err := check(r, err, gbsync.Stopped); err != nil {
		return err
	}
	var writes []string
	for _, rq := range srv.Requests() {
		if rq.Method != "GET" {
			writes = append(writes, rq.Method+" "+rq.Path)
		}
	}
	fmt.Fprintf(out, "\nThe emulator received %d requests; the writes among them:\n", len(srv.Requests()))
	for _, w := range writes {
		fmt.Fprintf(out, "- %s\n", w)
	}
	return nil
}

// demoRepo writes the embedded sample docs to a work tree, commits them and
// pushes to a bare remote, as a docs repository on a Git host.
func demoRepo(remote, work string) (*git.Repository, error) {
	if _, err := git.PlainInitWithOptions(remote, &git.PlainInitOptions{Bare: true, InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")}}); err != nil {
		return nil, err
	}
	repo, err := git.PlainInitWithOptions(work, &git.PlainInitOptions{InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")}})
	if err != nil {
		return nil, err
	}
	if _, err := repo.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{remote}}); err != nil {
		return nil, err
	}
	files := map[string]string{}
	err = fs.WalkDir(gitbooksync.DemoRepo, gitbooksync.DemoRepoRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := gitbooksync.DemoRepo.ReadFile(p)
		files[strings.TrimPrefix(p, gitbooksync.DemoRepoRoot+"/")] = string(data)
		return err
	})
	if err != nil {
		return nil, err
	}
	return repo, demoEdit(repo, files, "Initial docs")
}

func demoEdit(repo *git.Repository, files map[string]string, msg string) error {
	wt, err := repo.Worktree()
	if err != nil {
		return err
	}
	for p, c := range files {
		full := filepath.Join(wt.Filesystem.Root(), filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			return err
		}
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		return err
	}
	sig := &object.Signature{Name: "Demo Writer", Email: "writer@example.com", When: time.Now()}
	if _, err := wt.Commit(msg, &git.CommitOptions{Author: sig}); err != nil {
		return err
	}
	return repo.Push(&git.PushOptions{RemoteName: "origin"})
}
