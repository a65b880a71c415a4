package config

import (
	"encoding/json"
)

// Schema returns the JSON schema of the configuration file, for editors.
func Schema() []byte {
	s := map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"$id":                  "https://github.com/gitbook-sync/gitbook-sync/config/schema.json",
		"title":                "gitbook-sync configuration (" + FileName + ")",
		"type":                 "object",
		"additionalProperties": false,
	}
	props, _ := schemaFields(rootFields)
	s["properties"] = props
	// One of them is needed: the spaces, or docs.yaml through site.
	s["anyOf"] = []any{map[string]any{"required": []string{"spaces"}}, map[string]any{"required": []string{"site"}}}
	out, _ := json.MarshalIndent(s, "", "  ")
	return append(out, '\n')
}

func schemaFields(fields []field) (map[string]any, []string) {
	props := map[string]any{}
	var required []string
	for _, f := range fields {
		props[f.key] = schemaField(f)
		if f.require {
			required = append(required, f.key)
		}
	}
	if required == nil {
		required = []string{}
	}
	return props, required
}

func schemaField(f field) map[string]any {
	var s map[string]any
	switch f.kind {
	case "string":
		s = map[string]any{"type": "string"}
		if len(f.enum) > 0 {
			s["enum"] = f.enum
		}
	case "bool":
		s = map[string]any{"type": "boolean"}
	case "list-of-strings":
		s = map[string]any{"type": "array", "items": map[string]any{"type": "string"}}
	case "list-of-objects":
		props, req := schemaFields(f.fields)
		s = map[string]any{"type": "array", "items": map[string]any{"type": "object", "additionalProperties": false, "properties": props, "required": req}}
	case "map-of-strings":
		s = map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}}
	case "object":
		props, req := schemaFields(f.fields)
		s = map[string]any{"type": "object", "additionalProperties": false, "properties": props, "required": req}
	}
	s["description"] = f.doc
	return s
}
