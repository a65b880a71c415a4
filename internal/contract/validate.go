package contract

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed testdata/gitbook-api-subset.json
var subsetFS embed.FS

var (
	loadOnce  sync.Once
	loadedDoc *openapi3.T
	loadedRtr routers.Router
	loadedRaw map[string]any
	loadErr   error
	bodies    = &schemaCache{compiled: map[string]*jsonschema.Schema{}}
)

// bodyURL names the description as a JSON Schema resource, so that body
// schemas are compiled from their place in it and their $refs resolve.
const bodyURL = "https://contract.invalid/gitbook-api-subset.json"

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
		rtr, err := gorillamux.NewRouter(doc)
		if err != nil {
			loadErr = fmt.Errorf("route contract: %w", err)
			return
		}
		raw, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			loadErr = fmt.Errorf("load contract as JSON: %w", err)
			return
		}
		allowPagesWithoutBody(raw)
		bodies.compiler = jsonschema.NewCompiler()
		bodies.compiler.DefaultDraft(jsonschema.Draft2020)
		bodies.compiler.AssertFormat()
		if err := bodies.compiler.AddResource(bodyURL, raw); err != nil {
			loadErr = fmt.Errorf("load contract schemas: %w", err)
			return
		}
		loadedDoc, loadedRtr, loadedRaw = doc, rtr, raw.(map[string]any)
	})
	return loadedDoc, loadedRtr, loadErr
}

// allowPagesWithoutBody reads the "Empty" branch of GitBook's Document
// (oneOf Markdown, JSON document, Empty) as the description means it: a page
// with no body inline. Written {"additionalProperties": false}, no page can
// match it inside RevisionPageDocument's allOf, so a page list without
// bodies would fail, although the description sends callers to getPageById
// for a page's content and gives listed pages a documentId ("ID of the
// document with the page body"). The branch becomes "has neither markdown
// nor document", which keeps the other two branches exclusive.
func allowPagesWithoutBody(raw any) {
	doc, _ := lookup(raw, "/components/schemas/Document").(map[string]any)
	alts, _ := doc["oneOf"].([]any)
	for i, alt := range alts {
		if m, _ := alt.(map[string]any); m != nil && m["title"] == "Empty" {
			alts[i] = map[string]any{"title": "Empty", "type": "object", "not": map[string]any{"anyOf": []any{
				map[string]any{"required": []any{"markdown"}},
				map[string]any{"required": []any{"document"}},
			}}}
		}
	}
}

// schemaCache compiles each body schema of the description once. kin-openapi
// compiles a JSON Schema 2020-12 validator on every check of a 3.1 document,
// which made the contract check most of the test suite's CPU time; the
// checker therefore validates bodies itself and leaves kin-openapi the
// routing, parameters, status codes, content types and headers.
type schemaCache struct {
	mu       sync.Mutex
	compiler *jsonschema.Compiler
	compiled map[string]*jsonschema.Schema // by JSON pointer
}

func (c *schemaCache) get(pointer string) (*jsonschema.Schema, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.compiled[pointer]; ok {
		return s, nil
	}
	s, err := c.compiler.Compile(bodyURL + "#" + pointer)
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", pointer, err)
	}
	c.compiled[pointer] = s
	return s, nil
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
			ExcludeRequestBody: true,
		},
	}
	c.requests.Add(1)
	var errs []error
	if err := openapi3filter.ValidateRequest(context.Background(), input); err != nil {
		errs = append(errs, err)
	}
	if err := validateRequestBody(route, req.Header.Get("Content-Type"), body); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
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
		Options:                &openapi3filter.Options{MultiError: true, ExcludeResponseBody: true},
	}
	var errs []error
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		errs = append(errs, err)
	} else if err := validateResponseBody(input.Route, status, header.Get("Content-Type"), body); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("contract: response %d to %s %s: %w", status, input.Request.Method, input.Request.URL.Path, err)
	}
	return nil
}

// validateRequestBody checks a JSON request body against the operation's
// schema. A body the operation does not take, or a missing required one,
// is an error.
func validateRequestBody(route *routers.Route, contentType string, body []byte) error {
	op := opPointer(route)
	rb, at := follow(lookup(loadedRaw, op+"/requestBody"), op+"/requestBody")
	if rb == nil {
		if len(body) > 0 {
			return errors.New("the operation takes no request body")
		}
		return nil
	}
	if len(body) == 0 {
		if req, _ := rb["required"].(bool); req {
			return errors.New("request body is required")
		}
		return nil
	}
	return validateBody(rb, at, contentType, body)
}

// validateResponseBody checks a response body against the schema of its
// status code (exact, then the range such as 4XX, then default). A status
// the operation does not declare is allowed only when GitBook may answer it
// anywhere (CrossCutting), in its error shape.
func validateResponseBody(route *routers.Route, status int, contentType string, body []byte) error {
	op := opPointer(route)
	for _, code := range []string{strconv.Itoa(status), strconv.Itoa(status/100) + "XX", "default"} {
		at := op + "/responses/" + code
		if resp, at := follow(lookup(loadedRaw, at), at); resp != nil {
			if _, ok := resp["content"]; !ok {
				return nil // no schema for this status
			}
			return validateBody(resp, at, contentType, body)
		}
	}
	name, ok := CrossCutting[status]
	if !ok {
		return fmt.Errorf("status %d is not described for this operation", status)
	}
	at := "/components/responses/" + name
	resp, at := follow(lookup(loadedRaw, at), at)
	if resp == nil {
		return fmt.Errorf("the description has no %s response; regenerate the subset", name)
	}
	return validateBody(resp, at, contentType, body)
}

func validateBody(obj map[string]any, at, contentType string, body []byte) error {
	content, _ := obj["content"].(map[string]any)
	media := strings.TrimSpace(strings.Split(contentType, ";")[0])
	if _, ok := content[media]; !ok || !strings.HasSuffix(media, "json") {
		if !ok {
			return fmt.Errorf("content type %q is not one of the described ones", contentType)
		}
		return nil // not JSON: kin-openapi checked what it could
	}
	pointer := at + "/content/" + escape(media) + "/schema"
	if lookup(loadedRaw, pointer) == nil {
		return nil
	}
	value, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("body is not one JSON value: %w", err)
	}
	sch, err := bodies.get(pointer)
	if err != nil {
		return err
	}
	if err := sch.Validate(value); err != nil {
		return fmt.Errorf("body does not match the schema: %w", err)
	}
	return nil
}

// opPointer is the JSON pointer of the route's operation in the description.
func opPointer(route *routers.Route) string {
	return "/paths/" + escape(route.Path) + "/" + strings.ToLower(route.Method)
}

// follow resolves a local $ref (requestBodies, responses), returning the
// object and its pointer.
func follow(v any, at string) (map[string]any, string) {
	obj, _ := v.(map[string]any)
	for i := 0; obj != nil && i < 8; i++ {
		ref, ok := obj["$ref"].(string)
		if !ok {
			return obj, at
		}
		at = strings.TrimPrefix(ref, "#")
		obj, _ = lookup(loadedRaw, at).(map[string]any)
	}
	return obj, at
}

func lookup(doc any, pointer string) any {
	cur := doc
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		cur = m[tok]
	}
	return cur
}

func escape(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
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
