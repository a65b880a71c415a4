package emulator_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator"
	"github.com/gitbook-sync/gitbook-sync/internal/testrepo"
)

func TestImportBuildsPageTree(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		dir   string
		want  string
	}{
		{
			name: "custom root, readme and summary name, groups, nesting, links",
			files: map[string]string{
				".gitbook.yaml":            "root: ./docs/\nstructure:\n  readme: intro.md\n  summary: toc.md\n",
				"docs/intro.md":            "# Intro\n",
				"docs/toc.md":              "# Table of contents\n\n* [Intro](intro.md)\n\n## Guides\n\n* [Setup](setup/README.md)\n  * [Linux \\(x86\\)](setup/linux.md \"Linux\")\n    * [Deep](setup/linux/deep.md)\n* [Site](https://example.com)\n",
				"docs/setup/README.md":     "# Setup\n",
				"docs/setup/linux.md":      "Notes without a leading heading: the SUMMARY title names the page.\n",
				"docs/setup/linux/deep.md": "# Deep\n",
				"README.md":                "# not the readme\n",
			},
			// git.path is from the repository root, as GitBook's renderer
			// joins it to the repository's tree URL.
			want: "Intro [document] <docs/intro.md>\nGuides [group]\n  Setup [document] <docs/setup/README.md>\n    Linux (x86) [document] <docs/setup/linux.md>\n      Deep [document] <docs/setup/linux/deep.md>\n  Site [link] -> https://example.com\n",
		},
		{
			name: "project directory in a monorepo",
			dir:  "site/docs",
			files: map[string]string{
				"site/docs/README.md":  "# Home\n",
				"site/docs/SUMMARY.md": "* [Home](README.md)\n* [API](api.md#top)\n",
				"site/docs/api.md":     "# API\n",
			},
			want: "Home [document] <site/docs/README.md>\nAPI [document] <site/docs/api.md>\n",
		},
		{
			name: "no summary: the tree follows the folders",
			files: map[string]string{
				"README.md":       "# Home\n",
				"guide/README.md": "# The guide\n",
				"guide/first.md":  "# First steps\n",
				"reference.md":    "# Reference\n",
			},
			want: "Home [document] <README.md>\nThe guide [document] <guide/README.md>\n  First steps [document] <guide/first.md>\nReference [document] <reference.md>\n",
		},
		{
			name: "readme missing from the summary comes first, named by its heading",
			files: map[string]string{
				"README.md":  "# Home\n",
				"SUMMARY.md": "* [Other](other.md)\n",
				"other.md":   "# Other\n",
			},
			want: "Home [document] <README.md>\nOther [document] <other.md>\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			repo := testrepo.New(t).Write(tt.files)
			repo.Commit("docs")
			env, c := start(t, emulator.Seed{}, emulator.Options{})
			importRepo(t, env, c, repo.Dir, gitbook.ImportRequest{RepoProjectDirectory: tt.dir})
			pages, err := c.Pages(ctx, "space-1")
			if err != nil {
				t.Fatal(err)
			}
			if got := outline(pages); got != tt.want {
				t.Errorf("tree:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestImportCases holds one case for each way the emulator's import once
// read GitBook's format differently from GitBook (issue 15): each is read
// as GitBook's own export writes and reads it.
func TestImportCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		summary string
		files   map[string]string
		want    string                                     // outline of the tree
		check   func(t *testing.T, pages []map[string]any) // on the raw page list
	}{
		{
			name:    "a group heading's anchor names its slug and is not in its title",
			summary: "* [Home](README.md)\n\n## Get Started <a href=\"#getting-started\" id=\"getting-started\"></a>\n\n* [Quickstart](getting-started/quickstart.md)\n",
			files:   map[string]string{"getting-started/quickstart.md": "# Quickstart\n"},
			want:    "Home [document]\nGet Started [group] getting-started\n  Quickstart [document] getting-started/quickstart\n",
		},
		{
			name:    "*** ends a group: the pages after it are top level",
			summary: "* [Home](README.md)\n\n## Group\n\n* [A](a.md)\n\n***\n\n* [B](b.md)\n",
			files:   map[string]string{"a.md": "# A\n", "b.md": "# B\n"},
			want:    "Home [document]\nGroup [group] group\n  A [document] group/a\nB [document] b\n",
		},
		{
			name:    "a second entry of a page with an anchor is a link to that anchor",
			summary: "* [Home](README.md)\n* [Inline](inline.md)\n  * [Buttons](inline.md#buttons)\n",
			files:   map[string]string{"inline.md": "# Inline\n\n## Buttons\n"},
			want:    "Home [document]\nInline [document] inline\n  Buttons [link]\n",
			check: func(t *testing.T, pages []map[string]any) {
				inline := pages[1]
				link := inline["pages"].([]any)[0].(map[string]any)
				target := link["target"].(map[string]any)
				if target["kind"] != "anchor" || target["anchor"] != "buttons" || target["page"] != inline["id"] {
					t.Errorf("link target = %v, want the anchor buttons of page %v", target, inline["id"])
				}
			},
		},
		{
			name:    "backticks are not part of a title",
			summary: "* [Home](README.md)\n* [Bulk patching with stubs\\(\\)](stubs.md)\n",
			files:   map[string]string{"stubs.md": "# Bulk patching with `stubs()`\n"},
			want:    "Home [document]\nBulk patching with stubs() [document] stubs\n",
		},
		{
			name:    "layout and cover front matter make the page's layout and cover",
			summary: "* [Home](README.md)\n",
			files: map[string]string{
				"README.md":                "---\ncover: .gitbook/assets/hero.png\ncoverY: 12\nlayout:\n  width: wide\n  title:\n    visible: false\n  cover:\n    visible: true\n    size: background\n---\n\n# Home\n",
				".gitbook/assets/hero.png": "png",
			},
			want: "Home [document]\n",
			check: func(t *testing.T, pages []map[string]any) {
				layout := pages[0]["layout"].(map[string]any)
				if layout["width"] != "wide" || layout["title"] != false || layout["coverSize"] != "background" || layout["outline"] != true {
					t.Errorf("layout = %v", layout)
				}
				cover, _ := pages[0]["cover"].(map[string]any)
				ref, _ := cover["ref"].(map[string]any)
				if cover["yPos"] != 12.0 || ref["kind"] != "file" || ref["file"] == "" {
					t.Errorf("cover = %v, want the file hero.png at yPos 12", cover)
				}
			},
		},
		{
			name:    "text after an entry's link is not part of its path",
			summary: "* [Home](README.md)\n* [A](a.md) (draft)\n",
			files:   map[string]string{"a.md": "# A\n"},
			want:    "Home [document]\nA [document] a\n",
		},
		{
			name:    "entries inside a multi-line HTML comment are not pages",
			summary: "* [Home](README.md)\n\n<!--\n* [Hidden](hidden.md)\n* [Also](also.md)\n-->\n\n* [A](a.md)\n",
			files:   map[string]string{"a.md": "# A\n", "hidden.md": "# Hidden\n", "also.md": "# Also\n"},
			want:    "Home [document]\nA [document] a\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			files := map[string]string{"SUMMARY.md": "# Table of contents\n\n" + tt.summary, "README.md": "# Home\n"}
			for k, v := range tt.files {
				files[k] = v
			}
			repo := testrepo.New(t).Write(files)
			repo.Commit("docs")
			env, c := start(t, emulator.Seed{}, emulator.Options{})
			importRepo(t, env, c, repo.Dir, gitbook.ImportRequest{})
			raw := getJSON(t, env, "/spaces/space-1/content/pages")
			var list []map[string]any
			for _, p := range raw["pages"].([]any) {
				list = append(list, p.(map[string]any))
			}
			if got := rawOutline(list, 0); got != tt.want {
				t.Errorf("tree:\n%s\nwant:\n%s", got, tt.want)
			}
			if tt.check != nil {
				tt.check(t, list)
			}
		})
	}
}

// rawOutline is "title [type] path" per page, the root page's path left out.
func rawOutline(pages []map[string]any, depth int) string {
	var b strings.Builder
	for i, p := range pages {
		line := strings.Repeat("  ", depth) + p["title"].(string) + " [" + p["type"].(string) + "]"
		if path, _ := p["path"].(string); path != "" && !(depth == 0 && i == 0 && p["type"] == "document") {
			line += " " + path
		}
		b.WriteString(line + "\n")
		var kids []map[string]any
		for _, k := range asList(p["pages"]) {
			kids = append(kids, k.(map[string]any))
		}
		b.WriteString(rawOutline(kids, depth+1))
	}
	return b.String()
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// TestImportResolvesLinksBetweenPages: a relative link names a page, not a
// path; when the page moves, the export writes where it now is, and the
// API gives it as /pages/<id> when asked for stable references.
func TestImportResolvesLinksBetweenPages(t *testing.T) {
	t.Parallel()
	repo := testrepo.New(t).Write(map[string]string{
		"README.md":       "# Home\n\nSee [the guide](guide/setup.md#install) and ![logo](.gitbook/assets/logo.png).\n",
		"SUMMARY.md":      "# Table of contents\n\n* [Home](README.md)\n* [Guide](guide/README.md)\n  * [Setup](guide/setup.md)\n",
		"guide/README.md": "# Guide\n", "guide/setup.md": "# Setup\n\nBack [home](../README.md).\n",
		".gitbook/assets/logo.png": "png",
	})
	repo.Commit("docs")
	bare := repo.Bare()
	repo.Push()
	env, c := start(t, emulator.Seed{}, emulator.Options{})
	importRepo(t, env, c, bare, gitbook.ImportRequest{})
	pages, _ := c.Pages(ctx, "space-1")
	home, setup := pages[0], pages[1].Pages[0]

	stable := getJSON(t, env, "/spaces/space-1/content/page/"+home.ID+"?format=markdown&format.markdown.refs=stable")["markdown"].(string)
	if !strings.Contains(stable, "(/pages/"+setup.ID+"#install)") || !strings.Contains(stable, "(/files/") {
		t.Errorf("stable markdown = %q, want /pages/%s#install and a /files/ link", stable, setup.ID)
	}

	// Move Setup to the top level in a change request and merge it.
	cr, _ := c.CreateChangeRequest(ctx, "space-1", "Move setup")
	at := 1
	if _, err := c.ApplyChanges(ctx, "space-1", cr.ID, []gitbook.Change{{Operation: gitbook.OpUpdatePage, Page: setup.ID, Into: []byte("null"), At: &at}}); err != nil {
		t.Fatal(err)
	}
	if m, err := c.MergeChangeRequest(ctx, "space-1", cr.ID); err != nil || m.Result != "merge" {
		t.Fatalf("merge: %+v %v", m, err)
	}
	export(t, env, c, bare, "")
	files := commitFiles(t, bare)
	if want := "See [the guide](guide/setup.md#install)"; !strings.Contains(files["README.md"], want) {
		// The page kept its file: the link still names it.
		t.Errorf("README.md = %q, want %q", files["README.md"], want)
	}
	if want := "Back [home](../README.md)."; !strings.Contains(files["guide/setup.md"], want) {
		t.Errorf("guide/setup.md = %q, want %q", files["guide/setup.md"], want)
	}
	if want := "* [Setup](guide/setup.md)\n* [Guide](guide/README.md)"; !strings.Contains(files["SUMMARY.md"], want) {
		t.Errorf("SUMMARY.md = %q, want %q", files["SUMMARY.md"], want)
	}

	// A new page linking to Setup by ID gets a relative link in Git.
	cr2, _ := c.CreateChangeRequest(ctx, "space-1", "Link")
	if _, err := c.ApplyChanges(ctx, "space-1", cr2.ID, []gitbook.Change{{Operation: gitbook.OpInsertPage, Title: "Notes", Into: gitbook.Into(pages[1].ID),
		Document: &gitbook.Markdown{Markdown: "Read [setup](/pages/" + setup.ID + ") and [nothing](/pages/nope).\n"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.MergeChangeRequest(ctx, "space-1", cr2.ID); err != nil {
		t.Fatal(err)
	}
	export(t, env, c, bare, "")
	files = commitFiles(t, bare)
	if want := "# Notes\n\nRead [setup](setup.md) and nothing.\n"; files["guide/notes.md"] != want {
		t.Errorf("guide/notes.md = %q, want %q (a link to no page is plain text)", files["guide/notes.md"], want)
	}
}

func TestImportKeepsPageIDsAndHonoursTimestamps(t *testing.T) {
	t.Parallel()
	repo := testrepo.New(t).Write(map[string]string{"README.md": "# Home\n", "SUMMARY.md": "* [Home](README.md)\n* [A](a.md)\n", "a.md": "# A\n"})
	repo.Commit("one")
	env, c := start(t, emulator.Seed{}, emulator.Options{OperationDelay: 5 * time.Millisecond})
	t1 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	importRepo(t, env, c, "file://"+repo.Dir, gitbook.ImportRequest{Timestamp: &t1})
	first, _ := c.Pages(ctx, "space-1")

	repo.Write(map[string]string{"a.md": "# A\n\nchanged\n", "SUMMARY.md": "* [Home](README.md)\n* [B](b.md)\n* [A](a.md)\n", "b.md": "# B\n"})
	repo.Commit("two")
	t2 := t1.Add(time.Hour)
	importRepo(t, env, c, "file://"+repo.Dir, gitbook.ImportRequest{Timestamp: &t2})
	second, _ := c.Pages(ctx, "space-1")
	if first[1].ID != second[2].ID || first[0].ID != second[0].ID {
		t.Errorf("page IDs changed across imports: %s,%s then %s,%s", first[0].ID, first[1].ID, second[0].ID, second[2].ID)
	}
	rev, _ := c.CurrentRevision(ctx, "space-1")

	// An import stamped before the last applied one is skipped.
	repo.Write(map[string]string{"a.md": "# A\n\nstale\n"})
	repo.Commit("three")
	importRepo(t, env, c, repo.Dir, gitbook.ImportRequest{Timestamp: &t1})
	if again, _ := c.CurrentRevision(ctx, "space-1"); again.ID != rev.ID {
		t.Errorf("a stale import changed the space (revision %s -> %s)", rev.ID, again.ID)
	}
	// force overrides the order check.
	importRepo(t, env, c, repo.Dir, gitbook.ImportRequest{Timestamp: &t1, Force: true})
	if again, _ := c.CurrentRevision(ctx, "space-1"); again.ID == rev.ID {
		t.Error("a forced import did not apply")
	}
	// standalone makes a revision but leaves the space as it is.
	cur, _ := c.CurrentRevision(ctx, "space-1")
	importRepo(t, env, c, repo.Dir, gitbook.ImportRequest{Standalone: true, Force: true})
	if again, _ := c.CurrentRevision(ctx, "space-1"); again.ID != cur.ID {
		t.Error("a standalone import changed the space")
	}
}

// syncedSeed installs GitBook's Git Sync on space-1 with bare as the
// repository.
func syncedSeed(bare, dir string) emulator.Seed {
	seed := emulator.DefaultSeed()
	seed.Organizations[0].Spaces[0].GitSync = "github"
	seed.Organizations[0].Spaces[0].Repository = &emulator.RepositorySeed{URL: bare, Branch: "main", Directory: dir}
	return seed
}

func TestImportFailures(t *testing.T) {
	t.Parallel()
	repo := testrepo.New(t).Write(map[string]string{"SUMMARY.md": "* [A](a.md)\n", "a.md": "# A\n"})
	repo.Commit("no readme")
	// git/info shows operations only with Git Sync installed.
	env, c := start(t, syncedSeed(emptyBare(t), ""), emulator.Options{})
	for _, tc := range []struct{ url, ref, want string }{
		{repo.Dir, "", "README"},
		{repo.Dir, "refs/heads/nope", "not found"},
		{filepath.Join(t.TempDir(), "missing"), "", "open repository"},
	} {
		importRepo(t, env, c, tc.url, gitbook.ImportRequest{Ref: tc.ref, Force: true})
		info, err := c.GitInfo(ctx, "space-1")
		if err != nil {
			t.Fatal(err)
		}
		if op := info.Operation; op.State != gitbook.OperationFailure || !strings.Contains(op.Error, tc.want) {
			t.Errorf("import %s %s: %+v, want failure mentioning %q", tc.url, tc.ref, op, tc.want)
		}
	}
}

// TestImportSymlinks: links are followed inside the repository (the
// client's rule, content.ResolveLinks); a link's body is never its
// target's name, a page under a linked folder is read through it, and
// without SUMMARY.md a linked folder's pages are found.
func TestImportSymlinks(t *testing.T) {
	t.Parallel()
	repo := gitCLIRepo(t, map[string]string{
		"README.md":    "# Home\n",
		"SUMMARY.md":   "* [Home](README.md)\n* [Linked](linked.md)\n* [Deep](shortcut/deep.md)\n",
		"real/page.md": "# Real page\n\nbody\n", "real/deep.md": "# Deep\n",
		"linked.md": "->real/page.md", "shortcut": "->real",
		"inferred/README.md": "# Inferred\n", "inferred/guide": "->../real",
	})
	env, c := start(t, emulator.Seed{}, emulator.Options{})
	importRepo(t, env, c, repo, gitbook.ImportRequest{})
	pages, _ := c.Pages(ctx, "space-1")
	if got, want := outline(pages), "Home [document] <README.md>\nReal page [document] <linked.md>\nDeep [document] <shortcut/deep.md>\n"; got != want {
		t.Errorf("tree:\n%s\nwant:\n%s", got, want)
	}
	linked, err := c.PageMarkdown(ctx, "space-1", pages[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if linked.Markdown != "# Real page\n\nbody\n" {
		t.Errorf("linked page body = %q, want the target's content", linked.Markdown)
	}
	importRepo(t, env, c, repo, gitbook.ImportRequest{RepoProjectDirectory: "inferred", Force: true})
	pages, _ = c.Pages(ctx, "space-1")
	if got, want := outline(pages), "Inferred [document] <inferred/README.md>\nDeep [document] <inferred/guide/deep.md>\nReal page [document] <inferred/guide/page.md>\n"; got != want {
		t.Errorf("inferred tree:\n%s\nwant:\n%s", got, want)
	}
}

// TestImportRefusesLinksOut: a page, an asset or a folder that a link
// takes out of the repository fails the import, naming the file; nothing
// outside is read.
func TestImportRefusesLinksOut(t *testing.T) {
	t.Parallel()
	secret := filepath.Join(t.TempDir(), "secret.md")
	writeFile(t, secret, "# Secret\n")
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"a page", map[string]string{"SUMMARY.md": "* [Home](README.md)\n* [Out](outside.md)\n", "outside.md": "->" + secret}, "symbolic link outside.md → " + secret},
		{"a folder", map[string]string{"SUMMARY.md": "* [Home](README.md)\n* [Out](out/secret.md)\n", "out": "->" + filepath.Dir(secret)}, "out/secret.md: symbolic link out → "},
		{"an asset", map[string]string{".gitbook/assets/x.md": "->../../../x.md"}, "symbolic link .gitbook/assets/x.md → ../../../x.md"},
		{"a page found in the folders", map[string]string{"up.md": "->../up.md"}, "symbolic link up.md → ../up.md"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.files["README.md"] = "# Home\n"
			repo := gitCLIRepo(t, tc.files)
			env, c := start(t, syncedSeed(emptyBare(t), ""), emulator.Options{})
			importRepo(t, env, c, repo, gitbook.ImportRequest{})
			info, err := c.GitInfo(ctx, "space-1")
			if err != nil {
				t.Fatal(err)
			}
			if op := info.Operation; op.State != gitbook.OperationFailure || !strings.Contains(op.Error, tc.want) || !strings.Contains(op.Error, "leads outside the repository") {
				t.Errorf("import: %+v\nwant a failure naming %q", op, tc.want)
			}
		})
	}
}

// TestImportAnyFileName: a file name with a control character (which git
// accepts) anywhere in the repository does not fail the import; without
// SUMMARY.md it is a page like any other.
func TestImportAnyFileName(t *testing.T) {
	t.Parallel()
	repo := gitCLIRepo(t, map[string]string{"README.md": "# Home\n", "odd\x01name.md": "# Odd\n", "other/\x1b[31mred.txt": "x"})
	env, c := start(t, syncedSeed(emptyBare(t), ""), emulator.Options{})
	importRepo(t, env, c, repo, gitbook.ImportRequest{})
	info, err := c.GitInfo(ctx, "space-1")
	if err != nil {
		t.Fatal(err)
	}
	if op := info.Operation; op.State != gitbook.OperationSuccess {
		t.Fatalf("import: %+v", op)
	}
	pages, _ := c.Pages(ctx, "space-1")
	if got, want := outline(pages), "Home [document] <README.md>\nOdd [document] <odd\x01name.md>\n"; got != want {
		t.Errorf("tree:\n%q\nwant:\n%q", got, want)
	}
}
