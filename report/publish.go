package report

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/sethvargo/go-githubactions"

	"github.com/gitbook-sync/gitbook-sync/ci"
	gbsync "github.com/gitbook-sync/gitbook-sync/sync"
)

// Publisher sends a run's report where CI shows it: the sticky pull
// request comment, the Actions step summary and outputs, annotations.
type Publisher struct {
	CI     *ci.Context
	Getenv func(string) string
	// Stdout receives GitHub Actions workflow commands.
	Stdout io.Writer
	// Stderr receives warnings people should read.
	Stderr io.Writer
}

// Published is what Publish did.
type Published struct {
	CommentURL, CommentOutcome string
}

// Actions returns the workflow-command writer, or nil outside GitHub Actions.
func (p *Publisher) Actions() *githubactions.Action {
	if p.CI == nil || p.CI.Provider != ci.GitHub {
		return nil
	}
	return githubactions.New(githubactions.WithGetenv(p.Getenv), githubactions.WithWriter(p.Stdout))
}

// Publish posts the comment (sync runs on pull requests) and, in GitHub
// Actions, writes the step summary, outputs and annotations.
func (p *Publisher) Publish(ctx context.Context, results []gbsync.Result, opts Options, comment bool) (*Published, error) {
	out := &Published{}
	pr := p.CI.PullRequest
	if comment && pr != nil {
		switch {
		case pr.Fork:
			p.warn("pull request #%d comes from a fork: its token cannot comment, so the report is in the step summary only", pr.Number)
		default:
			body, err := Render(results, Options{DryRun: opts.DryRun, Marker: opts.Marker, PageDiffs: opts.PageDiffs,
				TemplateFile: opts.TemplateFile, Redactor: opts.Redactor, MaxChars: GitHubCommentLimit})
			if err != nil {
				return out, err
			}
			if out.CommentURL, out.CommentOutcome, err = p.comment(ctx, opts.Marker, body, pr); err != nil {
				// The sync itself is done; a failed comment is reported,
				// not fatal.
				p.warn("%s", opts.Redactor.String(err.Error()))
			}
		}
	}
	if a := p.Actions(); a != nil {
		full, err := Render(results, Options{DryRun: opts.DryRun, Marker: opts.Marker, PageDiffs: opts.PageDiffs,
			TemplateFile: opts.TemplateFile, Redactor: opts.Redactor, MaxChars: StepSummaryLimit / 4})
		if err != nil {
			return out, err
		}
		if p.CI.StepSummary != "" {
			a.AddStepSummary(full)
		}
		if p.CI.Output != "" {
			setOutputs(a, results, out, opts)
		}
		annotate(a, results)
	}
	return out, nil
}

func (p *Publisher) comment(ctx context.Context, marker, body string, pr *ci.PullRequest) (string, string, error) {
	switch p.CI.Provider {
	case ci.GitHub:
		token := first(p.Getenv, "GITBOOK_SYNC_GITHUB_TOKEN", "GITHUB_TOKEN")
		if token == "" {
			return "", "", fmt.Errorf("no GitHub token to comment with: pass the workflow's token as GITHUB_TOKEN (permissions: pull-requests: write)")
		}
		g, err := NewGitHubComments(p.CI.APIURL, token, p.CI.Repository, pr.Number)
		if err != nil {
			return "", "", err
		}
		return g.Upsert(ctx, marker, body)
	case ci.GitLab:
		token := first(p.Getenv, "GITBOOK_SYNC_GITLAB_TOKEN", "GITLAB_TOKEN")
		job := false
		if token == "" {
			token, job = p.Getenv("CI_JOB_TOKEN"), true
		}
		if token == "" {
			return "", "", fmt.Errorf("no GitLab token to comment with: set GITBOOK_SYNC_GITLAB_TOKEN to a project or personal access token with the api scope")
		}
		project := p.CI.ProjectID
		if project == "" {
			project = p.CI.Repository
		}
		g, err := NewGitLabNotes(p.CI.APIURL, token, job, project, pr.Number)
		if err != nil {
			return "", "", err
		}
		url, outcome, err := g.Upsert(ctx, marker, body)
		if url != "" {
			url = pr.URL + url
		}
		return url, outcome, err
	}
	return "", "", nil
}

func (p *Publisher) warn(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if a := p.Actions(); a != nil {
		a.Warningf("%s", msg)
		return
	}
	fmt.Fprintln(p.Stderr, "gitbook-sync: warning:", msg)
}

func first(getenv func(string) string, names ...string) string {
	for _, n := range names {
		if v := getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// setOutputs sets the step outputs: the first space's values, for the
// common one-space case, and every space as JSON.
func setOutputs(a *githubactions.Action, results []gbsync.Result, pub *Published, opts Options) {
	if len(results) > 0 {
		r := results[0]
		a.SetOutput("state", string(r.State))
		a.SetOutput("decision", string(r.Decision))
		a.SetOutput("outcome", string(r.Outcome))
		a.SetOutput("revision", orElse(r.NewRevision, r.Revision))
		if r.ChangeRequest != nil {
			a.SetOutput("change-request-url", r.ChangeRequest.URL)
			a.SetOutput("change-request-number", strconv.Itoa(r.ChangeRequest.Number))
		}
	}
	a.SetOutput("comment-url", pub.CommentURL)
	type entry struct {
		Space, State, Decision, Outcome, Revision, ChangeRequestURL, Error string
	}
	var all []entry
	for _, r := range results {
		e := entry{Space: r.Space, State: string(r.State), Decision: string(r.Decision), Outcome: string(r.Outcome),
			Revision: orElse(r.NewRevision, r.Revision), Error: opts.Redactor.String(r.ErrorText())}
		if r.ChangeRequest != nil {
			e.ChangeRequestURL = r.ChangeRequest.URL
		}
		all = append(all, e)
	}
	data, _ := json.Marshal(all)
	a.SetOutput("results", string(data))
}

func orElse(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// annotate turns warnings that name a file and line into annotations.
func annotate(a *githubactions.Action, results []gbsync.Result) {
	for _, r := range results {
		for _, d := range r.Diagnostics {
			if d.File == "" {
				continue
			}
			fields := map[string]string{"file": d.File}
			if d.Line > 0 {
				fields["line"] = strconv.Itoa(d.Line)
			}
			if d.Col > 0 {
				fields["col"] = strconv.Itoa(d.Col)
			}
			a.WithFieldsMap(fields).Warningf("%s", d.Message)
		}
		if r.Err != nil {
			a.Errorf("space %s: %s", r.Space, r.ErrorText())
		}
	}
}
