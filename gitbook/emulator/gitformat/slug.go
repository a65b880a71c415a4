package gitformat

import (
	"fmt"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Slugify makes a slug from a title as GitBook does: lower case, "&" read
// as "and", apostrophes dropped, other runs of non-alphanumerics one "-".
// Measured on GitBook's own docs: 183 of their 286 SUMMARY entries are
// named exactly so; the others were renamed after creation, and their
// group folders ("Editing & publishing documentation" is
// editing-and-publishing-documentation/) follow the same rule.
func Slugify(title string) string {
	var b strings.Builder
	dash := false
	// Accents go (é is e), as in GitBook's slugs.
	for _, r := range norm.NFD.String(strings.ToLower(title)) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		switch {
		case r == '&':
			if b.Len() > 0 && !dash {
				b.WriteByte('-')
			}
			b.WriteString("and")
			dash = false
			continue
		case r == '\'' || r == '’' || r == '`':
			continue
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
			dash = false
			continue
		}
		if b.Len() > 0 && !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > MaxSlug {
		s = strings.TrimRight(s[:MaxSlug], "-")
	}
	return s
}

// MaxSlug is the longest slug GitBook's API accepts (RevisionPageSlug).
const MaxSlug = 100

// slugForFile is a page's slug from its file: the file name without its
// extension, or the folder's name for a folder's README. GitBook keeps it
// when a page is renamed: its own docs have "Migrate to GitBook" in
// getting-started/import.md.
func slugForFile(p string) string {
	base := strings.TrimSuffix(path.Base(p), path.Ext(p))
	if strings.EqualFold(base, "README") {
		if d := path.Dir(p); d != "." {
			base = path.Base(d)
		} else {
			return ""
		}
	}
	return Slugify(base)
}

// UniqueSlug returns slug, or slug-2, slug-3... when a sibling has it, and
// marks it used.
func UniqueSlug(slug string, used map[string]bool) string {
	if slug == "" {
		slug = "untitled"
	}
	s := slug
	for i := 2; used[s]; i++ {
		s = fmt.Sprintf("%s-%d", slug, i)
	}
	used[s] = true
	return s
}

// titleFromFile names a page that has neither heading nor SUMMARY entry.
func titleFromFile(p string) string {
	base := strings.TrimSuffix(path.Base(p), path.Ext(p))
	if strings.EqualFold(base, "README") && path.Dir(p) != "." {
		base = path.Base(path.Dir(p))
	}
	base = strings.NewReplacer("-", " ", "_", " ").Replace(base)
	if base == "" {
		return "Untitled"
	}
	r, n := utf8.DecodeRuneInString(base)
	return string(unicode.ToUpper(r)) + base[n:]
}

// QuoteCut quotes a value for an error message, cut to 80 characters: a
// message must never echo a huge input back.
func QuoteCut(s string) string {
	const limit = 80
	if utf8.RuneCountInString(s) <= limit {
		return fmt.Sprintf("%q", s)
	}
	r := []rune(s)
	return fmt.Sprintf("%q… (%d bytes)", string(r[:limit]), len(s))
}
