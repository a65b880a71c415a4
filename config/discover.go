package config

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/internal/diag"
)

// ErrNoConfig is returned by Discover when the repository has neither
// .gitbook-sync.yaml nor docs.yaml.
var ErrNoConfig = errors.New("no " + FileName + " and no " + SiteFile)

// Discover finds the spaces of the repository checked out at repoDir, as
// `sync` and `plan` (online or --offline) need them:
//
//   - file, or .gitbook-sync.yaml at the root when file is "", is read
//     when it exists (a missing file named explicitly is an error matching
//     fs.ErrNotExist);
//   - when docs.yaml is present (site.config, default docs.yaml at the
//     root), the spaces come from it: each space whose content.directory
//     is set, in the file's order, with the settings of the spaces: entry
//     of the same key (or the same directory); spaces with
//     content.directory: null are skipped; entries of .gitbook-sync.yaml
//     that match no docs.yaml space stay as further spaces;
//   - every path (this file, spaces, docs.yaml, OpenAPI files) must stay
//     inside the repository: symbolic links are followed while they do
//     (content.ResolveLinks, the rule the Git tree is read by), and a path
//     that a link takes out of it is refused, naming the file and the
//     field.
//
// Space IDs of docs.yaml spaces come from site.spaces; the rest need
// ResolveIDs (online) and are left empty, which is enough for plan
// --offline. Problems are errors (*Error, diag.As finds them, exit code
// 2) with their file, line and column; warnings are in Config.Diagnostics.
func Discover(repoDir, file string) (*Config, error) {
	root, err := os.OpenRoot(repoDir)
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", repoDir, err)
	}
	defer root.Close()

	var cfg *Config
	switch {
	case file != "":
		if cfg, err = Load(file); err != nil {
			return nil, err
		}
	default:
		if err := refuseOutside(root, FileName, FileName, "", 0, 0); err != nil {
			return nil, err
		}
		data, err := root.ReadFile(FileName)
		switch {
		case err == nil:
			if cfg, err = Parse(data, FileName); err != nil {
				return nil, err
			}
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("read %s: %w", FileName, err)
		}
	}

	sitePath, explicitSite := SiteFile, false
	if cfg != nil && cfg.Site != nil {
		explicitSite = true
		if cfg.Site.Config != "" {
			sitePath = path.Clean(strings.TrimPrefix(cfg.Site.Config, "./"))
		}
	}
	if err := refuseOutside(root, sitePath, cfgFile(cfg, sitePath), "site.config", siteLine(cfg), 0); err != nil {
		return nil, err
	}
	data, err := root.ReadFile(sitePath)
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrNotExist) && explicitSite:
		return nil, &Error{File: cfg.File, Line: cfg.Site.Line, Field: "site.config", Msg: fmt.Sprintf("%s does not exist in the repository", sitePath)}
	case errors.Is(err, fs.ErrNotExist):
		if cfg == nil {
			return nil, fmt.Errorf("%w in %s: run gitbook-sync init, or pass --space", ErrNoConfig, repoDir)
		}
		return cfg, checkPaths(root, cfg)
	default:
		return nil, fmt.Errorf("read %s: %w", sitePath, err)
	}

	site, warnings, err := ParseSite(data, sitePath)
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		cfg = &Config{}
	}
	cfg.Diagnostics = append(cfg.Diagnostics, warnings...)
	if err := cfg.merge(site); err != nil {
		return nil, err
	}
	return cfg, checkPaths(root, cfg)
}

func cfgFile(cfg *Config, fallback string) string {
	if cfg != nil && cfg.File != "" {
		return cfg.File
	}
	return fallback
}

func siteLine(cfg *Config) int {
	if cfg != nil && cfg.Site != nil {
		return cfg.Site.Line
	}
	return 0
}

// merge makes the spaces from docs.yaml and the configuration's entries.
func (c *Config) merge(site *SiteConfig) error {
	var problems diag.List
	fail := func(line, col int, field, format string, args ...any) {
		d := diag.Errorf(c.File, line, col, format, args...)
		d.Field = field
		problems = append(problems, d)
	}
	ids := map[string]string{}
	org := ""
	if c.Site != nil {
		ids, org = c.Site.Spaces, c.Site.Organization
	}
	byKey := map[string]SiteSpace{}
	var allKeys []string
	for _, s := range site.Spaces {
		byKey[s.Key] = s
		allKeys = append(allKeys, s.Key)
	}
	unknown := func(key string) string {
		if s := diag.Suggest(key, allKeys); s != "" {
			return fmt.Sprintf("%q is not a space of %s; did you mean %s?", key, site.File, s)
		}
		return fmt.Sprintf("%q is not a space of %s; its spaces: %s", key, site.File, strings.Join(allKeys, ", "))
	}
	for _, key := range slices.Sorted(maps.Keys(ids)) {
		if _, ok := byKey[key]; !ok {
			pos := c.Site.KeyLines[key]
			fail(pos[0], pos[1], "site.spaces."+key, "%s", unknown(key))
		}
	}
	used := make([]bool, len(c.Spaces))
	var out []Space
	for _, s := range site.Spaces {
		i := slices.IndexFunc(c.Spaces, func(e Space) bool { return e.Key == s.Key })
		if i < 0 && s.Synced {
			i = slices.IndexFunc(c.Spaces, func(e Space) bool { return e.Key == "" && cleanDir(e.Path) == s.Directory })
		}
		sp := Space{Mode: ModeAuto, Comment: Comment{Enabled: true}}
		if i >= 0 {
			sp, used[i] = c.Spaces[i], true
		}
		if !s.Synced {
			if i >= 0 {
				fail(sp.Line, sp.Col, "spaces.key", "%q has content.directory: null in %s: it does not come from this repository", s.Key, site.File)
			}
			continue
		}
		sp.Key, sp.Title, sp.Path = s.Key, s.Title, cmp.Or(s.Directory, ".")
		if sp.Space == "" {
			sp.Space = ids[s.Key]
		}
		if sp.Organization == "" {
			sp.Organization = org
		}
		out = append(out, sp)
	}
	for i, e := range c.Spaces {
		switch {
		case used[i]:
		case e.Key != "":
			fail(e.Line, e.Col, "spaces.key", "%s", unknown(e.Key))
		default:
			out = append(out, e) // synced on its own, outside the site
		}
	}
	if err := errorsOf(problems); err != nil {
		return err
	}
	c.Spaces, c.SiteConfig = out, site
	return nil
}

