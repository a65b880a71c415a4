package changerequest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/gitbook-sync/gitbook-sync/content"
)

// likeGitBook stands between the client and today's emulator and makes the
// exchange what GitBook's API description says, where the emulator does
// not yet:
//   - page lists and revisions carry no page bodies ("for the content of a
//     single page, use getPageById or getPageByPath"): an empty document
//     stands in, as the schema wants some form of content;
//   - submitted Markdown is normalised ("the stored page may differ from
//     what was sent"), by rules modelled on the Markdown GitBook's own
//     export writes (see gitbookMarkdown): not reversible, on purpose;
//   - page.git.path is relative to the repository root, not the project
//     directory (root is the project directory);
//   - a change request keeps the description it is given.
type likeGitBook struct {
	next http.RoundTripper
	root string

	mu           sync.Mutex
	descriptions map[string]json.RawMessage // change request ID -> description
}

var (
	crPath      = regexp.MustCompile(`/change-requests/([^/]+)`)
	bulletLine  = regexp.MustCompile(`(?m)^(\s*)[-+] `)
	strongUnder = regexp.MustCompile(`__([^_\n]+)__`)
	setextH1    = regexp.MustCompile(`(?m)^([^\n#][^\n]*)\n=+[ \t]*$`)
	blankRuns   = regexp.MustCompile(`\n{3,}`)
	trailing    = regexp.MustCompile(`(?m)[ \t]+$`)
)

// gitbookMarkdown rewrites Markdown the way GitBook writes it: "*" bullets,
// "**" strong, ATX headings, no trailing blanks, one blank line between
// blocks, one final newline. Front matter is kept as it is: GitBook reads
// it into page fields.
func gitbookMarkdown(s string) string {
	fm := ""
	if strings.HasPrefix(s, "---\n") {
		if end := strings.Index(s[4:], "\n---\n"); end >= 0 {
			fm, s = s[:4+end+5], s[4+end+5:]
		}
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = trailing.ReplaceAllString(s, "")
	s = setextH1.ReplaceAllString(s, "# $1")
	s = bulletLine.ReplaceAllString(s, "$1* ")
	s = strongUnder.ReplaceAllString(s, "**$1**")
	s = blankRuns.ReplaceAllString(strings.Trim(s, "\n"), "\n\n")
	if s != "" {
		s += "\n"
	}
	return fm + s
}

func (l *likeGitBook) RoundTrip(r *http.Request) (*http.Response, error) {
	crID := ""
	if m := crPath.FindStringSubmatch(r.URL.Path); m != nil {
		crID = m[1]
	}
	if r.Body != nil && r.Method != http.MethodGet {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		if edited := l.request(r, crID, body); edited != nil {
			body = edited
		}
		r = r.Clone(r.Context())
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	}
	resp, err := l.next.RoundTrip(r)
	if err != nil || resp.StatusCode >= 300 || !strings.Contains(resp.Header.Get("Content-Type"), "json") {
		return resp, err
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	var v any
	if json.Unmarshal(data, &v) == nil {
		keepBody := strings.Contains(r.URL.Path, "/content/page/") && r.URL.Query().Get("format") == "markdown"
		l.answer(v, keepBody)
		data, _ = json.Marshal(v)
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	resp.ContentLength = int64(len(data))
	resp.Header.Set("Content-Length", strconv.Itoa(len(data)))
	return resp, nil
}

// request rewrites what GitBook would store differently; nil keeps body.
func (l *likeGitBook) request(r *http.Request, crID string, body []byte) []byte {
	var v map[string]any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	switch {
	case r.Method == http.MethodPatch && crID != "":
		if d, ok := v["description"]; ok {
			raw, _ := json.Marshal(d)
			l.mu.Lock()
			if l.descriptions == nil {
				l.descriptions = map[string]json.RawMessage{}
			}
			l.descriptions[crID] = raw
			l.mu.Unlock()
		}
		return nil
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/content"):
		changes, _ := v["changes"].([]any)
		for _, c := range changes {
			if doc, ok := c.(map[string]any)["document"].(map[string]any); ok {
				if md, ok := doc["markdown"].(string); ok {
					doc["markdown"] = gitbookMarkdown(md)
				}
			}
		}
		out, _ := json.Marshal(v)
		return out
	}
	return nil
}

// answer edits an answer in place, walking every object in it.
func (l *likeGitBook) answer(v any, keepBody bool) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			l.answer(e, false)
		}
	case map[string]any:
		if x["object"] == "change-request" {
			l.mu.Lock()
			if d, ok := l.descriptions[x["id"].(string)]; ok {
				x["description"] = d
			}
			l.mu.Unlock()
		}
		if _, ok := x["markdown"].(string); ok && !keepBody {
			// The schema wants a document's content in one of its forms:
			// an empty one says nothing of the body.
			delete(x, "markdown")
			x["document"] = map[string]any{"object": "document", "data": map[string]any{}, "nodes": []any{}}
		}
		if g, ok := x["git"].(map[string]any); ok && l.root != "" {
			if p, ok := g["path"].(string); ok {
				g["path"] = content.Join(l.root, p)
			}
		}
		for k, e := range x {
			if k != "description" {
				l.answer(e, false)
			}
		}
	}
}
