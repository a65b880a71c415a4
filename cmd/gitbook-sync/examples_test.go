package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"text/template"

	"go.yaml.in/yaml/v4"
)

// The example workflow is what users copy: least privilege, serialized
// runs, and never pull_request_target.
func TestExampleWorkflow(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../examples/github-workflow.yml")
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		On          map[string]any    `yaml:"on"`
		Permissions map[string]string `yaml:"permissions"`
		Concurrency map[string]any    `yaml:"concurrency"`
		Jobs        map[string]struct {
			Steps []struct {
				Uses string `yaml:"uses"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatal(err)
	}
	if _, bad := wf.On["pull_request_target"]; bad {
		t.Error("the example must not use pull_request_target")
	}
	want := map[string]string{"contents": "read", "pull-requests": "write"}
	if len(wf.Permissions) != len(want) {
		t.Errorf("permissions %v, want exactly %v", wf.Permissions, want)
	}
	for k, v := range want {
		if wf.Permissions[k] != v {
			t.Errorf("permissions.%s = %q, want %q", k, wf.Permissions[k], v)
		}
	}
	if wf.Concurrency["group"] == nil {
		t.Error("the example needs a concurrency group")
	}
	if !strings.Contains(string(data), "secrets.GITBOOK_TOKEN") {
		t.Error("the GitBook token must come from a secret")
	}
	// A major-version ref: the installer resolves it to the newest release.
	var uses []string
	for _, job := range wf.Jobs {
		for _, s := range job.Steps {
			uses = append(uses, s.Uses)
		}
	}
	if !slices.Contains(uses, "gitbook-sync/gitbook-sync@v1") {
		t.Errorf("the example should use gitbook-sync/gitbook-sync@v1, uses %v", uses)
	}
}

// exampleMarker precedes each README block that is a file of examples/ (and
// that the lifecycle tests run): <!-- example: examples/NAME -->.
var exampleMarker = regexp.MustCompile(`^<!-- example: (examples/[^ ]+) -->$`)

// readmeExamples returns the README's marked blocks by file name.
func readmeExamples(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	next := func() (string, bool) {
		line++
		return sc.Text(), sc.Scan()
	}
	sc.Scan()
	for {
		text, more := next()
		m := exampleMarker.FindStringSubmatch(text)
		if m != nil {
			fence, ok := next()
			if !ok || fence != "```yaml" {
				t.Fatalf("README.md:%d: the marker for %s must be followed by a ```yaml block", line, m[1])
			}
			var body strings.Builder
			for {
				l, ok := next()
				if !ok {
					t.Fatalf("README.md: the block of %s is not closed", m[1])
				}
				if l == "```" {
					break
				}
				body.WriteString(l + "\n")
			}
			if _, dup := blocks[m[1]]; dup {
				t.Errorf("README.md:%d: %s is shown twice", line, m[1])
			}
			blocks[m[1]] = body.String()
		}
		if !more {
			return blocks
		}
	}
}

// Each integration's README snippet is a file of examples/, byte for byte,
// and a whole valid YAML file, so what users copy is what is tested.
func TestREADMEShowsTheExamples(t *testing.T) {
	t.Parallel()
	blocks := readmeExamples(t)
	files, err := filepath.Glob("../../examples/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := "examples/" + filepath.Base(f)
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		block, ok := blocks[name]
		if !ok {
			t.Errorf("README.md does not show %s (precede its block with <!-- example: %s -->)", name, name)
			continue
		}
		delete(blocks, name)
		if block != string(data) {
			t.Errorf("README.md's block differs from %s:\n--- README\n%s--- %s\n%s", name, block, name, data)
		}
		var doc map[string]any
		if err := yaml.Unmarshal(data, &doc); err != nil || len(doc) == 0 {
			t.Errorf("%s is not a YAML document: %v", name, err)
		}
	}
	for name := range blocks {
		t.Errorf("README.md marks a block as %s, which does not exist", name)
	}
}

// gitlabJob is the part of a GitLab CI job these tests read.
type gitlabJob struct {
	Stage         string            `yaml:"stage"`
	Image         any               `yaml:"image"`
	Variables     map[string]string `yaml:"variables"`
	Script        []string          `yaml:"script"`
	Rules         []map[string]any  `yaml:"rules"`
	ResourceGroup string            `yaml:"resource_group"`
}

var inputRef = regexp.MustCompile(`\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*\]\]`)

