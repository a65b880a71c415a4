package openapi_test

import (
	"testing"

	"github.com/gitbook-sync/gitbook-sync/openapi"
)

// FuzzLoad holds that no text makes loading panic, and that the client
// refuses a text exactly when GitBook's rules do. Its corpus is in
// testdata/fuzz/FuzzLoad; scripts/fuzz.sh runs it longer.
func FuzzLoad(f *testing.F) {
	f.Add("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get: &o\n      responses: {'200': {description: a}}\n  /b:\n    get: *o\n")
	f.Add(`{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{"/a":{"get":{"responses":{"200":{"$ref":"#/components/responses/A"}}}}}}`)
	f.Fuzz(func(t *testing.T, text string) {
		rej, _ := openapi.Verdict([]byte(text))
		spec, problems := openapi.LoadData(ctx, []byte(text), "fuzz.yaml")
		if refused := rej != openapi.Accepted; refused != (spec == nil) || refused != (len(problems.Errors()) > 0) {
			t.Fatalf("Verdict says %v; LoadData gives spec %v with %v", rej, spec != nil, problems)
		}
		if spec.Comparable() {
			// oasdiff may refuse odd documents ($ref: "#" as a response):
			// an error, never a panic.
			if c, err := openapi.Compare(spec, spec); err == nil && !c.Empty() {
				t.Fatalf("a spec differs from itself: %+v", c)
			}
		}
	})
}
