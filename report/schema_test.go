package report

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	swaggest "github.com/swaggest/jsonschema-go"

	"github.com/gitbook-sync/gitbook-sync/internal/golden"

	gbsync "github.com/gitbook-sync/gitbook-sync/sync"
)

// generateSchema reflects the JSON schema of Document from the Go types.
// Every object is closed (additionalProperties: false) and a key without
// omitempty is required, so the schema says exactly what is written.
// sync.Result writes two keys its fields do not show (MarshalJSON): they
// are added here, and TestDocumentMatchesSchema fails if that drifts.
func generateSchema(t *testing.T) []byte {
	t.Helper()
	var r swaggest.Reflector
	s, err := r.Reflect(Document{},
		swaggest.DefinitionsPrefix("#/definitions/"),
		swaggest.InterceptDefName(func(t reflect.Type, name string) string {
			// sync.Result, openapi.Result and changerequest.Result differ.
			if pkg := t.PkgPath(); pkg != "" && t.Name() != "" {
				p := pkg[strings.LastIndex(pkg, "/")+1:]
				return strings.ToUpper(p[:1]) + p[1:] + t.Name()
			}
			return name
		}),
		swaggest.InterceptProp(func(p swaggest.InterceptPropParams) error {
			if !p.Processed || p.Field.Tag.Get("json") == "-" {
				return nil
			}
			tag := p.Field.Tag.Get("json")
			if !strings.Contains(tag, ",omitempty") && !slices.Contains(p.ParentSchema.Required, p.Name) {
				p.ParentSchema.Required = append(p.ParentSchema.Required, p.Name)
			}
			return nil
		}),
		swaggest.InterceptSchema(func(p swaggest.InterceptSchemaParams) (bool, error) {
			if !p.Processed || !p.Schema.HasType(swaggest.Object) || len(p.Schema.Properties) == 0 {
				return false, nil
			}
			if p.Value.Type() == reflect.TypeFor[gbsync.Result]() {
				p.Schema.WithPropertiesItem("error", swaggest.String.ToSchemaOrBool().TypeObject.WithDescription("why the space failed, masked").ToSchemaOrBool())
				p.Schema.WithPropertiesItem("duration_ms", swaggest.Integer.ToSchemaOrBool())
			}
			p.Schema.WithAdditionalProperties(swaggest.SchemaOrBool{TypeBoolean: new(false)})
			return false, nil
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	s.WithID(SchemaURL)
	s.WithSchema("http://json-schema.org/draft-07/schema#")
	s.WithTitle("gitbook-sync results")
	s.WithDescription("What gitbook-sync --format json prints and what the Action's results output holds.")
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(data, '\n')
}

// The published schema is the one the Go types give.
func TestSchemaIsCurrent(t *testing.T) {
	t.Parallel()
	got := generateSchema(t)
	if golden.Update() {
		if err := os.WriteFile("results.schema.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(got, Schema()) {
		t.Errorf("results.schema.json is out of date with the Go types: run go test ./report -run TestSchemaIsCurrent -update")
	}
}

// A document with every field set, as written, is valid against the
// published schema: a key the schema does not know fails.
func TestDocumentMatchesSchema(t *testing.T) {
	t.Parallel()
	c := jsonschema.NewCompiler()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema()))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource(SchemaURL, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(SchemaURL)
	if err != nil {
		t.Fatal(err)
	}
	results := Sample()
	results[0].Duration = 1500e6
	failed := NewDocument(nil, true, nil)
	failed.Error, failed.Diagnostics = ".gitbook-sync.yaml:3:5: unknown key", Problems(Sample())
	for _, d := range []Document{NewDocument(results, false, nil), NewDocument(nil, true, nil), failed} {
		data, err := d.Marshal(nil)
		if err != nil {
			t.Fatal(err)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("the document does not match the schema: %v\n%s", err, data)
		}
	}
}