// The component users include: every input documented and optional, used
// and declared, none spliced into shell; with its defaults it is the
// README's written-out job.
func TestGitLabComponent(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../templates/gitbook-sync.yml")
	if err != nil {
		t.Fatal(err)
	}
	header, body, ok := bytes.Cut(data, []byte("\n---\n"))
	if !ok {
		t.Fatal("templates/gitbook-sync.yml has no spec header ending in ---")
	}
	var spec struct {
		Spec struct {
			Inputs map[string]struct {
				Description string   `yaml:"description"`
				Default     *string  `yaml:"default"`
				Options     []string `yaml:"options"`
				Regex       string   `yaml:"regex"`
			} `yaml:"inputs"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal(header, &spec); err != nil {
		t.Fatal(err)
	}
	inputs := spec.Spec.Inputs
	used := map[string]bool{}
	for _, m := range inputRef.FindAllSubmatch(body, -1) {
		used[string(m[1])] = true
	}
	defaults := map[string]string{}
	for name, in := range inputs {
		if in.Description == "" {
			t.Errorf("input %s has no description", name)
		}
		if in.Default == nil {
			t.Errorf("input %s has no default: an include without inputs would fail", name)
			continue
		}
		defaults[name] = *in.Default
		if !used[name] {
			t.Errorf("input %s is never used", name)
		}
		if in.Options != nil && !slices.Contains(in.Options, *in.Default) {
			t.Errorf("input %s: default %q is not one of %v", name, *in.Default, in.Options)
		}
		if in.Regex != "" {
			re, err := regexp.Compile(in.Regex)
			if err != nil {
				t.Errorf("input %s: regex: %v", name, err)
			} else if !re.MatchString(*in.Default) {
				t.Errorf("input %s: default %q does not match %s", name, *in.Default, in.Regex)
			}
		}
	}
	for name := range used {
		if _, ok := inputs[name]; !ok {
			t.Errorf("the job uses inputs.%s, which spec does not declare", name)
		}
	}
	// The commands offered exist.
	f, _ := newFactory(io.Discard, io.Discard, func(string) string { return "" })
	root := NewCmdRoot(f)
	for _, c := range inputs["command"].Options {
		if sub, _, err := root.Find([]string{c}); err != nil || sub.Name() != c {
			t.Errorf("input command offers %q, which gitbook-sync does not have", c)
		}
	}
	if re := regexp.MustCompile(inputs["version"].Regex); !re.MatchString("v1.2.3") || !re.MatchString("v1") || re.MatchString("v1; rm -rf /") {
		t.Errorf("input version's regex %s accepts the wrong tags", inputs["version"].Regex)
	}

	rendered := inputRef.ReplaceAllFunc(body, func(m []byte) []byte {
		return []byte(defaults[string(inputRef.FindSubmatch(m)[1])])
	})
	var jobs map[string]gitlabJob
	if err := yaml.Unmarshal(rendered, &jobs); err != nil {
		t.Fatalf("the job with default inputs is not YAML: %v\n%s", err, rendered)
	}
	job, ok := jobs["gitbook-sync"]
	if !ok || len(jobs) != 1 {
		t.Fatalf("the component should define the one job gitbook-sync, got %v", jobs)
	}
	for _, line := range job.Script {
		if inputRef.MatchString(line) {
			t.Errorf("script splices an input into shell: %q", line)
		}
	}

	var example map[string]gitlabJob
	exData, err := os.ReadFile("../../examples/gitlab-ci.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(exData, &example); err != nil {
		t.Fatal(err)
	}
	want := example["gitbook-sync"]
	if job.Image != want.Image {
		t.Errorf("component image %v, examples/gitlab-ci.yml %v", job.Image, want.Image)
	}
	if job.ResourceGroup != want.ResourceGroup || job.Variables["GIT_DEPTH"] != want.Variables["GIT_DEPTH"] {
		t.Errorf("component resource_group %q GIT_DEPTH %q, example %q %q", job.ResourceGroup, job.Variables["GIT_DEPTH"], want.ResourceGroup, want.Variables["GIT_DEPTH"])
	}
	if !slices.EqualFunc(job.Rules, want.Rules, func(a, b map[string]any) bool { return a["if"] == b["if"] }) {
		t.Errorf("component rules %v, example %v", job.Rules, want.Rules)
	}

	// The README's include names this file, with inputs it declares.
	var inc struct {
		Include []struct {
			Remote string            `yaml:"remote"`
			Inputs map[string]string `yaml:"inputs"`
		} `yaml:"include"`
	}
	incData, err := os.ReadFile("../../examples/gitlab-ci-component.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(incData, &inc); err != nil || len(inc.Include) != 1 {
		t.Fatalf("examples/gitlab-ci-component.yml: %v", err)
	}
	if !strings.HasSuffix(inc.Include[0].Remote, "/templates/gitbook-sync.yml") || !strings.HasPrefix(inc.Include[0].Remote, "https://raw.githubusercontent.com/gitbook-sync/gitbook-sync/v") {
		t.Errorf("the include reads %s", inc.Include[0].Remote)
	}
	for name, v := range inc.Include[0].Inputs {
		in, ok := inputs[name]
		if !ok || (in.Options != nil && !slices.Contains(in.Options, v)) {
			t.Errorf("the include sets input %s: %q, which the component does not take", name, v)
		}
	}
}

// goreleaser is the part of .goreleaser.yaml these tests read.
type goreleaser struct {
	ProjectName string `yaml:"project_name"`
	Builds      []struct {
		ID     string   `yaml:"id"`
		Main   string   `yaml:"main"`
		Binary string   `yaml:"binary"`
		Goos   []string `yaml:"goos"`
		Goarch []string `yaml:"goarch"`
	} `yaml:"builds"`
	Archives []struct {
		NameTemplate    string   `yaml:"name_template"`
		Formats         []string `yaml:"formats"`
		FormatOverrides []struct {
			Goos    string   `yaml:"goos"`
			Formats []string `yaml:"formats"`
		} `yaml:"format_overrides"`
	} `yaml:"archives"`
	Checksum struct {
		NameTemplate string `yaml:"name_template"`
		Algorithm    string `yaml:"algorithm"`
	} `yaml:"checksum"`
	SBOMs     []map[string]any `yaml:"sboms"`
	Changelog map[string]any   `yaml:"changelog"`
	DockersV2 []struct {
		ID         string   `yaml:"id"`
		IDs        []string `yaml:"ids"`
		Dockerfile string   `yaml:"dockerfile"`
		Flags      []string `yaml:"flags"`
		Images     []string `yaml:"images"`
		Tags       []string `yaml:"tags"`
		Platforms  []string `yaml:"platforms"`
	} `yaml:"dockers_v2"`
}

func loadGoreleaser(t *testing.T) goreleaser {
	t.Helper()
	data, err := os.ReadFile("../../.goreleaser.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var g goreleaser
	if err := yaml.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Builds) != 1 || len(g.Archives) != 1 {
		t.Fatalf(".goreleaser.yaml: want one build and one archive, got %d and %d", len(g.Builds), len(g.Archives))
	}
	return g
}

// The release is what the installer (action/install.sh) expects: the
// platforms, the archive names, checksums.txt.
func TestReleaseMatchesTheInstaller(t *testing.T) {
	t.Parallel()
	g := loadGoreleaser(t)
	b := g.Builds[0]
	if b.Binary != "gitbook-sync" || b.Main != "./cmd/gitbook-sync" || g.ProjectName != "gitbook-sync" {
		t.Errorf("build %s of %s as %s, project %s", b.ID, b.Main, b.Binary, g.ProjectName)
	}
	for _, set := range []struct{ got, want []string }{{b.Goos, []string{"darwin", "linux", "windows"}}, {b.Goarch, []string{"amd64", "arm64"}}} {
		if got := slices.Sorted(slices.Values(set.got)); !slices.Equal(got, set.want) {
			t.Errorf("builds for %v, want %v", got, set.want)
		}
	}
	a := g.Archives[0]
	// install.sh and the fake release in action_test.go name archives
	// gitbook-sync_1.2.3_linux_amd64.tar.gz.
	if a.NameTemplate != "{{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}" || !slices.Equal(a.Formats, []string{"tar.gz"}) {
		t.Errorf("archives named %q as %v", a.NameTemplate, a.Formats)
	}
	if len(a.FormatOverrides) != 1 || a.FormatOverrides[0].Goos != "windows" || !slices.Equal(a.FormatOverrides[0].Formats, []string{"zip"}) {
		t.Errorf("format overrides %+v, want zip for windows", a.FormatOverrides)
	}
	if g.Checksum.NameTemplate != "checksums.txt" || g.Checksum.Algorithm != "sha256" {
		t.Errorf("checksum %+v", g.Checksum)
	}
	if len(g.SBOMs) == 0 || g.Changelog == nil || g.Changelog["disable"] == true {
		t.Error("the release needs SBOMs and a changelog")
	}
	script, err := os.ReadFile("../../action/install.sh")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`gitbook-sync_${tag#v}_${os}_${arch}.$archive_ext`, `archive_ext=zip`, `/releases/download/$1/checksums.txt`, `exe=gitbook-sync.exe`} {
		if !bytes.Contains(script, []byte(want)) {
			t.Errorf("action/install.sh does not read the release as named: no %s", want)
		}
	}
}

// dockerStage is one FROM … AS name of the Dockerfile.
type dockerStage struct {
	from         string
	instructions []string // "COPY …", "ENTRYPOINT …", as written
}

func parseDockerfile(t *testing.T, path string) map[string]dockerStage {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	stages := map[string]dockerStage{}
	var name string
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			t.Fatalf("%s: continuation lines are not parsed here", path)
		}
		f := strings.Fields(line)
		if strings.EqualFold(f[0], "FROM") {
			if len(f) != 4 || !strings.EqualFold(f[2], "AS") {
				t.Fatalf("%s: %q: want FROM image AS name", path, line)
			}
			name = f[3]
			stages[name] = dockerStage{from: f[1]}
			continue
		}
		s := stages[name]
		s.instructions = append(s.instructions, strings.ToUpper(f[0])+" "+strings.Join(f[1:], " "))
		stages[name] = s
	}
	return stages
}

