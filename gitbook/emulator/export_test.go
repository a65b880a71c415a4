package emulator_test

import (
	"testing"

	"github.com/go-git/go-git/v5"

	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/gitbook/emulator"
	"github.com/gitbook-sync/gitbook-sync/internal/testrepo"
)

// TestExportCommitsPages merges an edit made in GitBook and exports it: the
// commit's files are the pages, with a matching SUMMARY.md; new pages go
// in their parent's folder, a group's pages in the group's.
func TestExportCommitsPages(t *testing.T) {
	t.Parallel()
	repo := testrepo.New(t).Write(map[string]string{
		"README.md": "# Home\n", "SUMMARY.md": "* [Home](README.md)\n* [Guide](guide/README.md)\n  * [Old](guide/old.md)\n\n## Reference Docs <a href=\"#ref\" id=\"ref\"></a>\n\n* [API](ref/api.md)\n",
		"guide/README.md": "# Guide\n", "guide/old.md": "# Old\n", "ref/api.md": "# API\n", "LICENSE": "keep me\n",
	})
	repo.Commit("docs")
	bare := repo.Bare()
	repo.Push()
	env, c := start(t, emulator.Seed{}, emulator.Options{})
	importRepo(t, env, c, bare, gitbook.ImportRequest{})
	pages, _ := c.Pages(ctx, "space-1")
	guide, old, group := pages[1], pages[1].Pages[0], pages[2]

	cr, _ := c.CreateChangeRequest(ctx, "space-1", "Rework the guide")
	desc := "All about it"
	if _, err := c.ApplyChanges(ctx, "space-1", cr.ID, []gitbook.Change{
		{Operation: gitbook.OpDeletePage, Page: old.ID},
		{Operation: gitbook.OpInsertPage, Title: "New Page", Into: gitbook.Into(guide.ID), Document: &gitbook.Markdown{Markdown: "Fresh.\n"}},
		// GitBook keeps a leading heading sent through the API in the
		// document: the page then shows it twice.
		{Operation: gitbook.OpInsertPage, Into: gitbook.Into(group.ID), Document: &gitbook.Markdown{Markdown: "# Errors\n\nCodes.\n"}},
		{Operation: gitbook.OpUpdatePage, Page: guide.ID, Description: &desc},
	}); err != nil {
		t.Fatal(err)
	}
	if m, err := c.MergeChangeRequest(ctx, "space-1", cr.ID); err != nil || m.Result != "merge" {
		t.Fatalf("merge: %+v %v", m, err)
	}
	if err := c.Export(ctx, "space-1", gitbook.ExportRequest{URL: bare, Ref: "refs/heads/main", CommitMessage: "GITBOOK-1: Rework the guide"}); err != nil {
		t.Fatal(err)
	}
	env.Server.Wait()
	files := commitFiles(t, bare)
	want := map[string]string{
		// An empty page is its heading and a blank line, as GitBook writes
		// it ("# Implementation\n\n" in GitBook's own docs).
		"README.md":         "# Home\n\n",
		"guide/README.md":   "---\ndescription: All about it\n---\n\n# Guide\n\n",
		"guide/new-page.md": "# New Page\n\nFresh.\n",
		"ref/errors.md":     "# Errors\n\n# Errors\n\nCodes.\n",
		"ref/api.md":        "# API\n\n",
		"LICENSE":           "keep me\n",
		"SUMMARY.md":        "# Table of contents\n\n* [Home](README.md)\n* [Guide](guide/README.md)\n  * [New Page](guide/new-page.md)\n\n## Reference Docs <a href=\"#ref\" id=\"ref\"></a>\n\n* [API](ref/api.md)\n* [Errors](ref/errors.md)\n",
	}
	checkFiles(t, files, want)
	rev, _ := c.CurrentRevision(ctx, "space-1")
	head := headCommit(t, bare)
	if rev.Git == nil || rev.Git.OID != head.Hash.String() || !rev.Git.CreatedByGitBook {
		t.Errorf("revision git = %+v, want exported commit %s", rev.Git, head.Hash)
	}
	if head.Author.Name != "gitbook-bot" {
		t.Errorf("export author = %s, want gitbook-bot", head.Author.Name)
	}
	// Exporting to the checked-out branch of a work tree fails, as git does.
	if err := c.Export(ctx, "space-1", gitbook.ExportRequest{URL: repo.Dir, Ref: "refs/heads/main", CommitMessage: "x"}); err != nil {
		t.Fatal(err)
	}
	env.Server.Wait()
	if r, _ := git.PlainOpen(repo.Dir); r != nil {
		if h, _ := r.Head(); h != nil && h.Hash() != repo.Head() {
			t.Error("an export moved the checked-out branch of a work tree")
		}
	}
}

// TestExportNewSpace: a space made in GitBook exports to an empty
// repository as one that imports back: its first page is README.md and a
// .gitbook.yaml is written.
func TestExportNewSpace(t *testing.T) {
	t.Parallel()
	env, c := start(t, emulator.Seed{}, emulator.Options{})
	cr, _ := c.CreateChangeRequest(ctx, "space-1", "First pages")
	if _, err := c.ApplyChanges(ctx, "space-1", cr.ID, []gitbook.Change{
		{Operation: gitbook.OpInsertPage, Title: "Welcome", Document: &gitbook.Markdown{Markdown: "Hello.\n"}},
		{Operation: gitbook.OpInsertPage, Title: "Usage", Ref: "usage", Document: &gitbook.Markdown{Markdown: "Back to [welcome](./README.md).\n"}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.MergeChangeRequest(ctx, "space-1", cr.ID); err != nil {
		t.Fatal(err)
	}
	bare := emptyBare(t)
	export(t, env, c, bare, "docs")
	files := commitFiles(t, bare)
	want := map[string]string{
		"docs/.gitbook.yaml": "root: ./\n\nstructure:\n  readme: README.md\n  summary: SUMMARY.md\n",
		"docs/README.md":     "# Welcome\n\nHello.\n",
		"docs/usage.md":      "# Usage\n\nBack to [welcome](./README.md).\n",
		"docs/SUMMARY.md":    "# Table of contents\n\n* [Welcome](README.md)\n* [Usage](usage.md)\n",
	}
	checkFiles(t, files, want)
	// ... and it reads back.
	seed := emulator.DefaultSeed()
	seed.Organizations[0].Spaces = append(seed.Organizations[0].Spaces, emulator.SpaceSeed{ID: "space-2", Title: "Copy"})
	env2, c2 := start(t, seed, emulator.Options{})
	if err := c2.Import(ctx, "space-2", gitbook.ImportRequest{URL: bare, Ref: "refs/heads/main", RepoProjectDirectory: "docs"}); err != nil {
		t.Fatal(err)
	}
	env2.Server.Wait()
	pages, _ := c2.Pages(ctx, "space-2")
	if got := outline(pages); got != "Welcome [document] <docs/README.md>\nUsage [document] <docs/usage.md>\n" {
		t.Errorf("re-imported tree:\n%s", got)
	}
}
