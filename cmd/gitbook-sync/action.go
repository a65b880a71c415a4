package main

import (
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gitbook-sync/gitbook-sync/config"
)

// actionInputs maps the GitHub Action's inputs (action.yml, passed as
// INPUT_* variables) to sync's flags. action_test.go checks the three agree.
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

// NewCmdAction runs plan or sync from the Action's inputs. Each input is
// set on sync's own flag set, so it is parsed and checked exactly as the
// flag would be, and the run starts directly: no argument list is rebuilt
// and the root command is not entered again.
func NewCmdAction(f *Factory, runF func(*SyncOptions) error) *cobra.Command {
	return &cobra.Command{
		Use:    "action",
		Short:  "Run as the GitHub Action step: plan or sync from INPUT_* variables",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := actionOptions(f)
			if err != nil {
				return err
			}
			o.ctx = cmd.Context()
			if runF != nil {
				return runF(o)
			}
			return syncRun(o)
		},
	}
}

func actionOptions(f *Factory) (*SyncOptions, error) {
	verb := f.Getenv("INPUT_COMMAND")
	switch {
	case f.Getenv("INPUT_DRY_RUN") == "true":
		verb = "plan"
	case verb == "":
		verb = "sync"
	case verb != "sync" && verb != "plan":
		return nil, usagef("input command %q: use sync or plan", verb)
	}
	o := newSyncOptions(f, verb == "plan")
	fs := pflag.NewFlagSet("action", pflag.ContinueOnError)
	o.bindFlags(fs)
	for _, in := range actionInputs {
		v := f.Getenv(in.env)
		switch {
		case v == "":
		case in.boolean && v != "true" && v != "false":
			return nil, usagef("input %s %q: use true or false", in.input, v)
		case in.flag == "config":
			// The default name may not exist: flags alone then.
			path := filepath.Join(f.Global.Repo, v)
			if _, err := os.Stat(path); err == nil || v != config.FileName {
				f.Global.Config = path
			}
		default:
			if err := fs.Set(in.flag, v); err != nil {
				return nil, usagef("input %s %q: %v", in.input, v, err)
			}
		}
	}
	o.changed = func(name string) bool { return fs.Changed(name) }
	return o, nil
}