// renderTag renders an image tag template for release v1.2.3 (or a
// pre-release), as goreleaser would.
func renderTag(t *testing.T, tpl string, prerelease bool) string {
	t.Helper()
	tm, err := template.New("tag").Parse(tpl)
	if err != nil {
		t.Fatalf("tag %q: %v", tpl, err)
	}
	data := map[string]any{"Tag": "v1.2.3", "Major": 1, "Minor": 2, "Prerelease": ""}
	if prerelease {
		data["Tag"], data["Prerelease"] = "v1.3.0-rc.1", "rc.1"
	}
	var b strings.Builder
	if err := tm.Execute(&b, data); err != nil {
		t.Fatalf("tag %q: %v", tpl, err)
	}
	return b.String()
}

// The images cannot be built here (no Docker engine); what can be checked
// is that they are made of the release binary where goreleaser puts it, as
// non-root, and that the GitLab one has the shell GitLab Runner needs.
func TestImages(t *testing.T) {
	t.Parallel()
	g := loadGoreleaser(t)
	binary := g.Builds[0].Binary
	images := map[string][]string{} // target -> tags of release v1.2.3
	for _, d := range g.DockersV2 {
		if !slices.Equal(d.IDs, []string{g.Builds[0].ID}) || !slices.Equal(d.Images, []string{"ghcr.io/gitbook-sync/gitbook-sync"}) {
			t.Errorf("image %s: ids %v images %v", d.ID, d.IDs, d.Images)
		}
		if !slices.Equal(d.Platforms, []string{"linux/amd64", "linux/arm64"}) {
			t.Errorf("image %s: platforms %v", d.ID, d.Platforms)
		}
		var target string
		for _, f := range d.Flags {
			if v, ok := strings.CutPrefix(f, "--target="); ok {
				target = v
			}
		}
		stages := parseDockerfile(t, filepath.Join("../..", d.Dockerfile))
		stage, ok := stages[target]
		if !ok {
			t.Errorf("image %s builds target %q, which %s does not have", d.ID, target, d.Dockerfile)
			continue
		}
		// dockers_v2 puts each platform's binary at <os>/<arch>/<binary>.
		want := []string{"ARG TARGETPLATFORM", "COPY $TARGETPLATFORM/" + binary + " /usr/local/bin/" + binary, "USER nonroot:nonroot"}
		for _, w := range want {
			if !slices.Contains(stage.instructions, w) {
				t.Errorf("%s target %s lacks %q: %v", d.Dockerfile, target, w, stage.instructions)
			}
		}
		for _, tag := range d.Tags {
			if r := renderTag(t, tag, false); r != "" {
				images[target] = append(images[target], r)
			}
			if r := renderTag(t, tag, true); r != "" && !strings.HasPrefix(r, "v1.3.0-rc.1") {
				t.Errorf("a pre-release would move tag %s", r)
			}
		}
	}

	stages := parseDockerfile(t, "../../Dockerfile")
	// docker run: distroless static, non-root, no shell, the binary first.
	static := stages["static"]
	if static.from != "gcr.io/distroless/static-debian12:nonroot" || !slices.Contains(static.instructions, `ENTRYPOINT ["/usr/local/bin/gitbook-sync"]`) {
		t.Errorf("static: FROM %s %v", static.from, static.instructions)
	}
	if got := images["static"]; !slices.Equal(got, []string{"v1.2.3", "v1.2", "v1", "latest"}) {
		t.Errorf("the docker run image is tagged %v", got)
	}
	// GitLab: Runner starts the container as `sh -c <script>`. distroless's
	// debug variants carry busybox in /busybox and put it on PATH
	// (GoogleContainerTools/distroless static/static.bzl); their entrypoint,
	// /busybox/sh, must be cleared or it would take the runner's `sh` as a
	// script name.
	shell := stages["shell"]
	if shell.from != "gcr.io/distroless/static-debian12:debug-nonroot" || !slices.Contains(shell.instructions, "ENTRYPOINT []") {
		t.Errorf("shell: FROM %s %v", shell.from, shell.instructions)
	}
	if got := images["shell"]; !slices.Equal(got, []string{"v1.2.3-shell", "v1.2-shell", "v1-shell", "latest-shell"}) {
		t.Errorf("the shell image is tagged %v", got)
	}
	// The README's GitLab job runs an image that is published, with a shell.
	var example map[string]gitlabJob
	data, err := os.ReadFile("../../examples/gitlab-ci.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &example); err != nil {
		t.Fatal(err)
	}
	image, _ := example["gitbook-sync"].Image.(string)
	repo, tag, _ := strings.Cut(image, ":")
	if repo != "ghcr.io/gitbook-sync/gitbook-sync" || !slices.Contains(images["shell"], tag) {
		t.Errorf("examples/gitlab-ci.yml runs %s, not a tag of the shell image %v", image, images["shell"])
	}
}

