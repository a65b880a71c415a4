package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"
)

// tokenAlphabet is what API tokens are made of.
const tokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"

// FuzzWriter writes a text holding a secret in one of its travelling forms,
// cut into three writes at arbitrary places, and checks that neither the
// secret nor its form comes out, and that the result does not depend on
// where the writes were cut.
func FuzzWriter(f *testing.F) {
	f.Add([]byte("ghs_0d9c77CANARY"), "Authorization: ", " end\n", uint8(0), uint16(3), uint16(20))
	f.Add([]byte("glpat-CANARY-gitlab-77"), "h=", "", uint8(1), uint16(0), uint16(9))
	f.Add([]byte("gb_CANARY_api_token_5a1f"), "dump ", "\nmore", uint8(2), uint16(11), uint16(11))
	f.Add([]byte("x0123456789"), "clone ", " failed", uint8(3), uint16(14), uint16(40))
	f.Add([]byte("tokentoken"), "", "", uint8(4), uint16(1), uint16(2))
	f.Add([]byte("abcdefgh"), "line\nline2 ", "", uint8(5), uint16(5), uint16(6))
	f.Fuzz(func(t *testing.T, seed []byte, before, after string, form uint8, cut1, cut2 uint16) {
		secret := make([]byte, len(seed))
		for i, b := range seed {
			secret[i] = tokenAlphabet[int(b)%len(tokenAlphabet)]
		}
		if len(secret) < 8 || len(secret) > 200 {
			t.Skip()
		}
		s := string(secret)
		encoded := []func(string) string{
			func(s string) string { return s },
			func(s string) string { return base64.StdEncoding.EncodeToString([]byte("Bearer " + s)) },
			func(s string) string { return hex.EncodeToString([]byte("Bearer " + s)) },
			func(s string) string { return "https://x-access-token:" + s + "@github.com/o/r.git" },
			func(s string) string { return url.QueryEscape(s) },
			func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte("oauth2:" + s + "\x00")) },
		}[int(form)%6](s)
		text := before + encoded + after

		var r Redactor
		r.Add(s)
		want := r.String(text)
		if strings.Contains(want, s) || strings.Contains(want, encoded) {
			t.Fatalf("String(%q) = %q shows the secret %q", text, want, s)
		}
		a, b := min(int(cut1), len(text)), min(int(cut2), len(text))
		a, b = min(a, b), max(a, b)
		var out bytes.Buffer
		w := NewWriter(&out, &r)
		for _, part := range []string{text[:a], text[a:b], text[b:]} {
			if n, err := w.Write([]byte(part)); n != len(part) || err != nil {
				t.Fatalf("Write = %d, %v", n, err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Fatalf("writes cut at %d, %d give %q; the whole text gives %q", a, b, out.String(), want)
		}
	})
}
