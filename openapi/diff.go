package openapi

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/load"
)

// Changes is what changed in an API between two versions, in the order a
// pull request comment shows it (as oasdiff and bump.sh do): breaking
// changes first, then the operations added, removed and changed. JSON
// keys are snake_case; empty lists are left out.
type Changes struct {
	// Breaking are oasdiff's checks at error level: existing clients break.
	Breaking []Change `json:"breaking,omitempty"`
	// Warnings are its checks at warning level: clients may break.
	Warnings []Change    `json:"warnings,omitempty"`
	Added    []Operation `json:"added,omitempty"`
	Removed  []Operation `json:"removed,omitempty"`
	Changed  []Operation `json:"changed,omitempty"`
}

// Operation is one operation of the API.
type Operation struct {
	Method  string `json:"method"` // upper case: GET
	Path    string `json:"path"`   // as in the spec: /pets/{id}
	Summary string `json:"summary,omitempty"`
}

func (o Operation) String() string { return o.Method + " " + o.Path }

// Change is one finding of oasdiff's compatibility checks.
type Change struct {
	ID      string `json:"id"`    // oasdiff's rule: api-path-removed-without-deprecation
	Level   string `json:"level"` // error (breaking) or warning
	Method  string `json:"method,omitempty"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"` // oasdiff's sentence, without colours
}

func (c Change) String() string {
	if c.Method == "" && c.Path == "" {
		return c.Message
	}
	return strings.TrimSpace(c.Method+" "+c.Path) + ": " + c.Message
}

// Empty reports whether nothing changed in the operations.
func (c *Changes) Empty() bool {
	return len(c.Added)+len(c.Removed)+len(c.Changed)+len(c.Breaking)+len(c.Warnings) == 0
}

// Compare lists the operations added, removed and changed from old to new,
// and the changes that break clients (oasdiff's checks).
func Compare(old, new *Spec) (c *Changes, err error) {
	if !old.Comparable() || !new.Comparable() {
		return nil, fmt.Errorf("compare %s with %s: kin-openapi could not read both", old.Name, new.Name)
	}
	// oasdiff walks documents kin-openapi accepted but GitBook's rules
	// would not require (no info, odd shapes): a panic there is this
	// comparison's failure, not the run's.
	defer func() {
		if p := recover(); p != nil {
			c, err = nil, fmt.Errorf("compare %s with %s: oasdiff failed: %v", old.Name, new.Name, p)
		}
	}()
	oldInfo := &load.SpecInfo{Url: old.Name, Spec: old.doc, Version: infoVersion(old)}
	newInfo := &load.SpecInfo{Url: new.Name, Spec: new.doc, Version: infoVersion(new)}
	d, sources, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), oldInfo, newInfo)
	if err != nil {
		return nil, fmt.Errorf("compare %s with %s: %w", old.Name, new.Name, err)
	}
	c = &Changes{}
	if d == nil {
		return c, nil // oasdiff reports no diff at all for equal specs
	}
	op := func(s *Spec, method, path string) Operation {
		o := Operation{Method: method, Path: path}
		if item := s.doc.Paths.Value(path); item != nil {
			if x := item.GetOperation(method); x != nil {
				o.Summary = x.Summary
			}
		}
		return o
	}
	if pd := d.PathsDiff; pd != nil {
		for _, p := range pd.Added {
			for m := range new.doc.Paths.Value(p).Operations() {
				c.Added = append(c.Added, op(new, m, p))
			}
		}
		for _, p := range pd.Deleted {
			for m := range old.doc.Paths.Value(p).Operations() {
				c.Removed = append(c.Removed, op(old, m, p))
			}
		}
		for p, md := range pd.Modified {
			if md.OperationsDiff == nil {
				continue
			}
			for _, m := range md.OperationsDiff.Added {
				c.Added = append(c.Added, op(new, m, p))
			}
			for _, m := range md.OperationsDiff.Deleted {
				c.Removed = append(c.Removed, op(old, m, p))
			}
			for m := range md.OperationsDiff.Modified {
				c.Changed = append(c.Changed, op(new, m, p))
			}
		}
	}
	l := checker.NewLocalizer("en")
	for _, ch := range checker.CheckBackwardCompatibilityUntilLevel(checker.NewConfig(checker.GetAllChecks()), d, sources, checker.WARN) {
		x := Change{ID: ch.GetId(), Method: ch.GetOperation(), Path: ch.GetPath(), Message: ch.GetUncolorizedText(l)}
		if ch.GetLevel() == checker.ERR {
			x.Level = "error"
			c.Breaking = append(c.Breaking, x)
		} else {
			x.Level = "warning"
			c.Warnings = append(c.Warnings, x)
		}
	}
	byOp := func(a, b Operation) int { return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Method, b.Method)) }
	for _, list := range [][]Operation{c.Added, c.Removed, c.Changed} {
		slices.SortFunc(list, byOp)
	}
	byChange := func(a, b Change) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Method, b.Method), cmp.Compare(a.ID, b.ID), cmp.Compare(a.Message, b.Message))
	}
	slices.SortFunc(c.Breaking, byChange)
	slices.SortFunc(c.Warnings, byChange)
	return c, nil
}

func infoVersion(s *Spec) string {
	if s.doc.Info == nil {
		return ""
	}
	return s.doc.Info.Version
}

// collapseOver is the length past which a list is folded into <details>.
const collapseOver = 10

// Summary renders changes as Markdown: breaking changes first, long lists
// folded.
func (c *Changes) Summary() string {
	if c.Empty() {
		return "No change to the API's operations.\n"
	}
	var b strings.Builder
	section := func(title string, items []string) {
		if len(items) == 0 {
			return
		}
		if len(items) > collapseOver {
			fmt.Fprintf(&b, "<details><summary><b>%s</b> (%d)</summary>\n\n", title, len(items))
		} else {
			fmt.Fprintf(&b, "**%s** (%d)\n", title, len(items))
		}
		for _, it := range items {
			fmt.Fprintf(&b, "- `%s`\n", strings.ReplaceAll(it, "`", "'"))
		}
		if len(items) > collapseOver {
			b.WriteString("\n</details>\n")
		}
		b.WriteString("\n")
	}
	section("Breaking changes", strs(c.Breaking))
	section("Operations added", strs(c.Added))
	section("Operations removed", strs(c.Removed))
	section("Operations changed", strs(c.Changed))
	section("Warnings", strs(c.Warnings))
	return strings.TrimRight(b.String(), "\n") + "\n"
}

func strs[T fmt.Stringer](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = x.String()
	}
	return out
}
