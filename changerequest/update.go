package changerequest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/gitbook-sync/gitbook-sync/content"
	"github.com/gitbook-sync/gitbook-sync/gitbook"
)

// Options describe one change request: where, for what, reviewed by whom.
type Options struct {
	Client       *gitbook.Client
	Space        string
	Organization string
	// Link identifies the change request on later runs: the pull request's
	// URL, or a URL naming the branch for pushes without one. Its Key goes
	// into the subject.
	Link      string
	LinkTitle string
	Subject   string
	Reviewers []string // user IDs or e-mails
	Review    string   // "", "approve" or "request-changes"
	// Reason says why Archive archives, for the note it leaves in the
	// change request's description.
	Reason string
	DryRun bool
}

// Result is what happened to the change request.
type Result struct {
	Number  int                  `json:"number,omitempty"`
	ID      string               `json:"id,omitempty"`
	URL     string               `json:"url,omitempty"`
	Created bool                 `json:"created,omitempty"`
	Pages   []content.PageChange `json:"pages,omitempty"`
	Writes  int                  `json:"writes"`
	Batches int                  `json:"batches"`
	Merged  bool                 `json:"merged,omitempty"`
	// Conflicts: merged, or brought up to date with the live content, but
	// GitBook asks for conflicts to be resolved in its editor (URL).
	Conflicts bool `json:"conflicts,omitempty"`
	Archived  bool `json:"archived,omitempty"`
	// Already says that another writer (a run at the same time, a person)
	// merged or archived the change request ("merged", "archived") while
	// this run was finishing it: Merged or Archived tell the end state.
	Already string `json:"already,omitempty"`
	// Superseded lists the other change requests for the same pull request
	// (made by runs at the same time, or left by lost answers) archived in
	// favour of this one.
	Superseded []int    `json:"superseded,omitempty"`
	Warnings   []string `json:"warnings,omitempty"`
}

func (r *Result) keep(cr *gitbook.ChangeRequest) {
	r.Number, r.ID, r.URL = cr.Number, cr.ID, cr.URLs.App
}

// maxRounds bounds how often a run starts over on another change request
// or after a write another run overtook.
const maxRounds = 3

// errOvertaken marks a failed write to a change request that someone else
// changed meanwhile: planning again from what it now holds is safe.
var errOvertaken = errors.New("the change request changed while it was being updated")

