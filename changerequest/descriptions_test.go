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
)

// keepsDescriptions stands between the client and the emulator, which does
// not keep a change request's description yet: GitBook's API description
// has updateChangeRequestById take one (a JSONDocument) and ChangeRequest
// carry it, so it stores each description given and puts it back in every
// change request answered.
type keepsDescriptions struct {
	next http.RoundTripper

	mu           sync.Mutex
	descriptions map[string]json.RawMessage // change request ID -> description
}

var crPath = regexp.MustCompile(`/change-requests/([^/]+)$`)

func (k *keepsDescriptions) RoundTrip(r *http.Request) (*http.Response, error) {
	if m := crPath.FindStringSubmatch(r.URL.Path); m != nil && r.Method == http.MethodPatch {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		var v struct {
			Description json.RawMessage `json:"description"`
		}
		if json.Unmarshal(body, &v) == nil && v.Description != nil {
			k.mu.Lock()
			if k.descriptions == nil {
				k.descriptions = map[string]json.RawMessage{}
			}
			k.descriptions[m[1]] = v.Description
			k.mu.Unlock()
		}
		r = r.Clone(r.Context())
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	}
	resp, err := k.next.RoundTrip(r)
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
		k.answer(v)
		data, _ = json.Marshal(v)
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	resp.ContentLength = int64(len(data))
	resp.Header.Set("Content-Length", strconv.Itoa(len(data)))
	return resp, nil
}

// answer puts the descriptions back, in every change request of an answer.
func (k *keepsDescriptions) answer(v any) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			k.answer(e)
		}
	case map[string]any:
		if id, ok := x["id"].(string); ok && x["object"] == "change-request" {
			k.mu.Lock()
			if d, ok := k.descriptions[id]; ok {
				x["description"] = d
			}
			k.mu.Unlock()
		}
		for _, e := range x {
			k.answer(e)
		}
	}
}
