package redact

import (
	"encoding/base64"
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

func TestRedactorMasksEncodedForms(t *testing.T) {
	const canary = "canary-gb_api_9f8e7d6c5b4a"
	var r Redactor
	r.Add(canary, "ab") // too short to mask: would eat ordinary text
	inputs := []string{
		"token " + canary,
		"q=" + url.QueryEscape(canary+"/x"),
		"Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("x-access-token:"+canary)),
		"b64 " + base64.StdEncoding.EncodeToString([]byte(canary)),
		"https://x:" + canary + "@example.com/r.git",
	}
	for _, in := range inputs {
		out := r.String(in)
		if strings.Contains(out, canary) || strings.Contains(out, base64.StdEncoding.EncodeToString([]byte(canary))) {
			t.Errorf("String(%q) = %q still shows the secret", in, out)
		}
		if !strings.Contains(out, mask) {
			t.Errorf("String(%q) = %q has no mask", in, out)
		}
	}
	if got := r.String("about"); got != "about" {
		t.Errorf("short secret masked ordinary text: %q", got)
	}
}

func TestNilRedactorStillMasksURLs(t *testing.T) {
	var r *Redactor
	if got := r.String("https://u:p@h/r"); got != "https://***@h/r" {
		t.Errorf("got %q", got)
	}
}
