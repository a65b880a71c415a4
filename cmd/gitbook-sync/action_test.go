package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	goversion "go/version"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v4"

	"github.com/gitbook-sync/gitbook-sync/internal/testrepo"
)

// notInputs are sync flags the Action deliberately does not expose, and why.
var notInputs = map[string]string{
	"json":                "the Action writes outputs instead",
	"format":              "the Action writes the report to the step summary and the JSON to the results output",
	"concurrency":         "the default suits CI",
	"organization":        "set in the configuration file",
	"pull-request":        "read from the event payload",
	"pull-request-title":  "read from the event payload",
	"pull-request-number": "read from the event payload",
	"pull-request-state":  "read from the event payload",
	"pull-request-base":   "read from the event payload",
	"pull-request-ref":    "read from the event payload",
	"repo":                "the workspace",
	"api-url":             "passed as GITBOOK_API_URL",
	"help":                "not for CI",
}

// Inputs handled outside actionInputs, with where they go.
var specialInputs = map[string]string{
	"gitbook-token": "GITBOOK_TOKEN",
	"token":         "GITHUB_TOKEN",
	"api-url":       "GITBOOK_API_URL",
	"command":       "INPUT_COMMAND",
	"dry-run":       "INPUT_DRY_RUN",
	"version":       "GBS_VERSION",
}

