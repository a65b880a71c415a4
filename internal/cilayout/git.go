package cilayout

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Identity is who makes a commit.
type Identity struct{ Name, Email string }

// Identities the hosts use for the commits they make themselves.
var (
	// GitHubIdentity commits GitHub's test merges and web merges.
	GitHubIdentity = Identity{"GitHub", "noreply@github.com"}
	// Developer writes and pushes the docs.
	Developer = Identity{"Writer", "writer@example.com"}
)

// gitEnv is the whole environment of every git command: nothing from the
// machine running the tests (no system or global configuration, no
// credential prompts), fixed locale and time zone, so that two runs of a
// layout make the same commits.
func gitEnv(extra ...string) []string {
	return append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.DevNull,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=" + os.DevNull,
		"GIT_TERMINAL_PROMPT=0",
		"LC_ALL=C",
		"TZ=UTC",
	}, extra...)
}

// commitEnv fixes author and committer and their dates.
func commitEnv(author, committer Identity, when time.Time) []string {
	date := when.UTC().Format(time.RFC3339)
	return gitEnv(
		"GIT_AUTHOR_NAME="+author.Name, "GIT_AUTHOR_EMAIL="+author.Email, "GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_NAME="+committer.Name, "GIT_COMMITTER_EMAIL="+committer.Email, "GIT_COMMITTER_DATE="+date,
	)
}

// Git runs git in dir with the layouts' clean environment.
func Git(dir string, args ...string) (string, error) { return git(dir, gitEnv(), args...) }

// git runs one git command in dir and returns its trimmed standard output.
func git(dir string, env []string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s (in %s): %w\n%s", strings.Join(args, " "), dir, err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stdout.String()), nil
}

// recorder runs commands and keeps them, as a runner's log shows them.
type recorder struct {
	dir      string
	env      []string
	commands []string
	err      error
}

// run runs git unless an earlier command failed.
func (r *recorder) run(args ...string) string {
	if r.err != nil {
		return ""
	}
	r.commands = append(r.commands, "git "+strings.Join(args, " "))
	out, err := git(r.dir, r.env, args...)
	r.err = err
	return out
}
