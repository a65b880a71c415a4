package emulator

import (
	"encoding"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v4"

	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator/gitformat"
	"github.com/gitbook-sync/gitbook-sync/internal/diag"
)

// checkNode compares a YAML node with the Go type it will be decoded into
// and reports, at the node's line and column, every key the type does not
// have (with the keys it does) and every value of the wrong kind. The YAML
// decoder alone stops at the first problem and names Go types in its
// messages.
func checkNode(file string, n *yaml.Node, t reflect.Type, field string, out *diag.List) {
	if n.Kind == yaml.DocumentNode {
		for _, c := range n.Content {
			checkNode(file, c, t, field, out)
		}
		return
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Tag == "!!null" {
		return
	}
	bad := func(format string, args ...any) {
		d := diag.Errorf(file, n.Line, n.Column, format, args...)
		d.Field = field
		*out = append(*out, d)
	}
	if t == reflect.TypeOf(time.Time{}) || reflect.PointerTo(t).Implements(reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()) {
		if n.Kind != yaml.ScalarNode {
			bad("want a time such as 2026-01-02T15:04:05Z, got %s", kindName(n))
		} else if _, err := time.Parse(time.RFC3339Nano, n.Value); err != nil && t == reflect.TypeOf(time.Time{}) {
			bad("want a time such as 2026-01-02T15:04:05Z, got %s", gitformat.QuoteCut(n.Value))
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			bad("want a mapping with the keys %s, got %s", strings.Join(yamlKeys(t), ", "), kindName(n))
			return
		}
		fields := map[string]reflect.StructField{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if name := yamlName(f); name != "" {
				fields[name] = f
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			f, ok := fields[k.Value]
			if !ok {
				d := diag.Errorf(file, k.Line, k.Column, "unknown key %s%s; valid keys: %s", gitformat.QuoteCut(k.Value), suggest(k.Value, yamlKeys(t)), strings.Join(yamlKeys(t), ", "))
				d.Field = field
				*out = append(*out, d)
				continue
			}
			checkNode(file, v, f.Type, join(field, k.Value), out)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			bad("want a list, got %s", kindName(n))
			return
		}
		for i, c := range n.Content {
			checkNode(file, c, t.Elem(), fmt.Sprintf("%s[%d]", field, i), out)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			bad("want a mapping, got %s", kindName(n))
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			checkNode(file, n.Content[i+1], t.Elem(), join(field, n.Content[i].Value), out)
		}
	default:
		if n.Kind != yaml.ScalarNode {
			bad("want %s, got %s", typeName(t), kindName(n))
			return
		}
		if err := n.Decode(reflect.New(t).Interface()); err != nil {
			bad("want %s, got %s", typeName(t), gitformat.QuoteCut(n.Value))
		}
	}
}

func join(field, key string) string {
	if field == "" {
		return key
	}
	return field + "." + key
}

func yamlName(f reflect.StructField) string {
	tag := f.Tag.Get("yaml")
	name, _, _ := strings.Cut(tag, ",")
	if name == "-" || !f.IsExported() {
		return ""
	}
	return name
}

func yamlKeys(t reflect.Type) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		if name := yamlName(t.Field(i)); name != "" {
			keys = append(keys, name)
		}
	}
	sort.Strings(keys)
	return keys
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return gitformat.QuoteCut(n.Value)
}

func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "a whole number"
	case reflect.Float64, reflect.Float32:
		return "a number"
	}
	return "a " + t.Kind().String()
}

// suggest names the valid key closest to a misspelt one.
func suggest(got string, valid []string) string {
	if best := diag.Suggest(got, valid); best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}
