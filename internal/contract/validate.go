package contract

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

//go:embed testdata/gitbook-api-subset.json
var subsetFS embed.FS

var (
	loadOnce  sync.Once
	loadedDoc *openapi3.T
	loadedRtr routers.Router
	loadErr   error
)

func load() (*openapi3.T, routers.Router, error) {
	loadOnce.Do(func() {
		data, err := subsetFS.ReadFile("testdata/" + subsetFile)
		if err != nil {
			loadErr = err
			return
		}
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(data)
		if err != nil {
			loadErr = fmt.Errorf("load contract: %w", err)
			return
		}
		// GitBook's server is "{host}/v1"; requests are matched on the part
		// after /v1 so that any emulator address fits.
		doc.Servers = openapi3.Servers{{URL: "/"}}
		allowPagesWithoutBody(doc)
		rtr, err := gorillamux.NewRouter(doc)
		if err != nil {
			loadErr = fmt.Errorf("route contract: %w", err)
			return
		}
		loadedDoc, loadedRtr = doc, rtr
	})
	return loadedDoc, loadedRtr, loadErr
}

// allowPagesWithoutBody reads the "Empty" branch of GitBook's Document
// (oneOf Markdown, JSON document, Empty) as the description means it: a
// page with no body inline. Written {"additionalProperties": false}, no
// page can match it inside RevisionPageDocument's allOf, so a page list
// without bodies would fail, although the description sends callers to
// getPageById for a page's content and gives list pages a documentId
// ("ID of the document with the page body").
func allowPagesWithoutBody(doc *openapi3.T) {
	d := doc.Components.Schemas["Document"]
	if d == nil || d.Value == nil {
		return
	}
	for _, alt := range d.Value.OneOf {
		if alt.Value != nil && alt.Value.Title == "Empty" {
			alt.Value = &openapi3.Schema{Title: "Empty", Type: &openapi3.Types{"object"}, Not: openapi3.NewSchemaRef("", &openapi3.Schema{
				AnyOf: openapi3.SchemaRefs{
					openapi3.NewSchemaRef("", &openapi3.Schema{Required: []string{"markdown"}}),
					openapi3.NewSchemaRef("", &openapi3.Schema{Required: []string{"document"}}),
				},
			})}
		}
	}
}

// Checker validates requests and responses against the contract and reports
// each violation through Fail. It counts what it validated so that tests can
// show how much traffic the contract actually covered.
type Checker struct {
	Fail func(error)

	requests  atomic.Int64
	responses atomic.Int64
}

// Counts reports how many requests and responses were validated.
func (c *Checker) Counts() (requests, responses int64) {
	return c.requests.Load(), c.responses.Load()
}

// Transport wraps next so that every round trip is checked.
func (c *Checker) Transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		reqBody, err := readAndRestore(&req.Body)
		if err != nil {
			return nil, err
		}
		input, err := c.validateRequest(req, reqBody)
		if err != nil {
			c.Fail(err)
		}
		resp, err := next.RoundTrip(req)
		if err != nil || input == nil {
			return resp, err
		}
		respBody, rerr := readAndRestore(&resp.Body)
		if rerr != nil {
			return resp, nil // the client will see the same read error
		}
		if verr := c.validateResponse(input, resp.StatusCode, resp.Header, respBody); verr != nil {
			c.Fail(verr)
		}
		return resp, nil
	})
}

// Handler wraps an HTTP handler (the emulator) so that requests it accepts
// and responses it writes are checked, whichever client sends them.
func (c *Checker) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.Path, "/v1/") {
			next.ServeHTTP(w, r)
			return
		}
		body, err := readAndRestore(&r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		input, verr := c.validateRequest(r, body)
		if verr != nil {
			c.Fail(verr)
		}
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		if input != nil && !rec.hijacked {
			if verr := c.validateResponse(input, rec.status, rec.Header(), rec.body.Bytes()); verr != nil {
				c.Fail(verr)
			}
		}
	})
}

func (c *Checker) validateRequest(req *http.Request, body []byte) (*openapi3filter.RequestValidationInput, error) {
	_, rtr, err := load()
	if err != nil {
		return nil, err
	}
	// Match on the path below /v1, on a copy so the real request is untouched.
	clone := req.Clone(context.Background())
	clone.URL.Path = pathBelowV1(req.URL.Path)
	clone.URL.RawPath = ""
	clone.Host = ""
	clone.URL.Host = ""
	clone.URL.Scheme = ""
	clone.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := rtr.FindRoute(clone)
	if err != nil {
		return nil, fmt.Errorf("contract: %s %s is not a GitBook API operation: %w", req.Method, req.URL.Path, err)
	}
	input := &openapi3filter.RequestValidationInput{
		Request:    clone,
		PathParams: params,
		Route:      route,
		Options: &openapi3filter.Options{
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
			MultiError:         true,
		},
	}
	c.requests.Add(1)
	if err := openapi3filter.ValidateRequest(context.Background(), input); err != nil {
		return input, fmt.Errorf("contract: request %s %s: %w", req.Method, req.URL.Path, err)
	}
	return input, nil
}

func (c *Checker) validateResponse(input *openapi3filter.RequestValidationInput, status int, header http.Header, body []byte) error {
	c.responses.Add(1)
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: input,
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		return fmt.Errorf("contract: response %d to %s %s: %w", status, input.Request.Method, input.Request.URL.Path, err)
	}
	return nil
}

func pathBelowV1(p string) string {
	if i := strings.Index(p, "/v1/"); i >= 0 {
		return p[i+3:]
	}
	return p
}

func readAndRestore(body *io.ReadCloser) ([]byte, error) {
	if *body == nil || *body == http.NoBody {
		return nil, nil
	}
	data, err := io.ReadAll(*body)
	(*body).Close()
	if err != nil {
		return nil, err
	}
	*body = io.NopCloser(bytes.NewReader(data))
	return data, nil
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

type recorder struct {
	http.ResponseWriter
	status   int
	body     bytes.Buffer
	hijacked bool
}

// Hijack lets the emulator drop a connection (a fault it injects); there is
// then no answer to validate.
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("hijack not supported")
	}
	r.hijacked = true
	return hj.Hijack()
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	r.body.Write(p)
	return r.ResponseWriter.Write(p)
}

// Flush lets streaming handlers keep working behind the checker.
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
