// Package content implements GitBook's repository format: .gitbook.yaml,
// SUMMARY.md, front matter, and the mapping between files and pages. The
// emulator's import and export and the sync engine share it, so that what
// gitbook-sync predicts is what GitBook does.
package content

import (
	"bytes"
	"fmt"
	"path"
	"strings"

	"gopkg.in/yaml.v3"
)

// ConfigFile is GitBook's per-project configuration file.
const ConfigFile = ".gitbook.yaml"

// Config is a parsed .gitbook.yaml with GitBook's defaults applied.
type Config struct {
	Root      string            // directory of the content, relative to the project directory; "" for the project itself
	Readme    string            // first page, relative to Root
	Summary   string            // table of contents, relative to Root
	Redirects map[string]string // old path -> file, relative to Root
}

// DefaultConfig is what GitBook assumes without a .gitbook.yaml.
func DefaultConfig() Config {
	return Config{Readme: "README.md", Summary: "SUMMARY.md"}
}

// ParseConfig reads .gitbook.yaml. An empty file means the defaults. name is
// used in errors only.
func ParseConfig(data []byte, name string) (Config, error) {
	cfg := DefaultConfig()
	if len(bytes.TrimSpace(data)) == 0 {
		return cfg, nil
	}
	var raw struct {
		Root      string `yaml:"root"`
		Structure struct {
			Readme  string `yaml:"readme"`
			Summary string `yaml:"summary"`
		} `yaml:"structure"`
		Redirects map[string]string `yaml:"redirects"`
	}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return cfg, fmt.Errorf("%s: %w", name, err)
	}
	root, err := cleanRel(raw.Root)
	if err != nil {
		return cfg, fmt.Errorf("%s: root: %w", name, err)
	}
	cfg.Root = root
	if raw.Structure.Readme != "" {
		if cfg.Readme, err = cleanRel(raw.Structure.Readme); err != nil || cfg.Readme == "" {
			return cfg, fmt.Errorf("%s: structure.readme %q: want a file path inside the root", name, raw.Structure.Readme)
		}
	}
	if raw.Structure.Summary != "" {
		if cfg.Summary, err = cleanRel(raw.Structure.Summary); err != nil || cfg.Summary == "" {
			return cfg, fmt.Errorf("%s: structure.summary %q: want a file path inside the root", name, raw.Structure.Summary)
		}
	}
	cfg.Redirects = raw.Redirects
	return cfg, nil
}

// cleanRel normalises a relative path such as "./docs/" to "docs"; it
// refuses paths that leave the project.
func cleanRel(p string) (string, error) {
	p = strings.TrimSpace(p)
	if p == "" {
		return "", nil
	}
	c := path.Clean("/" + strings.TrimPrefix(p, "./"))
	if strings.HasPrefix(p, "/") || strings.HasPrefix(p, "..") || strings.Contains(p, "/../") {
		return "", fmt.Errorf("%q leaves the project directory", p)
	}
	c = strings.TrimPrefix(c, "/")
	if c == "." {
		c = ""
	}
	return c, nil
}

// Join joins repository path elements, ignoring empty ones.
func Join(elem ...string) string {
	var parts []string
	for _, e := range elem {
		if e != "" && e != "." {
			parts = append(parts, e)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return path.Join(parts...)
}