// Update brings the change request for opts.Link up to date with t for
// the pages in scope: it creates the change request when there is
// something to send, sends only what is missing, and checks the result. A
// run killed half-way is completed by the next one; runs at the same time
// end on the same change request, the one with the lowest number.
func Update(ctx context.Context, opts Options, t *Tree, scope Scope) (*Result, error) {
	res := &Result{}
	reviewers, err := ResolveReviewers(ctx, opts.Client, opts.Organization, opts.Reviewers)
	if err != nil {
		return nil, err
	}
	f, err := scan(ctx, opts)
	if err != nil {
		return nil, err
	}
	var cr *gitbook.ChangeRequest
	var v *view
	if len(f.ours) > 0 {
		if cr, err = fresh(ctx, opts, &f.ours[0], res); err != nil {
			return res, err
		}
	} else {
		// No change request yet: plan against the live content, which a
		// new change request starts from.
		rev, err := opts.Client.CurrentRevision(ctx, opts.Space)
		if err != nil {
			return nil, fmt.Errorf("read space %s: %w", opts.Space, err)
		}
		if v, err = readView(ctx, opts, "", rev, t, scope, nil); err != nil {
			return nil, err
		}
		steps := plan(t, v, scope)
		res.Pages = summaries(steps)
		if opts.DryRun || len(steps) == 0 {
			res.Created = len(steps) > 0
			return res, nil
		}
		if cr, err = create(ctx, opts, res); err != nil {
			return res, err
		}
		res.keep(cr)
		if cr.RevisionInitial != rev.ID {
			v = nil // live moved on between the read and the create
		}
	}
	if opts.DryRun {
		rev, err := opts.Client.ChangeRequestRevision(ctx, opts.Space, cr.ID)
		if err != nil {
			return nil, fmt.Errorf("read change request #%d: %w", cr.Number, err)
		}
		if v, err = readView(ctx, opts, cr.ID, rev, t, scope, readRecord(cr)); err != nil {
			return nil, err
		}
		res.Pages = summaries(plan(t, v, scope))
		return res, nil
	}
	for round := 1; ; round++ {
		err := bring(ctx, opts, cr, t, scope, v, res)
		v = nil
		keeper, serr := settle(ctx, opts, cr, res)
		switch {
		case serr != nil:
			return res, errors.Join(err, serr)
		case round == maxRounds && (err != nil || keeper.ID != cr.ID):
			return res, fmt.Errorf("change request #%d: gave up after %d rounds: %w", cr.Number, round, cmp.Or(err, errOvertaken))
		case keeper.ID != cr.ID:
			// Another run's change request came first: finish that one.
			if cr, err = fresh(ctx, opts, keeper, res); err != nil {
				return res, err
			}
			continue
		case errors.Is(err, errOvertaken) || errors.Is(err, gitbook.ErrOutcomeUnknown):
			continue // plan again from what the change request holds now
		case err != nil:
			return res, err
		}
		break
	}
	if err := requestReviewers(ctx, opts, cr.ID, reviewers, res); err != nil {
		return res, err
	}
	if opts.Review != "" && len(res.Pages) > 0 {
		status := gitbook.ReviewApproved
		if opts.Review == "request-changes" {
			status = gitbook.ReviewChangesRequested
		}
		if err := review(ctx, opts, cr, status, res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// fresh reads the change request listed and, unless this is a dry
// run, brings it up to date with the live content when it is outdated.
func fresh(ctx context.Context, opts Options, listed *gitbook.ChangeRequest, res *Result) (*gitbook.ChangeRequest, error) {
	cr, err := opts.Client.ChangeRequest(ctx, opts.Space, listed.ID)
	if err != nil {
		return nil, fmt.Errorf("read change request #%d: %w", listed.Number, err)
	}
	res.keep(cr)
	if opts.DryRun {
		return cr, nil
	}
	return cr, rebase(ctx, opts, cr, res)
}

// rebase brings an outdated change request up to date with the live
// content (GitBook's updateChangeRequest), as GitBook advises before a
// merge. Before an update it makes the pages the pull request does not
// touch show what is live, so that reviewers see the pull request's
// changes only, and the plan is made against what they see. GitBook's
// "conflicts" is applied too: the result says so, with the change
// request's address. cr follows the new revision.
func rebase(ctx context.Context, opts Options, cr *gitbook.ChangeRequest, res *Result) error {
	if !cr.Outdated {
		return nil
	}
	u, err := opts.Client.RebaseChangeRequest(ctx, opts.Space, cr.ID)
	res.Writes++
	if err != nil {
		return fmt.Errorf("bring change request #%d up to date with the live content: %w", cr.Number, err)
	}
	cr.Revision, cr.Outdated = u.Revision, false
	if u.Result == gitbook.MergeConflicts {
		res.Conflicts = true
		res.Warnings = append(res.Warnings, fmt.Sprintf("change request #%d was brought up to date with the live content with conflicts: resolve them in GitBook (%s)", cr.Number, cr.URLs.App))
	}
	return nil
}

// create opens the change request with the key in its subject. When the
// answer is lost, the listing tells whether it was made; if not, it is
// made once more (twins from a list that lagged converge in settle).
func create(ctx context.Context, opts Options, res *Result) (*gitbook.ChangeRequest, error) {
	subject := subjectFor(opts.Subject, opts.Link)
	for try := 1; ; try++ {
		cr, err := opts.Client.CreateChangeRequest(ctx, opts.Space, subject)
		res.Writes++
		if err == nil {
			res.Created = true
			return cr, nil
		}
		err = fmt.Errorf("create change request in space %s: %w", opts.Space, err)
		if !errors.Is(err, gitbook.ErrOutcomeUnknown) || try == 2 {
			return nil, err
		}
		f, lerr := scan(ctx, opts)
		if lerr != nil {
			return nil, errors.Join(err, lerr)
		}
		if len(f.ours) > 0 {
			res.Created = true
			return opts.Client.ChangeRequest(ctx, opts.Space, f.ours[0].ID)
		}
	}
}

// readView reads the bodies a plan against rev compares.
func readView(ctx context.Context, opts Options, crID string, rev *gitbook.Revision, t *Tree, scope Scope, rec record) (*view, error) {
	v := newView(rev, t, rec)
	if err := v.fill(ctx, opts, t, scope); err != nil {
		return nil, fmt.Errorf("read pages of %s: %w", where(crID, opts.Space), err)
	}
	return v, nil
}

func where(crID, space string) string {
	if crID == "" {
		return "space " + space
	}
	return "change request " + crID
}

// bring makes change request cr say what t says for the pages in scope,
// checks it, and records what was sent. v, when given, is the content cr
// started from.
func bring(ctx context.Context, opts Options, cr *gitbook.ChangeRequest, t *Tree, scope Scope, v *view, res *Result) error {
	rec := readRecord(cr)
	revision := cr.Revision
	if cr.Revision != cr.RevisionInitial {
		v = nil // it has edits already: the content it started from is not what it holds
	}
	if v == nil {
		rev, err := opts.Client.ChangeRequestRevision(ctx, opts.Space, cr.ID)
		if err != nil {
			return fmt.Errorf("read change request #%d: %w", cr.Number, err)
		}
		if v, err = readView(ctx, opts, cr.ID, rev, t, scope, rec); err != nil {
			return err
		}
		revision = rev.ID
	}
	v.record = rec
	steps := plan(t, v, scope)
	if len(res.Pages) == 0 {
		res.Pages = summaries(steps)
	}
	sent := map[string]string{} // page ID -> document sent
	if err := apply(ctx, opts, cr, steps, sent, &revision, res); err != nil {
		return err
	}
	if len(steps) > 0 {
		after, err := afterwards(ctx, opts, cr, t, scope, v, res, &revision)
		if err != nil {
			return err
		}
		// What GitBook stored from what it was sent, for the record.
		stored, err := opts.Client.RevisionPagesMarkdown(ctx, opts.Space, after.revision, slices.Collect(maps.Keys(sent)))
		if err != nil {
			return fmt.Errorf("read back change request #%d: %w", cr.Number, err)
		}
		rec = maps.Clone(rec)
		for id, doc := range sent {
			rec[id] = entry{Sent: digest(doc), Stored: digest(stored[id])}
		}
		maps.Copy(after.bodies, stored)
		after.record = rec
		if err := verify(ctx, opts, cr, t, scope, after); err != nil {
			return err
		}
		rec = prune(rec, after.pages)
	}
	return tidy(ctx, opts, cr, rec, res)
}

// afterwards reads the change request after its content was sent, puts
// pages in the repository's order (which depends on which pages exist by
// now), and returns the view of the result.
func afterwards(ctx context.Context, opts Options, cr *gitbook.ChangeRequest, t *Tree, scope Scope, before *view, res *Result, revision *string) (*view, error) {
	read := func() (*view, error) {
		rev, err := opts.Client.ChangeRequestRevision(ctx, opts.Space, cr.ID)
		if err != nil {
			return nil, fmt.Errorf("read change request #%d: %w", cr.Number, err)
		}
		*revision = rev.ID
		v := newView(rev, t, before.record)
		maps.Copy(v.bodies, before.bodies)
		return v, nil
	}
	v, err := read()
	if err != nil {
		return nil, err
	}
	moves := reorder(t, v, scope)
	if len(moves) == 0 {
		return v, nil
	}
	if err := apply(ctx, opts, cr, moves, nil, revision, res); err != nil {
		return nil, err
	}
	return read()
}

// verify fails if the change request (v, read after the update) does not
// match the repository for the pages in scope.
func verify(ctx context.Context, opts Options, cr *gitbook.ChangeRequest, t *Tree, scope Scope, v *view) error {
	if err := v.fill(ctx, opts, t, scope); err != nil {
		return fmt.Errorf("check change request #%d: %w", cr.Number, err)
	}
	left := append(plan(t, v, scope), reorder(t, v, scope)...)
	if len(left) == 0 {
		return nil
	}
	var what []string
	for _, s := range left {
		what = append(what, s.Summary.Op+" "+s.Summary.Path)
	}
	return fmt.Errorf("change request #%d does not match the repository after the update (still to do: %s); run again, and report it if it persists",
		cr.Number, strings.Join(what, ", "))
}

// prune keeps the record of pages the change request still has.
func prune(rec record, pages []gitbook.Page) record {
	out := record{}
	gitbook.Walk(pages, func(p *gitbook.Page, _ *gitbook.Page, _ int) {
		if e, ok := rec[p.ID]; ok {
			out[p.ID] = e
		}
	})
	return out
}

// tidy gives the change request its subject (with the key), its link and
// the record, in one write, and only when one of them differs.
func tidy(ctx context.Context, opts Options, cr *gitbook.ChangeRequest, rec record, res *Result) error {
	var u gitbook.ChangeRequestUpdate
	changed := false
	if want := subjectFor(opts.Subject, opts.Link); cr.Subject != want {
		u.Subject, changed = &want, true
	}
	linked := false
	for _, l := range cr.Links {
		linked = linked || l.Ref.URL == opts.Link
	}
	if !linked && opts.Link != "" && len(cr.Links) < 10 {
		u.Links = append(append([]gitbook.ChangeRequestLink(nil), cr.Links...), gitbook.NewLink(opts.Link, opts.LinkTitle))
		changed = true
	}
	if old := readRecord(cr); !maps.Equal(old, rec) {
		note := ""
		if cr.Description == nil || len(cr.Description.Nodes) == 0 {
			note = fmt.Sprintf("gitbook-sync keeps this change request in step with %s (%s).", cmp.Or(opts.LinkTitle, "its pull request"), opts.Link)
		}
		u.Description, changed = describe(cr.Description, rec, note), true
	}
	if !changed {
		return nil
	}
	if _, err := opts.Client.UpdateChangeRequest(ctx, opts.Space, cr.ID, u); err != nil {
		return fmt.Errorf("update the subject, link and record of change request #%d: %w", cr.Number, err)
	}
	res.Writes++
	return nil
}

// settle lists the pull request's change requests after a run's work. The
// lowest numbered is the one kept: if it is cr, the others (twins of a
// race, earlier orphans) are archived with a note saying why; if not, it
// is returned for the run to finish, and the run that made it, or this one
// on its next settle, archives cr.
func settle(ctx context.Context, opts Options, cr *gitbook.ChangeRequest, res *Result) (*gitbook.ChangeRequest, error) {
	f, err := scan(ctx, opts)
	if err != nil {
		return nil, err
	}
	if len(f.ours) == 0 {
		return cr, nil // archived or merged meanwhile by a person: nothing to converge with
	}
	keeper := &f.ours[0]
	if keeper.ID != cr.ID {
		if keeper.Number > cr.Number {
			keeper = cr // ours is lower but no longer listed: it was merged or archived
		}
		if keeper.ID != cr.ID {
			return keeper, nil
		}
	}
	for _, other := range f.ours[1:] {
		note := fmt.Sprintf("Archived by gitbook-sync: change request #%d carries %s (%s); this one was made by a run at the same time.", cr.Number, cmp.Or(opts.LinkTitle, "the same pull request"), opts.Link)
		if _, err := archive(ctx, opts, &other, note, res); err != nil {
			return nil, err
		}
		res.Superseded = append(res.Superseded, other.Number)
	}
	for _, other := range f.orphaned(cr) {
		note := fmt.Sprintf("Archived by gitbook-sync: an earlier run made this change request for %s (%s) but lost GitBook's answer, so it stayed empty; change request #%d carries it.", cmp.Or(opts.LinkTitle, "the pull request"), opts.Link, cr.Number)
		if _, err := archive(ctx, opts, &other, note, res); err != nil {
			return nil, err
		}
		res.Superseded = append(res.Superseded, other.Number)
	}
	return cr, nil
}

// apply sends steps in batches of at most 50; a step whose parent is
// inserted by an earlier step waits for the batch that gives it an ID.
// Documents sent are noted in sent (when not nil) by page ID; revision
// follows the change request's revision so that a failure can tell
// whether another writer overtook this one.
//
// GitBook resolves a document's links to other pages when it receives
// it, against the pages the change request has by the end of that batch,
// and leaves a link to a page not there yet as plain text. So a document
// linking to a page completed by a later batch is sent once more at the end.
func apply(ctx context.Context, opts Options, cr *gitbook.ChangeRequest, steps []step, sent map[string]string, revision *string, res *Result) error {
	ids := map[string]string{}     // ref -> page ID
	insertedIn := map[string]int{} // content path -> batch that inserted it
	type doc struct {
		id, path, markdown string
		batch              int
	}
	var docs []doc
	pending := steps
	for n := 1; len(pending) > 0; n++ {
		var batch []gitbook.Change
		var batchSteps, later []step
		inBatch := map[string]bool{}
		for _, s := range pending {
			if s.Change.Operation == "" {
				continue // summary only: its upload travels in a neighbouring step
			}
			if s.ParentRef != "" && (ids[s.ParentRef] == "" || inBatch[s.ParentRef]) {
				later = append(later, s)
				continue
			}
			if len(batch) == gitbook.MaxChangesPerBatch {
				later = append(later, s)
				continue
			}
			ch := s.Change
			if s.ParentRef != "" {
				ch.Into = gitbook.Into(ids[s.ParentRef])
			}
			if ch.Ref != "" {
				inBatch[ch.Ref] = true
			}
			batch, batchSteps = append(batch, ch), append(batchSteps, s)
		}
		if len(batch) == 0 {
			return fmt.Errorf("change request #%d: %d changes wait for parent pages that were never created", cr.Number, len(later))
		}
		out, err := opts.Client.ApplyChanges(ctx, opts.Space, cr.ID, batch)
		res.Writes++
		if err != nil {
			err = fmt.Errorf("update change request #%d (batch %d, %d changes; earlier batches were applied, the next run completes the rest): %w",
				cr.Number, res.Batches+1, len(batch), err)
			if now, gerr := opts.Client.ChangeRequest(ctx, opts.Space, cr.ID); gerr == nil && now.Revision != *revision {
				err = fmt.Errorf("%w: %w", errOvertaken, err)
			}
			return err
		}
		res.Batches++
		*revision = out.ChangeRequest.Revision
		for _, c := range out.Changes {
			if c.Ref != "" {
				ids[c.Ref] = c.PageID()
			}
		}
		for i, ch := range batch {
			if ch.Operation == gitbook.OpInsertPage {
				insertedIn[batchSteps[i].Summary.Path] = n
			}
			if ch.Document == nil {
				continue
			}
			id := cmp.Or(ids[ch.Ref], ch.Page)
			docs = append(docs, doc{id: id, path: batchSteps[i].Summary.Path, markdown: ch.Document.Markdown, batch: n})
			if sent != nil {
				sent[id] = ch.Document.Markdown
			}
		}
		pending = later
	}
	// A page is known by the file it would have in Git, which is a folder's
	// README.md only once it has children: so a link waits for the last
	// batch that inserted its page or, for a README, a page below it.
	complete := func(target string) int {
		n := insertedIn[target]
		if path.Base(target) == "README.md" {
			dir := path.Dir(target) + "/"
			for p, b := range insertedIn {
				if strings.HasPrefix(p, dir) {
					n = max(n, b)
				}
			}
		}
		return n
	}
	var again []step
	for _, d := range docs {
		// A README's own links are read from its folder only once it has
		// children, too.
		links := pageLinks(d.path, d.markdown)
		if len(links) > 0 && complete(d.path) > d.batch || slices.ContainsFunc(links, func(t string) bool { return complete(t) > d.batch }) {
			again = append(again, step{Change: gitbook.Change{Operation: gitbook.OpUpdatePage, Page: d.id, Document: &gitbook.Markdown{Markdown: d.markdown}},
				Summary: content.PageChange{Op: content.Modified, Path: d.path, Note: "links to pages added after it"}})
		}
	}
	if len(again) == 0 {
		return nil
	}
	return apply(ctx, opts, cr, again, nil, revision, res)
}
