package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://user:secret@host/repo.git", "https://***@host/repo.git"},
		{"https://x-access-token:ghs_abc@github.com/o/r", "https://***@github.com/o/r"},
		{"https://token@host/r", "https://***@host/r"},
		{"clone https://a:b@h/r and https://c:d@h/s", "clone https://***@h/r and https://***@h/s"},
		{"https://host/repo.git", "https://host/repo.git"},
		{"git@github.com:o/r.git", "git@github.com:o/r.git"},
		{"file:///tmp/repo", "file:///tmp/repo"},
	}
	for _, tt := range tests {
		if got := URL(tt.in); got != tt.want {
			t.Errorf("URL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStripCredentials(t *testing.T) {
	if got := StripCredentials("https://user:secret@host/repo.git"); got != "https://host/repo.git" {
		t.Errorf("got %q", got)
	}
	if got := StripCredentials("/tmp/repo"); got != "/tmp/repo" {
		t.Errorf("got %q", got)
	}
}

// The forms a token takes on its way: each is masked, whatever text
// surrounds it.
func TestRedactorMasksEncodedForms(t *testing.T) {
	const canary = "canary-gb_api_9f8e7d6c5b4a"
	var r Redactor
	r.Add(canary, "ab") // too short to mask: would eat ordinary text
	b64 := base64.StdEncoding.EncodeToString
	tests := []struct{ name, in, form string }{
		{"raw", "token " + canary, canary},
		{"query-escaped", "q=" + url.QueryEscape(canary+"/x"), url.QueryEscape(canary)},
		{"basic auth", "Authorization: Basic " + b64([]byte("x-access-token:"+canary)), b64([]byte("x-access-token:" + canary))},
		{"base64", "b64 " + b64([]byte(canary)), b64([]byte(canary))},
		{"Bearer in base64", "h=" + b64([]byte("Bearer "+canary)), b64([]byte("Bearer " + canary))},
		{"Bearer in url-safe base64", base64.RawURLEncoding.EncodeToString([]byte("Authorization: Bearer " + canary)), canary},
		{"hex", "dump " + hex.EncodeToString([]byte(canary)), hex.EncodeToString([]byte(canary))},
		{"Bearer in hex", hex.EncodeToString([]byte("Bearer " + canary)), hex.EncodeToString([]byte("Bearer " + canary))},
		{"Bearer in upper-case hex", strings.ToUpper(hex.EncodeToString([]byte("Bearer " + canary))), canary},
		{"URL credentials", "https://x:" + canary + "@example.com/r.git", canary},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := r.String(tt.in)
			if strings.Contains(out, canary) || strings.Contains(out, tt.form) {
				t.Errorf("String(%q) = %q still shows the secret", tt.in, out)
			}
			if !strings.Contains(out, mask) {
				t.Errorf("String(%q) = %q has no mask", tt.in, out)
			}
			if decoded, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(out, "h=")); err == nil && strings.Contains(string(decoded), canary) {
				t.Errorf("the masked text still decodes to the secret: %q", decoded)
			}
		})
	}
	if got := r.String("about"); got != "about" {
		t.Errorf("short secret masked ordinary text: %q", got)
	}
}

// Nothing in ordinary text is masked: encoded forms are long enough not
// to match words.
func TestRedactorLeavesOrdinaryText(t *testing.T) {
	var r Redactor
	r.Add("abcd1234", "ghp_16C7e42F292c6912E7710c838347Ae178B4a")
	text := "Import space abc into docs/guide/install.md: 12 pages, +3 −1, see https://app.gitbook.com/o/x/s/y\n"
	if got := r.String(text); got != text {
		t.Errorf("ordinary text changed:\n%s\n%s", text, got)
	}
}

// A secret split across two writes is masked whole.
func TestWriterMasksAcrossWrites(t *testing.T) {
	const canary = "ghs_CANARY_split_0d9c77"
	var r Redactor
	r.Add(canary)
	text := "first line\nAuthorization: token " + canary + " and " + hex.EncodeToString([]byte("Bearer "+canary)) + "\nlast, unfinished " + canary
	for cut1 := 0; cut1 <= len(text); cut1 += 3 {
		for cut2 := cut1; cut2 <= len(text); cut2 += 7 {
			var out bytes.Buffer
			w := NewWriter(&out, &r)
			for _, part := range []string{text[:cut1], text[cut1:cut2], text[cut2:]} {
				if n, err := w.Write([]byte(part)); n != len(part) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(out.String(), canary) || strings.Contains(out.String(), "CANARY") {
				t.Fatalf("cut at %d and %d: %q", cut1, cut2, out.String())
			}
			if want := r.String(text); out.String() != want {
				t.Fatalf("cut at %d and %d: got %q, want %q", cut1, cut2, out.String(), want)
			}
		}
	}
}

// Lines go out as soon as they end; an unfinished one waits for Flush.
func TestWriterWritesWholeLines(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out, &Redactor{})
	fmt.Fprint(w, "one\ntw")
	if out.String() != "one\n" {
		t.Errorf("after a line and a half: %q", out.String())
	}
	fmt.Fprint(w, "o")
	if err := w.Flush(); err != nil || out.String() != "one\ntwo" {
		t.Errorf("after Flush: %q, %v", out.String(), err)
	}
	// A very long line without an end is cut at a blank, never inside a word.
	long := strings.Repeat("word ", holdLimit/5+10) + "tail"
	fmt.Fprint(w, long)
	if n := out.Len() - len("one\ntwo"); n == 0 || n >= len(long) || !strings.HasSuffix(out.String(), " ") {
		t.Errorf("a long line was not cut at a blank: wrote %d of %d bytes", n, len(long))
	}
}

func TestNilRedactorStillMasksURLs(t *testing.T) {
	var r *Redactor
	if got := r.String("https://u:p@h/r"); got != "https://***@h/r" {
		t.Errorf("got %q", got)
	}
}
