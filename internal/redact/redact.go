// Package redact removes credentials from text before it reaches a log, an
// error, a comment or a terminal. Every output path of gitbook-sync goes
// through a Redactor; tests prove it with canary tokens and a fuzz target.
package redact

import (
	"cmp"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
)

const mask = "***"

// userinfo matches the credentials part of a URL: scheme://user:pass@host.
var userinfo = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s@:]*(:[^/\s@]*)?@`)

// URL returns u with any user and password replaced, for display.
func URL(u string) string {
	return userinfo.ReplaceAllString(u, "${1}"+mask+"@")
}

// StripCredentials returns u without user information at all, for use as a
// repository identity (comparing, storing) rather than for display.
func StripCredentials(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil {
		return userinfo.ReplaceAllString(u, "${1}")
	}
	p.User = nil
	return p.String()
}

// Redactor masks a set of known secret values and URL credentials.
// It is safe for concurrent use. The zero value is ready to use.
type Redactor struct {
	mu      sync.RWMutex
	secrets []string // every form, longest first, so a form containing another is masked whole
}

// minSecret is the shortest value masked: shorter ones would mask
// ordinary words, and tokens are long.
const minSecret = 4

// minEncoded is the shortest encoded form masked on its own (a part of a
// base64 text), so that a short secret's encoding does not eat ordinary
// words.
const minEncoded = 10

// Add registers secrets. Each is also masked in the forms it takes when it
// travels: URL-escaped, hex (as in a dumped request) and base64 at any
// position inside a longer encoded text, which covers "Bearer <token>",
// "x-access-token:<token>" and any other prefix without listing them.
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		if len(s) < minSecret {
			continue
		}
		forms := []string{s, url.QueryEscape(s), url.PathEscape(s),
			hex.EncodeToString([]byte(s)), strings.ToUpper(hex.EncodeToString([]byte(s)))}
		forms = append(forms, base64Cores(s)...)
		for _, f := range forms {
			if len(f) >= minSecret && !slices.Contains(r.secrets, f) {
				r.secrets = append(r.secrets, f)
			}
		}
	}
	slices.SortStableFunc(r.secrets, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
}

// base64Cores returns, for each base64 alphabet and each of the three
// alignments a secret can have inside a longer encoded text, the run of
// characters that depends on the secret's bytes alone. Any base64 text
// that contains the secret contains one of them.
func base64Cores(s string) []string {
	var out []string
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		for shift := range 3 {
			e := enc.EncodeToString(append(make([]byte, shift), s...))
			// Characters 6i..6i+6 bits; the secret holds bits 8*shift..8*(shift+len).
			start, end := (8*shift+5)/6, 8*(shift+len(s))/6
			if end-start >= minEncoded {
				out = append(out, e[start:end])
			}
		}
	}
	return out
}

// Secrets returns every registered form (for ::add-mask:: in GitHub Actions).
func (r *Redactor) Secrets() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return slices.Clone(r.secrets)
}

// String masks every known secret and every URL credential in s. Forms
// are replaced one after the other, longest first, rather than in one
// pass, so that a short secret matching earlier in the text cannot leave
// the rest of a longer one visible.
func (r *Redactor) String(s string) string {
	if r != nil {
		r.mu.RLock()
		for _, sec := range r.secrets {
			if strings.Contains(s, sec) {
				s = strings.ReplaceAll(s, sec, mask)
			}
		}
		r.mu.RUnlock()
	}
	return URL(s)
}

// Error masks secrets in err's message while keeping its chain for
// errors.Is and errors.As. It returns err itself when nothing was masked.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := r.String(err.Error())
	if msg == err.Error() {
		return err
	}
	return &maskedError{msg: msg, err: err}
}

type maskedError struct {
	msg string
	err error
}

func (e *maskedError) Error() string { return e.msg }
func (e *maskedError) Unwrap() error { return e.err }