func TestActionInputsReachTheBinary(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var action struct {
		Inputs map[string]struct {
			Description string `yaml:"description"`
			Default     *string
		} `yaml:"inputs"`
		Outputs map[string]struct {
			Description string `yaml:"description"`
		} `yaml:"outputs"`
		Runs struct {
			Steps []struct {
				Env map[string]string `yaml:"env"`
				Run string            `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(data, &action); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, s := range action.Runs.Steps {
		for k, v := range s.Env {
			env[k] = v
		}
		if strings.Contains(s.Run, "${{") {
			t.Errorf("a run script splices an expression into shell: %q", s.Run)
		}
	}
	mapped := map[string]string{}
	for _, in := range actionInputs {
		mapped[in.input] = in.env
	}
	for name, in := range action.Inputs {
		if in.Description == "" {
			t.Errorf("input %s has no description", name)
		}
		if !strings.Contains(string(data), "inputs."+name+" }}") {
			t.Errorf("input %s is never used in action.yml", name)
		}
		target, ok := mapped[name]
		if !ok {
			if target, ok = specialInputs[name]; !ok {
				t.Errorf("input %s is not read by the binary (add it to actionInputs)", name)
				continue
			}
		}
		if v, ok := env[target]; !ok || v != "${{ inputs."+name+" }}" {
			t.Errorf("input %s should reach the step as %s, got %q", name, target, v)
		}
	}
	for name := range mapped {
		if _, ok := action.Inputs[name]; !ok {
			t.Errorf("actionInputs maps %s, which action.yml does not declare", name)
		}
	}
	// Every flag a user needs is an input, or deliberately not one.
	f, _ := newFactory(io.Discard, io.Discard, func(string) string { return "" })
	cmd := NewCmdSync(f, nil)
	var missing []string
	cmd.Flags().VisitAll(func(f *pflagFlag) {
		if _, ok := mapped[f.Name]; ok {
			return
		}
		if _, ok := notInputs[f.Name]; ok {
			return
		}
		missing = append(missing, f.Name)
	})
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("sync flags with no Action input (add one, or list it in notInputs with a reason): %v", missing)
	}
	for _, in := range actionInputs {
		if cmd.Flags().Lookup(in.flag) == nil && in.flag != "config" {
			t.Errorf("actionInputs maps %s to --%s, which sync does not have", in.input, in.flag)
		}
	}
	for _, out := range []string{"state", "decision", "revision", "change-request-url", "comment-url", "results"} {
		if _, ok := action.Outputs[out]; !ok {
			t.Errorf("output %s is not declared", out)
		}
	}
}

type pflagFlag = pflag.Flag

// fakeGitHub serves what action/install.sh reads from GitHub: the releases
// API and the release downloads. Any other path is a test failure.
type fakeGitHub struct {
	t *testing.T
	// listed are the tags the releases API lists, newest first (a draft is
	// listed to a token with push access but has no downloads).
	listed []string
	// assets holds each published release's files, checksums.txt included.
	assets map[string]map[string][]byte
	// status, when set, answers every API request.
	status int

	mu        sync.Mutex
	apiAuth   []string // Authorization header of each API request
	downloads []string // paths of the downloads served
}

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	const repo = "/gitbook-sync/gitbook-sync"
	switch {
	case r.URL.Path == "/repos"+repo+"/releases":
		f.apiAuth = append(f.apiAuth, r.Header.Get("Authorization"))
		if f.status != 0 {
			http.Error(w, `{"message":"API rate limit exceeded"}`, f.status)
			return
		}
		if r.URL.Query().Get("per_page") != "100" {
			f.t.Errorf("releases listed with %q", r.URL.RawQuery)
		}
		var list []map[string]any
		for _, tag := range f.listed {
			list = append(list, map[string]any{"tag_name": tag, "name": "Release " + tag, "draft": f.assets[tag] == nil,
				"author": map[string]any{"login": "octocat"}})
		}
		// Pretty-printed like GitHub's answers, so the parsing cannot rely
		// on one layout.
		data, _ := json.MarshalIndent(list, "", "  ")
		w.Write(data)
	case strings.HasPrefix(r.URL.Path, repo+"/releases/download/"):
		if r.Header.Get("Authorization") != "" {
			f.t.Errorf("a download carried a token: %s", r.URL.Path)
		}
		tag, name, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, repo+"/releases/download/"), "/")
		data, ok := f.assets[tag][name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		f.downloads = append(f.downloads, tag+"/"+name)
		w.Write(data)
	default:
		f.t.Errorf("unexpected request %s %s", r.Method, r.URL)
		http.NotFound(w, r)
	}
}

// fakeBinary is what a release archive holds: a script that answers
// `version` like the real binary.
func fakeBinary(tag string) []byte {
	return []byte("#!/bin/sh\necho gitbook-sync " + tag + "\n")
}

// releaseAssets builds a release the way .goreleaser.yaml names it: one
// tar.gz per platform with the binary at its root, and checksums.txt.
func releaseAssets(t *testing.T, tag string) map[string][]byte {
	t.Helper()
	assets := map[string][]byte{}
	var sums strings.Builder
	for _, platform := range []string{"linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64"} {
		var buf bytes.Buffer
		gz := gzip.NewWriter(&buf)
		tw := tar.NewWriter(gz)
		bin := fakeBinary(tag + " " + platform)
		for _, f := range []struct {
			name string
			data []byte
			mode int64
		}{{"README.md", []byte("# gitbook-sync\n"), 0o644}, {"gitbook-sync", bin, 0o755}} {
			if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.data)), Typeflag: tar.TypeReg}); err != nil {
				t.Fatal(err)
			}
			tw.Write(f.data)
		}
		tw.Close()
		gz.Close()
		name := "gitbook-sync_" + strings.TrimPrefix(tag, "v") + "_" + platform + ".tar.gz"
		assets[name] = buf.Bytes()
		fmt.Fprintf(&sums, "%x  %s\n", sha256.Sum256(buf.Bytes()), name)
	}
	assets["checksums.txt"] = []byte(sums.String())
	return assets
}

type installRun struct {
	output    string // stdout and stderr
	err       error
	path      string // the step output `path`
	toolCache string
	runnerEnv string // what the step wrote to GITHUB_PATH and GITHUB_ENV
}

// runInstall runs action/install.sh as the composite step does, with the
// runner's variables and only the given extras in the environment.
func runInstall(t *testing.T, srvURL string, extra map[string]string) installRun {
	t.Helper()
	for _, tool := range []string{"bash", "curl", "git", "tar", "awk"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("action/install.sh needs %s: %v", tool, err)
		}
	}
	dir := t.TempDir()
	run := installRun{toolCache: filepath.Join(dir, "toolcache")}
	files := map[string]string{}
	for _, name := range []string{"GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_ENV"} {
		files[name] = filepath.Join(dir, strings.ToLower(name))
		if err := os.WriteFile(files[name], nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "temp"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"PATH":                  os.Getenv("PATH"),
		"HOME":                  dir,
		"RUNNER_OS":             "Linux",
		"RUNNER_ARCH":           "X64",
		"RUNNER_TEMP":           filepath.Join(dir, "temp"),
		"RUNNER_TOOL_CACHE":     run.toolCache,
		"GITHUB_API_URL":        srvURL,
		"GBS_API_URL":           srvURL,
		"GBS_DOWNLOAD_URL":      srvURL,
		"GBS_ACTION_REPOSITORY": "gitbook-sync/gitbook-sync",
		"GBS_TOKEN":             "ghs_installtoken",
	}
	maps.Copy(env, files)
	maps.Copy(env, extra)
	cmd := exec.Command("bash", "../../action/install.sh")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	run.output, run.err = string(out), err
	if strings.Contains(run.output, "ghs_installtoken") {
		t.Errorf("the token was printed:\n%s", out)
	}
	outputs, _ := os.ReadFile(files["GITHUB_OUTPUT"])
	for line := range strings.Lines(string(outputs)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "path="); ok {
			run.path = v
		}
	}
	for _, name := range []string{"GITHUB_PATH", "GITHUB_ENV"} {
		data, _ := os.ReadFile(files[name])
		run.runnerEnv += string(data)
	}
	return run
}

func newFakeGitHub(t *testing.T) (*fakeGitHub, *httptest.Server) {
	f := &fakeGitHub{
		t: t,
		// v1.11.0 is a draft: listed, never published.
		listed: []string{"v2.0.0", "v1.11.0", "v1.10.1", "v1.3.0-rc.1", "v1.9.0", "v1.2.3"},
		assets: map[string]map[string][]byte{},
	}
	for _, tag := range []string{"v2.0.0", "v1.10.1", "v1.3.0-rc.1", "v1.9.0", "v1.2.3"} {
		f.assets[tag] = releaseAssets(t, tag)
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func TestActionInstallsTheRelease(t *testing.T) {
	t.Parallel()
	// A repository whose commit carries the annotated tag v1.2.3, for
	// actions pinned by SHA.
	tagged := testrepo.New(t).Write(map[string]string{"go.mod": "module x\n"})
	commit := tagged.Commit("release")
	sig := &object.Signature{Name: "r", Email: "r@example.com", When: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}
	if _, err := tagged.Git.CreateTag("v1.2.3", commit, &git.CreateTagOptions{Tagger: sig, Message: "v1.2.3"}); err != nil {
		t.Fatal(err)
	}
	if _, err := tagged.Git.CreateTag("docs-snapshot", commit, nil); err != nil {
		t.Fatal(err)
	}
	untagged := "0123456789abcdef0123456789abcdef01234567"

	tests := []struct {
		name string
		env  map[string]string
		want string // installed tag
	}{
		{"the Action's exact ref", map[string]string{"GBS_ACTION_REF": "v1.2.3"}, "v1.2.3"},
		{"a major ref: newest v1.x, skipping drafts and pre-releases, 1.10 > 1.9", map[string]string{"GBS_ACTION_REF": "v1"}, "v1.10.1"},
		{"a minor ref", map[string]string{"GBS_ACTION_REF": "v1.2"}, "v1.2.3"},
		{"a SHA a release tag points at", map[string]string{"GBS_ACTION_REF": commit.String(), "GBS_GIT_URL": tagged.Dir}, "v1.2.3"},
		{"empty action_ref: read from the action's path", map[string]string{"GITHUB_ACTION_PATH": "/home/runner/work/_actions/gitbook-sync/gitbook-sync/v1.2.3"}, "v1.2.3"},
		{"version input latest", map[string]string{"GBS_VERSION": "latest", "GBS_ACTION_REF": "v1"}, "v2.0.0"},
		{"version input wins over the ref", map[string]string{"GBS_VERSION": "v2.0.0", "GBS_ACTION_REF": "v1.2.3"}, "v2.0.0"},
		{"version input without v", map[string]string{"GBS_VERSION": "1.2.3", "GBS_ACTION_REF": untagged}, "v1.2.3"},
		{"version input names a pre-release", map[string]string{"GBS_VERSION": "v1.3.0-rc.1"}, "v1.3.0-rc.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake, srv := newFakeGitHub(t)
			run := runInstall(t, srv.URL, tt.env)
			if run.err != nil {
				t.Fatalf("install failed: %v\n%s", run.err, run.output)
			}
			version := strings.TrimPrefix(tt.want, "v")
			want := filepath.Join(run.toolCache, "gitbook-sync", version, "amd64", "gitbook-sync")
			if run.path != want {
				t.Fatalf("step output path = %q, want %q\n%s", run.path, want, run.output)
			}
			got, err := os.ReadFile(run.path)
			if err != nil || !bytes.Equal(got, fakeBinary(tt.want+" linux_amd64")) {
				t.Errorf("installed binary = %q (%v), want the %s linux_amd64 one", got, err, tt.want)
			}
			if fi, err := os.Stat(run.path); err != nil || fi.Mode()&0o111 == 0 {
				t.Errorf("the binary is not executable: %v", err)
			}
			if _, err := os.Stat(filepath.Join(run.toolCache, "gitbook-sync", version, "amd64.complete")); err != nil {
				t.Errorf("no tool-cache completion marker: %v", err)
			}
			if !strings.Contains(run.output, "Installed gitbook-sync "+tt.want) {
				t.Errorf("output does not say what was installed:\n%s", run.output)
			}
			if run.runnerEnv != "" {
				t.Errorf("the step changed the job's PATH or environment: %q", run.runnerEnv)
			}
			for _, auth := range fake.apiAuth {
				if auth != "Bearer ghs_installtoken" {
					t.Errorf("API request with Authorization %q", auth)
				}
			}
		})
	}
}

func TestActionInstallRefusesATamperedArchive(t *testing.T) {
	t.Parallel()
	fake, srv := newFakeGitHub(t)
	name := "gitbook-sync_1.2.3_linux_amd64.tar.gz"
	good := fake.assets["v1.2.3"][name]
	fake.assets["v1.2.3"][name] = append(bytes.Clone(good[:len(good)-1]), good[len(good)-1]^0xff)
	run := runInstall(t, srv.URL, map[string]string{"GBS_ACTION_REF": "v1.2.3"})
	if run.err == nil {
		t.Fatalf("a tampered archive was accepted:\n%s", run.output)
	}
	for _, want := range []string{"::error", name, "SHA-256", fmt.Sprintf("%x", sha256.Sum256(good)), "Nothing was installed"} {
		if !strings.Contains(run.output, want) {
			t.Errorf("the error does not say %q:\n%s", want, run.output)
		}
	}
	if run.path != "" {
		t.Errorf("a path was output: %s", run.path)
	}
	if entries, err := os.ReadDir(run.toolCache); err == nil && len(entries) > 0 {
		t.Errorf("something was installed in the tool cache: %v", entries)
	}
}

func TestActionInstallFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		env    map[string]string
		want   string
	}{
		{"a version that is no release", 0, map[string]string{"GBS_VERSION": "v9"}, "no release of gitbook-sync/gitbook-sync matches version 'v9'"},
		{"an unknown tag", 0, map[string]string{"GBS_VERSION": "v1.2.4"}, "matches version 'v1.2.4'"},
		{"the API's rate limit", http.StatusForbidden, map[string]string{"GBS_ACTION_REF": "v1"}, "set the version input to a release tag"},
		{"an unsupported runner", 0, map[string]string{"GBS_ACTION_REF": "v1.2.3", "RUNNER_ARCH": "ARM"}, "unsupported runner architecture ARM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake, srv := newFakeGitHub(t)
			fake.status = tt.status
			run := runInstall(t, srv.URL, tt.env)
			if run.err == nil || !strings.Contains(run.output, "::error title=gitbook-sync install::") || !strings.Contains(run.output, tt.want) {
				t.Errorf("err %v, output:\n%s\nwant an ::error saying %q", run.err, run.output, tt.want)
			}
			if run.path != "" {
				t.Errorf("a path was output: %s", run.path)
			}
		})
	}
}

// The token goes to the job's own GitHub API only: on GitHub Enterprise
// Server the releases still come from github.com, which must not see it.
func TestActionInstallKeepsTheTokenAtHome(t *testing.T) {
	t.Parallel()
	fake, srv := newFakeGitHub(t)
	run := runInstall(t, srv.URL, map[string]string{"GBS_ACTION_REF": "v1", "GITHUB_API_URL": "https://ghe.example.com/api/v3"})
	if run.err != nil {
		t.Fatalf("%v\n%s", run.err, run.output)
	}
	if len(fake.apiAuth) == 0 {
		t.Fatal("the releases API was not asked")
	}
	for _, auth := range fake.apiAuth {
		if auth != "" {
			t.Errorf("the token was sent to another GitHub: %q", auth)
		}
	}
}

func TestActionInstallUsesTheToolCache(t *testing.T) {
	t.Parallel()
	fake, srv := newFakeGitHub(t)
	env := map[string]string{"GBS_ACTION_REF": "v1.2.3"}
	first := runInstall(t, srv.URL, env)
	if first.err != nil {
		t.Fatalf("%v\n%s", first.err, first.output)
	}
	downloads := len(fake.downloads)
	// Same tool cache, as on a self-hosted runner.
	env["RUNNER_TOOL_CACHE"] = first.toolCache
	second := runInstall(t, srv.URL, env)
	if second.err != nil || second.path != first.path {
		t.Fatalf("second run: path %q, err %v\n%s", second.path, second.err, second.output)
	}
	if len(fake.downloads) != downloads {
		t.Errorf("the cached release was downloaded again: %v", fake.downloads[downloads:])
	}
}

// Refs that are not releases are built from the Action's own source with a
// Go toolchain private to the step: the job's go only starts it.
func TestActionInstallBuildsOtherRefs(t *testing.T) {
	t.Parallel()
	_, srv := newFakeGitHub(t)
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "go.mod"), []byte("module github.com/gitbook-sync/gitbook-sync\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A stand-in for the job's go: records how it was called and writes a
	// binary where -o says.
	bin := t.TempDir()
	record := filepath.Join(t.TempDir(), "go-call")
	fakeGo := `#!/bin/sh
{ echo "pwd=$(pwd)"; env; echo "args=$*"; } > "` + record + `"
while [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done
printf '#!/bin/sh\necho gitbook-sync main\n' > "$out" && chmod +x "$out"
`
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte(fakeGo), 0o755); err != nil {
		t.Fatal(err)
	}
	run := runInstall(t, srv.URL, map[string]string{
		"GBS_ACTION_REF":     "main",
		"GITHUB_ACTION_PATH": src,
		"PATH":               bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		// The caller cross-compiles in this job; the build must not follow.
		"GOOS":        "windows",
		"GOTOOLCHAIN": "local",
	})
	if run.err != nil {
		t.Fatalf("%v\n%s", run.err, run.output)
	}
	data, err := os.ReadFile(record)
	if err != nil {
		t.Fatalf("go was not run: %v\n%s", err, run.output)
	}
	call := map[string]string{}
	for line := range strings.Lines(string(data)) {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
			call[k] = v
		}
	}
	temp := filepath.Dir(filepath.Dir(run.toolCache)) // the test's dir
	for k, want := range map[string]string{"pwd": src, "GOTOOLCHAIN": installGoToolchain(t), "CGO_ENABLED": "0", "GOOS": ""} {
		if call[k] != want {
			t.Errorf("go ran with %s=%q, want %q", k, call[k], want)
		}
	}
	for _, k := range []string{"GOMODCACHE", "GOCACHE", "GOPATH"} {
		if !strings.HasPrefix(call[k], temp) {
			t.Errorf("%s=%q is not private to the step", k, call[k])
		}
	}
	if !strings.Contains(call["args"], "build") || !strings.Contains(call["args"], "internal/version.version=main") || !strings.HasSuffix(call["args"], "./cmd/gitbook-sync") {
		t.Errorf("go args: %s", call["args"])
	}
	if run.path == "" || !strings.Contains(run.output, "Installed gitbook-sync main") {
		t.Errorf("path %q, output:\n%s", run.path, run.output)
	}
	if run.runnerEnv != "" {
		t.Errorf("the step changed the job's PATH or environment: %q", run.runnerEnv)
	}
}

// installGoToolchain is the Go release install.sh builds with.
func installGoToolchain(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../../action/install.sh")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go_toolchain=(go\S+)$`).FindSubmatch(data)
	if m == nil {
		t.Fatal("action/install.sh pins no go_toolchain")
	}
	return string(m[1])
}

// The pinned toolchain must be able to build the module.
func TestActionInstallToolchainBuildsTheModule(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(data)
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	need := "go" + string(m[1])
	if tc := regexp.MustCompile(`(?m)^toolchain (\S+)$`).FindSubmatch(data); tc != nil {
		need = string(tc[1])
	}
	if have := installGoToolchain(t); goversion.Compare(have, need) < 0 {
		t.Errorf("action/install.sh builds with %s, go.mod needs %s", have, need)
	}
}