// cleanDir normalises a configured directory: "./docs/" is "docs", the
// root is "".
func cleanDir(p string) string {
	c := path.Clean("/" + strings.TrimPrefix(p, "./"))[1:]
	return c
}

// checkPaths refuses configured paths that a symbolic link takes out of
// the repository. The run reads the Git tree by the same rule; checking
// here too names the setting, and keeps what reads the checkout (OpenAPI
// specs) inside it.
func checkPaths(root *os.Root, c *Config) error {
	var errs []error
	for _, sp := range c.Spaces {
		file, line, col, field := c.File, sp.Line, sp.Col, "spaces.path"
		if s := c.siteSpace(sp.Key); s != nil {
			file, line, col, field = c.SiteConfig.File, s.Line, s.Col, "content.directory"
		}
		if err := refuseOutside(root, cleanDir(sp.Path), file, field, line, col); err != nil {
			errs = append(errs, err)
		}
		for _, o := range sp.OpenAPI {
			if o.File == "" {
				continue
			}
			if err := refuseOutside(root, cleanDir(o.File), c.File, "spaces.openapi.file", o.Line, 0); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// siteSpace returns the docs.yaml space of key, or nil.
func (c *Config) siteSpace(key string) *SiteSpace {
	if c.SiteConfig == nil || key == "" {
		return nil
	}
	for i := range c.SiteConfig.Spaces {
		if c.SiteConfig.Spaces[i].Key == key {
			return &c.SiteConfig.Spaces[i]
		}
	}
	return nil
}

// refuseOutside returns an *Error when rel (a path inside the repository)
// leads out of it through a symbolic link, by the rule of
// content.ResolveLinks. Anything else is left to the read that needs the
// file.
func refuseOutside(root *os.Root, rel, file, field string, line, col int) error {
	_, err := content.ResolveOnDisk(root, rel)
	if errors.Is(err, content.ErrOutside) {
		return &Error{File: file, Line: line, Col: col, Field: field,
			Msg: err.Error()}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", rel, err)
	}
	return nil
}

// SiteSpaceLister is the part of the GitBook client that finds a site's
// spaces (gitbook.Client.SiteSpaces).
type SiteSpaceLister interface {
	SiteSpaces(ctx context.Context, organization, site string) ([]gitbook.SiteSpace, error)
}

// ResolveIDs fills the IDs of docs.yaml spaces that have none from the
// site's API: the site space whose section path and path are those of the
// docs.yaml space. It needs site.organization and site.site; without them,
// or for a space the site does not have, the error (MissingIDs) says what
// to set.
func (c *Config) ResolveIDs(ctx context.Context, api SiteSpaceLister) error {
	if len(c.MissingIDs()) == 0 {
		return nil
	}
	if c.Site != nil && c.Site.Organization != "" && c.Site.Site != "" && c.SiteConfig != nil {
		list, err := api.SiteSpaces(ctx, c.Site.Organization, c.Site.Site)
		if err != nil {
			return fmt.Errorf("look up the spaces of site %s: %w", c.Site.Site, err)
		}
		for i, sp := range c.Spaces {
			s := c.siteSpace(sp.Key)
			if sp.Space != "" || s == nil {
				continue
			}
			for _, ss := range list {
				if ss.Path == s.Path && ss.SectionPath == s.SectionPath {
					c.Spaces[i].Space = ss.SpaceID
				}
			}
		}
	}
	return errorsOf(c.MissingIDs())
}

// MissingIDs lists, as errors, the spaces that have no space ID yet.
func (c *Config) MissingIDs() diag.List {
	var out diag.List
	lookup := c.Site != nil && c.Site.Organization != ""
	for _, sp := range c.Spaces {
		if sp.Space != "" {
			continue
		}
		file, line, col := c.File, sp.Line, sp.Col
		hint := fmt.Sprintf("add %s: <space ID> under site.spaces in %s", sp.Key, FileName)
		if s := c.siteSpace(sp.Key); s != nil {
			file, line, col = c.SiteConfig.File, s.Line, s.Col
			if lookup {
				hint = fmt.Sprintf("the site has no space at path %q; check site.site, or %s", s.Path, hint)
			} else {
				hint += ", or set site.organization and site.site to look it up"
			}
		}
		d := diag.Errorf(file, line, col, "space %q has no space ID: %s", sp.Name(), hint)
		d.Field = "site.spaces." + sp.Key
		out = append(out, d)
	}
	return out
}
