package gitformat

import (
	"fmt"
	"path"
	"strings"

	yaml "go.yaml.in/yaml/v4"
)

// ConfigFile is the name of a space's Git Sync configuration.
const ConfigFile = ".gitbook.yaml"

// Config is a space's .gitbook.yaml. Paths are clean and relative: Root to
// the project directory, the others to Root, as GitBook's docs say.
type Config struct {
	Root      string
	Readme    string
	Summary   string
	Redirects map[string]string
}

// DefaultConfig is what GitBook uses without a .gitbook.yaml.
func DefaultConfig() Config { return Config{Readme: "README.md", Summary: "SUMMARY.md"} }

// ParseConfig reads .gitbook.yaml. An empty file (GitBook's own docs
// repository has one) means the defaults.
func ParseConfig(data []byte) (Config, error) {
	var raw struct {
		Root      string `yaml:"root"`
		Structure struct {
			Readme  string `yaml:"readme"`
			Summary string `yaml:"summary"`
		} `yaml:"structure"`
		Redirects map[string]string `yaml:"redirects"`
	}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return Config{}, err
	}
	c := DefaultConfig()
	var err error
	if c.Root, err = cleanPath(raw.Root, "root"); err != nil {
		return Config{}, err
	}
	if raw.Structure.Readme != "" {
		if c.Readme, err = cleanPath(raw.Structure.Readme, "structure.readme"); err != nil {
			return Config{}, err
		}
	}
	if raw.Structure.Summary != "" {
		if c.Summary, err = cleanPath(raw.Structure.Summary, "structure.summary"); err != nil {
			return Config{}, err
		}
	}
	c.Redirects = raw.Redirects
	return c, nil
}

func cleanPath(p, field string) (string, error) {
	c := path.Clean(strings.TrimPrefix(strings.TrimSpace(p), "/"))
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("%s: %s leaves the project directory", field, QuoteCut(p))
	}
	if c == "." {
		c = ""
	}
	return c, nil
}

// render writes the configuration GitBook's docs show as the typical one.
func (c Config) render() []byte {
	root := "./"
	if c.Root != "" {
		root = "./" + c.Root + "/"
	}
	return fmt.Appendf(nil, "root: %s\n\nstructure:\n  readme: %s\n  summary: %s\n", root, c.Readme, c.Summary)
}

// join joins slash paths, ignoring empty parts.
func join(parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p != "" && p != "." {
			keep = append(keep, strings.Trim(p, "/"))
		}
	}
	return path.Join(keep...)
}
