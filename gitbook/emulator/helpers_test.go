package emulator_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator/emulatortest"
)

var ctx = context.Background()

// start runs an emulator behind the contract checker.
func start(t *testing.T, seed emulator.Seed, opts emulator.Options) (*emulatortest.Env, *gitbook.Client) {
	t.Helper()
	env := emulatortest.Start(t, seed, opts)
	return env, env.Client(t, nil)
}

// importRepo imports url into space-1 and waits for the import to end.
func importRepo(t *testing.T, env *emulatortest.Env, c *gitbook.Client, url string, req gitbook.ImportRequest) {
	t.Helper()
	req.URL = url
	if req.Ref == "" {
		req.Ref = "refs/heads/main"
	}
	if err := c.Import(ctx, "space-1", req); err != nil {
		t.Fatal(err)
	}
	env.Server.Wait()
}

// export exports space-1 to url and waits for the export to end.
func export(t *testing.T, env *emulatortest.Env, c *gitbook.Client, url, dir string) {
	t.Helper()
	if err := c.Export(ctx, "space-1", gitbook.ExportRequest{URL: url, Ref: "refs/heads/main", CommitMessage: "GitBook export", RepoProjectDirectory: dir}); err != nil {
		t.Fatal(err)
	}
	env.Server.Wait()
}

// getJSON reads an API answer raw, for fields the client does not model.
func getJSON(t *testing.T, env *emulatortest.Env, path string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, env.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+env.Token)
	resp, err := env.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", path, resp.StatusCode, out)
	}
	return out
}

// outline renders a page tree as indented "title [type] <git path>" lines.
func outline(pages []gitbook.Page) string {
	var b strings.Builder
	var walk func(list []gitbook.Page, depth int)
	walk = func(list []gitbook.Page, depth int) {
		for _, p := range list {
			path := ""
			if p.Git != nil {
				path = " <" + p.Git.Path + ">"
			}
			if p.Type == gitbook.PageLink {
				path = " -> " + p.Href
			}
			fmt.Fprintf(&b, "%s%s [%s]%s\n", strings.Repeat("  ", depth), p.Title, p.Type, path)
			walk(p.Pages, depth+1)
		}
	}
	walk(pages, 0)
	return b.String()
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// commitFiles reads the files of a repository's main branch.
func commitFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	c := headCommit(t, dir)
	tree, _ := c.Tree()
	out := map[string]string{}
	_ = tree.Files().ForEach(func(f *object.File) error {
		s, _ := f.Contents()
		out[f.Name] = s
		return nil
	})
	return out
}

// checkFiles compares a commit's files (commitFiles) with the files wanted.
func checkFiles(t *testing.T, files, want map[string]string) {
	t.Helper()
	if strings.Join(keys(files), ",") != strings.Join(keys(want), ",") {
		t.Errorf("commit has files %v, want %v", keys(files), keys(want))
	}
	for p, w := range want {
		if files[p] != w {
			t.Errorf("%s = %q, want %q", p, files[p], w)
		}
	}
}

func headCommit(t *testing.T, dir string) *object.Commit {
	t.Helper()
	r, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := r.Reference(plumbing.NewBranchReferenceName("main"), true)
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.CommitObject(ref.Hash())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// emptyBare makes an empty bare repository (a new repository on a Git host).
func emptyBare(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "empty.git")
	if _, err := git.PlainInit(dir, true); err != nil {
		t.Fatal(err)
	}
	return dir
}

// rawServer runs an emulator without the contract checker, to send what
// GitBook's description forbids and see it refused.
func rawServer(t *testing.T, seed emulator.Seed) func(method, path, body string) (int, string) {
	t.Helper()
	srv, err := emulator.New(seed, emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { srv.Close(); hs.Close() })
	srv.SetBaseURL(hs.URL)
	return func(method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, hs.URL+"/v1"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+seed.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(data)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// httptestGet calls the server's handler in process (no contract checker:
// for servers a test runs itself).
func httptestGet(t *testing.T, srv *emulator.Server, path string) []byte {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer test-token")
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	return rec.Body.Bytes()
}

// gitCLIRepo commits files and symbolic links (values starting with "->")
// with the git CLI, which takes every name git accepts (go-git's work tree
// refuses control characters), and returns the repository's path.
func gitCLIRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, v := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(v, "->"); ok {
			err = os.Symlink(target, p)
		} else {
			err = os.WriteFile(p, []byte(v), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "files"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir, "GIT_AUTHOR_NAME=A", "GIT_AUTHOR_EMAIL=a@example.com",
			"GIT_COMMITTER_NAME=A", "GIT_COMMITTER_EMAIL=a@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return dir
}