// The release workflow and CI check the configuration with one goreleaser.
func TestReleaseWorkflow(t *testing.T) {
	t.Parallel()
	type step struct {
		Uses string            `yaml:"uses"`
		With map[string]string `yaml:"with"`
	}
	versions := map[string]string{}
	for _, name := range []string{"release.yml", "ci.yml"} {
		data, err := os.ReadFile("../../.github/workflows/" + name)
		if err != nil {
			t.Fatal(err)
		}
		var wf struct {
			On   map[string]map[string][]string `yaml:"on"`
			Jobs map[string]struct {
				Steps []step `yaml:"steps"`
			} `yaml:"jobs"`
		}
		if err := yaml.Unmarshal(data, &wf); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, job := range wf.Jobs {
			for _, s := range job.Steps {
				if strings.HasPrefix(s.Uses, "goreleaser/goreleaser-action@") {
					versions[name] = s.With["version"]
					if want := map[string]string{"release.yml": "release --clean", "ci.yml": "check"}[name]; s.With["args"] != want {
						t.Errorf("%s runs goreleaser %q, want %q", name, s.With["args"], want)
					}
				}
			}
		}
		if name == "release.yml" && !slices.Equal(wf.On["push"]["tags"], []string{"v[0-9]+.[0-9]+.[0-9]+*"}) {
			// Not v*: the moving major tag (v1) must not start a release.
			t.Errorf("release.yml runs on tags %v", wf.On["push"]["tags"])
		}
	}
	if versions["release.yml"] == "" || versions["release.yml"] != versions["ci.yml"] {
		t.Errorf("goreleaser versions %v: pin one, the same in both", versions)
	}
}

// CI runs .ci/run on a clean clone: it must run the test command the
// README gives a new user ("Try it, then test it"), as a command of its
// own, not a variant of it.
func TestCIRunsTheREADMETestCommand(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "## Try it, then test it")
	_, block, _ := strings.Cut(section, "```sh\n")
	block, _, _ = strings.Cut(block, "```")
	var testCmd string
	for line := range strings.Lines(block) {
		cmd, _, _ := strings.Cut(line, "#")
		if cmd = strings.TrimSpace(cmd); strings.HasPrefix(cmd, "go test") {
			testCmd = cmd
		}
	}
	if testCmd == "" {
		t.Fatalf("no go test command in the README's set-up block:\n%s", block)
	}
	run, err := os.ReadFile("../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	var commands []string
	for line := range strings.Lines(string(run)) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			commands = append(commands, line)
		}
	}
	if !slices.Contains(commands, testCmd) {
		t.Errorf(".ci/run does not run the README's test command %q; its commands:\n%s", testCmd, strings.Join(commands, "\n"))
	}
}
