package main

import (
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// actionInputs maps the GitHub Action's inputs (action.yml, passed as
// INPUT_* variables) to flags. action_test.go checks the three agree.
var actionInputs = []struct {
	input, env, flag string
	boolean          bool
}{
	{"config", "INPUT_CONFIG", "config", false},
	{"space", "INPUT_SPACE", "space", false},
	{"path", "INPUT_PATH", "path", false},
	{"branch", "INPUT_BRANCH", "branch", false},
	{"mode", "INPUT_MODE", "mode", false},
	{"force", "INPUT_FORCE", "force", true},
	{"repo-url", "INPUT_REPO_URL", "repo-url", false},
	{"timeout", "INPUT_TIMEOUT", "timeout", false},
	{"shard", "INPUT_SHARD", "shard", false},
	{"page-diffs", "INPUT_PAGE_DIFFS", "page-diffs", true},
	{"template", "INPUT_TEMPLATE", "template", false},
}

// actionCommand runs plan or sync from the Action's inputs.
func (a *app) actionCommand() *cobra.Command {
	return &cobra.Command{
		Use:    "action",
		Short:  "Run as the GitHub Action step: plan or sync from INPUT_* variables",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			verb := a.getenv("INPUT_COMMAND")
			switch {
			case a.getenv("INPUT_DRY_RUN") == "true":
				verb = "plan"
			case verb == "":
				verb = "sync"
			case verb != "sync" && verb != "plan":
				return usagef("input command %q: use sync or plan", verb)
			}
			args := []string{verb}
			for _, in := range actionInputs {
				v := a.getenv(in.env)
				switch {
				case v == "":
				case in.boolean:
					if v == "true" {
						args = append(args, "--"+in.flag)
					} else if v != "false" {
						return usagef("input %s %q: use true or false", in.input, v)
					}
				case in.flag == "config":
					// The default name may not exist: flags alone then.
					if _, err := os.Stat(filepath.Join(a.repoDir, v)); err == nil || v != ".gitbook-sync.yaml" {
						args = append(args, "--config", filepath.Join(a.repoDir, v))
					}
				default:
					args = append(args, "--"+in.flag, v)
				}
			}
			root := a.rootCommand()
			root.SetArgs(args)
			root.SetOut(a.stdout)
			root.SetErr(a.stderr)
			return root.ExecuteContext(cmd.Context())
		},
	}
}
