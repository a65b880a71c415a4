package gitbook

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// SiteSpace is a space published on a site, where the site structure puts
// it. docs.yaml names spaces by the same paths.
type SiteSpace struct {
	ID          string // the site space's ID
	SpaceID     string
	Title       string
	Path        string // the space's path on the site
	SectionPath string // path of its section; "" when the site has no sections
}

// SiteSpaces returns every space of a site with its path and section
// (getSiteStructure: one request, sections and section groups included).
func (c *Client) SiteSpaces(ctx context.Context, organization, site string) ([]SiteSpace, error) {
	var s siteStructure
	err := c.do(ctx, request{method: http.MethodGet,
		path: "/orgs/" + esc(organization) + "/sites/" + esc(site) + "/structure", out: &s})
	if err != nil {
		return nil, fmt.Errorf("site %s structure: %w", site, err)
	}
	var out []SiteSpace
	add := func(section string, list []siteSpace) {
		for _, ss := range list {
			out = append(out, SiteSpace{ID: ss.ID, SpaceID: ss.Space.ID, Title: ss.Title, Path: ss.Path, SectionPath: section})
		}
	}
	switch s.Type {
	case "siteSpaces":
		var list []siteSpace
		if err := json.Unmarshal(s.Structure, &list); err != nil {
			return nil, fmt.Errorf("site %s structure: %w", site, err)
		}
		add("", list)
	case "sections":
		var walk func(items []siteStructureItem)
		walk = func(items []siteStructureItem) {
			for _, it := range items {
				switch it.Object {
				case "site-section":
					add(it.Path, it.SiteSpaces)
				case "site-section-group":
					walk(it.Children)
				}
			}
		}
		var items []siteStructureItem
		if err := json.Unmarshal(s.Structure, &items); err != nil {
			return nil, fmt.Errorf("site %s structure: %w", site, err)
		}
		walk(items)
	default:
		return nil, fmt.Errorf("site %s structure: unknown type %q", site, s.Type)
	}
	return out, nil
}

// siteStructure is GitBook's SiteStructure: sections, or spaces at the top.
type siteStructure struct {
	Type      string          `json:"type"`
	Structure json.RawMessage `json:"structure"`
}

// siteStructureItem is a SiteSection, a SiteSectionGroup or a
// SiteExternalLink, told apart by object.
type siteStructureItem struct {
	Object     string              `json:"object"`
	Path       string              `json:"path"`
	SiteSpaces []siteSpace         `json:"siteSpaces"`
	Children   []siteStructureItem `json:"children"`
}

type siteSpace struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Path  string `json:"path"`
	Space struct {
		ID string `json:"id"`
	} `json:"space"`
}
