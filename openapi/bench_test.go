package openapi_test

import (
	"context"
	"os"
	"testing"

	"github.com/gitbook-sync/gitbook-sync/openapi"
)

// BenchmarkValidate times local validation of the two large specs of the
// shared material (skipped without it); bench/openapi-validate.sh puts
// the command beside rdme.
func BenchmarkValidate(b *testing.B) {
	for _, f := range []struct{ name, path string }{
		{"openai-3MB", "../../shared/corpus/openapi/openai-openai-openapi/openapi.yaml"},
		{"gitbook-1.7MB", "../../shared/gitbook-api/openapi.json"},
	} {
		b.Run(f.name, func(b *testing.B) {
			if _, err := os.Stat(f.path); err != nil {
				b.Skip("shared material absent")
			}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, _, err := openapi.LoadFile(context.Background(), f.path); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
