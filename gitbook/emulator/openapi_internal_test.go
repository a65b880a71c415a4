package emulator

import (
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// The verdicts come from GitBook's own parser (see the archive's header);
// the openapi package checks the client against the same archive.
func TestParseLikeGitBook(t *testing.T) {
	t.Parallel()
	ar, err := txtar.ParseFile("../../openapi/testdata/gitbook-parser.txtar")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range ar.Files {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			e := parseLikeGitBook(string(f.Data))
			if reject := strings.HasPrefix(f.Name, "reject/"); reject != (e != nil) {
				t.Errorf("rejected = %v (%+v), want %v", e != nil, e, reject)
			}
			if e != nil && (e.Code != "invalid" || e.Message == "") {
				t.Errorf("error %+v: want code invalid and a message", e)
			}
		})
	}
}
