package cilayout

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// GitLabPipeline is what created a pipeline.
type GitLabPipeline struct {
	Source string // push or merge_request_event
	Branch string // push: the pushed branch
	IID    int    // merge_request_event: the merge request
	// MergedResult makes a merged results pipeline: it runs on the merge
	// commit GitLab makes of the merge request and its target branch.
	MergedResult bool
}

// GitLabOptions are the job's settings.
type GitLabOptions struct {
	// Depth is the fetch depth: the job's GIT_DEPTH variable, else the
	// project's setting (20 for new projects); 0 fetches everything. The
	// job's variables, GIT_DEPTH included, are the caller's to add.
	Depth    int
	APIURL   string // CI_API_V4_URL (a fake GitLab in tests)
	JobToken string // CI_JOB_TOKEN
}

// GitLabDefaultDepth is GitLab's default GIT_DEPTH for new projects.
const GitLabDefaultDepth = 20

// GitLabVariables are every variable a GitLabRun may set.
var GitLabVariables = []string{
	"CI", "GITLAB_CI", "CI_SERVER", "CI_SERVER_NAME", "CI_SERVER_URL", "CI_API_V4_URL", "CI_PROJECT_ID",
	"CI_PROJECT_PATH", "CI_PROJECT_NAME", "CI_PROJECT_NAMESPACE", "CI_PROJECT_URL", "CI_PROJECT_DIR",
	"CI_BUILDS_DIR", "CI_DEFAULT_BRANCH", "CI_REPOSITORY_URL", "CI_JOB_TOKEN", "CI_JOB_ID", "CI_PIPELINE_ID",
	"CI_PIPELINE_IID", "CI_PIPELINE_SOURCE", "CI_PIPELINE_URL", "CI_COMMIT_SHA", "CI_COMMIT_SHORT_SHA",
	"CI_COMMIT_BEFORE_SHA", "CI_COMMIT_REF_NAME", "CI_COMMIT_REF_SLUG", "CI_COMMIT_BRANCH", "CI_COMMIT_TITLE",
	"CI_COMMIT_MESSAGE", "CI_COMMIT_REF_PROTECTED", "CI_OPEN_MERGE_REQUESTS", "GITLAB_USER_LOGIN", "GIT_DEPTH",
	"CI_MERGE_REQUEST_ID", "CI_MERGE_REQUEST_IID", "CI_MERGE_REQUEST_TITLE", "CI_MERGE_REQUEST_PROJECT_ID",
	"CI_MERGE_REQUEST_PROJECT_PATH", "CI_MERGE_REQUEST_PROJECT_URL", "CI_MERGE_REQUEST_REF_PATH",
	"CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "CI_MERGE_REQUEST_SOURCE_PROJECT_ID", "CI_MERGE_REQUEST_SOURCE_PROJECT_PATH",
	"CI_MERGE_REQUEST_SOURCE_PROJECT_URL", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "CI_MERGE_REQUEST_DIFF_ID",
	"CI_MERGE_REQUEST_DIFF_BASE_SHA", "CI_MERGE_REQUEST_EVENT_TYPE", "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA",
	"CI_MERGE_REQUEST_TARGET_BRANCH_SHA",
}

