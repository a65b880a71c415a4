package openapi

import (
	"encoding/json"
	"strings"
)

// splitJSON cuts JSON text. Only the structure around the members it
// cuts is read here; every value is checked when a piece is decoded.
func splitJSON(data []byte, emit func(*piece)) (rest []byte, ok bool) {
	sc := &jsonScan{data: data}
	b := &batcher{emit: emit, json: true}
	restBuf, componentsRest := []byte{'{'}, []byte{'{'}
	// entries cuts the object ahead into the pieces of section(key); an
	// empty object goes to the rest as it is (an empty map, not none).
	entries := func(section func(key string) string, rest *[]byte, name []byte) bool {
		n := 0
		ok := sc.object(func(key string, rawKey []byte) bool {
			n++
			raw, ok := sc.value()
			b.addJSON(section(key), rawKey, raw)
			return ok
		})
		if ok && n == 0 {
			*rest = member(*rest, name, []byte("{}"))
		}
		return ok
	}
	ok = sc.object(func(key string, rawKey []byte) bool {
		switch {
		case key == "paths" && sc.peek() == '{':
			return entries(func(k string) string {
				if strings.HasPrefix(k, "x-") {
					return "paths x-"
				}
				return "paths"
			}, &restBuf, rawKey)
		case key == "components" && sc.peek() == '{':
			ok := sc.object(func(name string, rawName []byte) bool {
				if splitComponents[name] && sc.peek() == '{' {
					return entries(func(string) string { return name }, &componentsRest, rawName)
				}
				raw, ok := sc.value()
				componentsRest = member(componentsRest, rawName, raw)
				return ok
			})
			// Always there, if only empty: the pieces may hold nothing.
			restBuf = member(restBuf, rawKey, append(componentsRest, '}'))
			return ok
		}
		raw, ok := sc.value()
		restBuf = member(restBuf, rawKey, raw)
		return ok
	})
	if !ok || b.bad || sc.peek() != 0 || sc.p != len(data) {
		return nil, false // malformed, or something after the document
	}
	b.done()
	return append(restBuf, '}'), true
}

// member appends `key:raw` to an object being written ("{" so far, or
// more members); key is a JSON string as written.
func member(obj, key, raw []byte) []byte {
	if len(obj) > 1 {
		obj = append(obj, ',')
	}
	return append(append(append(obj, key...), ':'), raw...)
}

// jsonScan steps over JSON text: objects member by member, values whole.
type jsonScan struct {
	data  []byte
	p     int
	keyAt int // where the last key read starts
}

// peek is the next byte after blanks (0 at the end).
func (s *jsonScan) peek() byte {
	for s.p < len(s.data) {
		switch c := s.data[s.p]; c {
		case ' ', '\t', '\r', '\n':
			s.p++
		default:
			return c
		}
	}
	return 0
}

// object reads an object, calling read for each member with the scanner
// at its value; false on a malformed object or a key given twice.
func (s *jsonScan) object(read func(key string, rawKey []byte) bool) bool {
	if s.peek() != '{' {
		return false
	}
	s.p++
	if s.peek() == '}' {
		s.p++
		return true
	}
	seen := map[string]bool{}
	for {
		if s.peek() != '"' {
			return false
		}
		s.keyAt = s.p
		rawKey, ok := s.value()
		var key string
		if !ok || json.Unmarshal(rawKey, &key) != nil || seen[key] {
			return false
		}
		seen[key] = true
		if s.peek() != ':' {
			return false
		}
		s.p++
		s.peek()
		if !read(key, rawKey) {
			return false
		}
		switch s.peek() {
		case ',':
			s.p++
		case '}':
			s.p++
			return true
		default:
			return false
		}
	}
}

// value steps over the value ahead and returns its text.
func (s *jsonScan) value() ([]byte, bool) {
	start := s.p
	if s.p == len(s.data) {
		return nil, false
	}
	switch s.data[s.p] {
	case '"':
		if !s.skipString() {
			return nil, false
		}
		return s.data[start:s.p], true
	case '{', '[':
		for depth := 0; s.p < len(s.data); s.p++ {
			switch s.data[s.p] {
			case '"':
				if !s.skipString() {
					return nil, false
				}
				s.p-- // the loop steps past the closing quote
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					s.p++
					return s.data[start:s.p], true
				}
			}
		}
		return nil, false
	}
	// A scalar runs to the next delimiter; its spelling is checked when
	// the piece holding it is decoded.
	for s.p < len(s.data) && strings.IndexByte(",}] \t\r\n", s.data[s.p]) < 0 {
		s.p++
	}
	return s.data[start:s.p], s.p > start
}

// skipString steps over the string starting at the scanner.
func (s *jsonScan) skipString() bool {
	for s.p++; s.p < len(s.data); s.p++ {
		switch s.data[s.p] {
		case '\\':
			s.p++
		case '"':
			s.p++
			return true
		}
	}
	s.p = len(s.data) // an escape may have stepped past the end
	return false
}
