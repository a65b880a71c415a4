// Package redact removes credentials from text before it reaches a log, an
// error, a comment or a terminal. Every output path of gitbook-sync goes
// through a Redactor; tests prove it with canary tokens.
package redact

import (
	"encoding/base64"
	"io"
	"net/url"
	"regexp"
	"sort"
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
// It is safe for concurrent use.
type Redactor struct {
	mu      sync.RWMutex
	secrets []string // longest first, so a secret containing another is masked whole
}

// Add registers secrets. Each is also masked in the forms it takes when it
// travels: URL-escaped, base64 (alone and as basic-auth user:secret pairs are
// too varied to enumerate, so the bare value is what matters most).
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		// Very short values would mask ordinary words; tokens are long.
		if len(s) < 4 {
			continue
		}
		for _, form := range []string{
			s,
			url.QueryEscape(s),
			url.PathEscape(s),
			base64.StdEncoding.EncodeToString([]byte(s)),
			base64.RawURLEncoding.EncodeToString([]byte(s)),
			base64.StdEncoding.EncodeToString([]byte("x-access-token:" + s)),
			base64.StdEncoding.EncodeToString([]byte("oauth2:" + s)),
		} {
			if !contains(r.secrets, form) {
				r.secrets = append(r.secrets, form)
			}
		}
	}
	sort.Slice(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
}

// Secrets returns the registered values (for ::add-mask:: in GitHub Actions).
func (r *Redactor) Secrets() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]string(nil), r.secrets...)
}

// String masks every known secret and every URL credential in s.
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

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Writer masks secrets in everything written through it. Each Write is
// masked on its own, so callers write whole lines or documents.
func Writer(w io.Writer, r *Redactor) io.Writer { return &writer{w: w, r: r} }

type writer struct {
	w io.Writer
	r *Redactor
}

func (w *writer) Write(p []byte) (int, error) {
	if _, err := io.WriteString(w.w, w.r.String(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
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