// GitLabRun lays out the working copy of a pipeline's job under root
// (standing for the runner's /builds) as GitLab Runner does with the
// fetch strategy, and returns the job's predefined variables.
func (h *Host) GitLabRun(root string, pl GitLabPipeline, opt GitLabOptions) (*Run, error) {
	if h.Provider != GitLab {
		return nil, fmt.Errorf("a GitLab pipeline on a %s host", h.Provider)
	}
	group, name := h.Repository[:strings.LastIndex(h.Repository, "/")], h.Repository[strings.LastIndex(h.Repository, "/")+1:]
	dir := filepath.Join(root, "builds", filepath.FromSlash(h.Repository))
	v := map[string]string{}
	var sha, branch string
	switch pl.Source {
	case "push":
		sha, branch = h.Tip(pl.Branch), pl.Branch
		if sha == "" {
			return nil, fmt.Errorf("push to %s: no such branch", pl.Branch)
		}
		v["CI_COMMIT_BRANCH"], v["CI_COMMIT_REF_NAME"], v["CI_COMMIT_BEFORE_SHA"] = branch, branch, h.Before(branch)
	case "merge_request_event":
		p, err := h.open(pl.IID)
		if err != nil {
			return nil, err
		}
		sha = p.HeadSHA
		kind := "detached"
		if pl.MergedResult {
			kind = "merged_result"
			if sha, err = h.MergedResult(pl.IID); err != nil {
				return nil, err
			}
			v["CI_MERGE_REQUEST_SOURCE_BRANCH_SHA"], v["CI_MERGE_REQUEST_TARGET_BRANCH_SHA"] = p.HeadSHA, p.BaseSHA
		}
		base, err := h.Git("merge-base", p.BaseSHA, p.HeadSHA)
		if err != nil {
			return nil, err
		}
		project := strconv.Itoa(h.ProjectID)
		for k, val := range map[string]string{
			"CI_COMMIT_REF_NAME": p.HeadBranch, "CI_COMMIT_BEFORE_SHA": zeroSHA,
			"CI_MERGE_REQUEST_ID": strconv.Itoa(90000 + p.Number), "CI_MERGE_REQUEST_IID": strconv.Itoa(p.Number),
			"CI_MERGE_REQUEST_TITLE": p.Title, "CI_MERGE_REQUEST_PROJECT_ID": project, "CI_MERGE_REQUEST_PROJECT_PATH": h.Repository,
			"CI_MERGE_REQUEST_PROJECT_URL": h.ProjectURL(), "CI_MERGE_REQUEST_REF_PATH": h.headRef(p.Number),
			"CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": p.HeadBranch, "CI_MERGE_REQUEST_SOURCE_PROJECT_ID": project,
			"CI_MERGE_REQUEST_SOURCE_PROJECT_PATH": h.Repository, "CI_MERGE_REQUEST_SOURCE_PROJECT_URL": h.ProjectURL(),
			"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": p.Base, "CI_MERGE_REQUEST_DIFF_ID": strconv.Itoa(80000 + h.pipeline),
			"CI_MERGE_REQUEST_DIFF_BASE_SHA": base, "CI_MERGE_REQUEST_EVENT_TYPE": kind,
		} {
			v[k] = val
		}
		branch = p.HeadBranch
	default:
		return nil, fmt.Errorf("pipeline source %q: want push or merge_request_event", pl.Source)
	}
	id, err := h.newPipelineRef(sha)
	if err != nil {
		return nil, err
	}
	commands, err := h.runnerFetch(dir, id, pl.Source == "push", branch, sha, opt.Depth)
	if err != nil {
		return nil, err
	}
	msg, err := h.Git("show", "-s", "--format=%B", sha)
	if err != nil {
		return nil, err
	}
	title, _, _ := strings.Cut(msg, "\n")
	var open []string
	for _, p := range h.OpenFrom(branch) {
		open = append(open, fmt.Sprintf("%s!%d", h.Repository, p.Number))
	}
	if len(open) > 4 {
		open = open[:4]
	}
	for k, val := range map[string]string{
		"CI": "true", "GITLAB_CI": "true", "CI_SERVER": "yes", "CI_SERVER_NAME": "GitLab", "CI_SERVER_URL": h.ServerURL(),
		"CI_API_V4_URL": opt.APIURL, "CI_PROJECT_ID": strconv.Itoa(h.ProjectID), "CI_PROJECT_PATH": h.Repository,
		"CI_PROJECT_NAME": name, "CI_PROJECT_NAMESPACE": group, "CI_PROJECT_URL": h.ProjectURL(), "CI_PROJECT_DIR": dir,
		"CI_BUILDS_DIR": filepath.Join(root, "builds"), "CI_DEFAULT_BRANCH": h.DefaultBranch, "CI_REPOSITORY_URL": h.URL(),
		"CI_JOB_TOKEN": opt.JobToken, "CI_JOB_ID": strconv.Itoa(50000 + id), "CI_PIPELINE_ID": strconv.Itoa(id),
		"CI_PIPELINE_IID": strconv.Itoa(id - 1000), "CI_PIPELINE_SOURCE": pl.Source,
		"CI_PIPELINE_URL": fmt.Sprintf("%s/-/pipelines/%d", h.ProjectURL(), id),
		"CI_COMMIT_SHA":   sha, "CI_COMMIT_SHORT_SHA": sha[:8], "CI_COMMIT_REF_SLUG": refSlug(branch),
		"CI_COMMIT_TITLE": title, "CI_COMMIT_MESSAGE": msg, "CI_COMMIT_REF_PROTECTED": strconv.FormatBool(branch == h.DefaultBranch),
		"GITLAB_USER_LOGIN": "writer", "CI_OPEN_MERGE_REQUESTS": strings.Join(open, ","),
	} {
		v[k] = val
	}
	return &Run{Dir: dir, Env: v, Commands: commands}, nil
}

var slugUnsafe = regexp.MustCompile(`[^a-z0-9]`)

// refSlug is GitLab's CI_COMMIT_REF_SLUG: lower case, 63 bytes, other
// characters replaced by '-', no '-' at either end.
func refSlug(ref string) string {
	s := slugUnsafe.ReplaceAllString(strings.ToLower(ref), "-")
	if len(s) > 63 {
		s = s[:63]
	}
	return strings.Trim(s, "-")
}

// runnerFetch runs GitLab Runner's fetch strategy in a new directory.
func (h *Host) runnerFetch(dir string, pipeline int, branchPipeline bool, branch, sha string, depth int) ([]string, error) {
	template := dir + ".tmp/git-template"
	if err := os.MkdirAll(template, 0o755); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	r := &recorder{dir: dir, env: gitEnv()}
	config := filepath.Join(template, "config")
	for _, kv := range [][2]string{{"init.defaultBranch", "none"}, {"fetch.recurseSubmodules", "false"}, {"credential.interactive", "never"}, {"gc.autoDetach", "false"}} {
		r.run("config", "-f", config, kv[0], kv[1])
	}
	r.run("init", dir, "--template", template)
	r.run("remote", "add", "origin", h.URL())
	ref := fmt.Sprintf("refs/pipelines/%d", pipeline)
	args := []string{"-c", "http.userAgent=gitlab-runner 18.0.0 linux/amd64", "fetch", "origin", "--no-recurse-submodules", "+" + ref + ":" + ref}
	if depth > 0 {
		if branchPipeline {
			args = append(args, "+refs/heads/"+branch+":refs/remotes/origin/"+branch)
		}
		args = append(args, "--depth", strconv.Itoa(depth))
	} else {
		args = append(args, "+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*")
	}
	r.run(append(args, "--prune", "--quiet")...)
	r.run("-c", "submodule.recurse=false", "checkout", "-f", "-q", sha)
	r.run("clean", "-ffdx")
	return r.commands, r.err
}
