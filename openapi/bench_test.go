package openapi_test

import (
	"path/filepath"
	"testing"

	"github.com/gitbook-sync/gitbook-sync/internal/testcorpus"
	"github.com/gitbook-sync/gitbook-sync/openapi"
)

// BenchmarkLoad times loading and validating the two large specs of the
// shared material (skipped without it); bench/openapi-validate.sh puts
// the command beside rdme and Redocly.
func BenchmarkLoad(b *testing.B) {
	for _, f := range []struct{ name, path string }{
		{"openai-3MB", "corpus/openapi/openai-openai-openapi/openapi.yaml"},
		{"gitbook-1.7MB", "gitbook-api/openapi.json"},
	} {
		b.Run(f.name, func(b *testing.B) {
			p := testcorpus.Path(b, f.path)
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := openapi.LoadFile(ctx, p, filepath.Dir(p)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
