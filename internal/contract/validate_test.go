package contract

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// TestCheckerCatchesViolations proves the checker fails what the description
// forbids and passes what it allows, for requests and answers alike.
func TestCheckerCatchesViolations(t *testing.T) {
	t.Parallel()
	gitInfo := `{"installationId":"i-1","installationProvider":"github","installationStatus":"active"}`
	notFound := `{"error":{"code":404,"message":"No Git provider"}}`
	tests := []struct {
		name        string
		method      string
		path        string
		contentType string
		reqBody     string
		status      int
		respBody    string
		wantFail    string // "" when the exchange is valid
	}{
		{"valid answer", "GET", "/v1/spaces/s1/git/info", "", "", 200, gitInfo, ""},
		{"valid error answer through a $ref", "GET", "/v1/spaces/s1/git/info", "", "", 404, notFound, ""},
		{"missing required field", "GET", "/v1/spaces/s1/git/info", "", "", 200, `{"installationId":"i-1"}`, "response 200"},
		{"wrong enum value", "GET", "/v1/spaces/s1/git/info", "", "", 200,
			`{"installationId":"i-1","installationProvider":"bitbucket","installationStatus":"active"}`, "installationProvider"},
		{"error answer in another shape", "GET", "/v1/spaces/s1/git/info", "", "", 404, `{"message":"nope"}`, "response 404"},
		{"trailing bytes after the JSON", "GET", "/v1/spaces/s1/git/info", "", "", 200, gitInfo + `{}`, "one JSON value"},
		{"undeclared status", "GET", "/v1/spaces/s1/git/info", "", "", 418, `{}`, "response 418"},
		{"unknown operation", "GET", "/v1/spaces/s1/nothing-here", "", "", 200, `{}`, "not a GitBook API operation"},
		{"request body of the wrong type", "POST", "/v1/spaces/s1/change-requests", "application/json", `{"subject":42}`, 201, `{}`, "request POST"},
		{"request body that is not JSON", "POST", "/v1/spaces/s1/change-requests", "application/json", `subject=x`, 201, `{}`, "request POST"},
		{"body where none is taken", "GET", "/v1/spaces/s1/git/info", "application/json", `{"x":1}`, 200, gitInfo, "takes no request body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var failures []string
			c := &Checker{Fail: func(err error) {
				mu.Lock()
				failures = append(failures, err.Error())
				mu.Unlock()
			}}
			h := c.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.respBody)
			}))
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.reqBody))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			h.ServeHTTP(httptest.NewRecorder(), req)
			got := strings.Join(failures, "\n")
			switch {
			case tt.wantFail == "" && got != "":
				t.Fatalf("valid exchange refused: %s", got)
			case tt.wantFail != "" && !strings.Contains(got, tt.wantFail):
				t.Fatalf("violation not caught: want a failure mentioning %q, got %q", tt.wantFail, got)
			}
		})
	}
}

// BenchmarkCheckAnswer measures one checked exchange: compiled schemas are
// reused, so this stays far below a compile per answer.
func BenchmarkCheckAnswer(b *testing.B) {
	c := &Checker{Fail: func(err error) { b.Fatal(err) }}
	body := `{"installationId":"i-1","installationProvider":"github","installationStatus":"active"}`
	h := c.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}))
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/v1/spaces/s1/git/info", nil))
	}
}
