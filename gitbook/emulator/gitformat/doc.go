// Package gitformat is the GitBook emulator's own implementation of
// GitBook's Git Sync repository format: how a space's pages and files are
// read from a repository (Read) and written to one (Write). It shares
// nothing with the client's reading of the format (package content) but a
// Markdown parser library, so that a test comparing the two can find a
// mistake in either.
//
// Each rule comes from GitBook's evidence: its Git Sync docs
// (documentation/docs-as-code/git-sync in GitbookIO/public-docs), its API
// description, and GitbookIO/public-docs itself, written by GitBook's
// export, whose five synced spaces Read and Write reproduce byte for byte.
//
// Reading a project (a folder of the repository):
//
//   - .gitbook.yaml gives root, structure.readme (README.md) and
//     structure.summary (SUMMARY.md); an empty file means the defaults;
//   - SUMMARY.md: "#" is its title; "##" headings are groups, whose slug is
//     the id of an <a> in the heading (GitBook writes one when the slug is
//     not the title's) and whose title leaves the HTML out; "***" ends a
//     group; nested list items are nested pages; text after an item's link
//     is not part of it; HTML comments hide what they hold; a second entry
//     for a file with an "#anchor" is a link to that heading; a "```yaml"
//     item is a computed page (builtin:openapi); an entry whose file is
//     missing is skipped with a warning;
//   - without SUMMARY.md the folders make the tree, a folder's README.md
//     being the parent of its other pages; the first page comes first;
//   - a page file is front matter (kept as written; description, hidden,
//     icon, emoji, noIndex, noRobotsIndex, layout and cover read from it),
//     a "# title" heading and the document; the title is the heading's
//     plain text (code, escapes and HTML resolved), else the SUMMARY text;
//   - a page's slug is its file's name (GitBook keeps it when the title
//     changes), the first page's its title's, made unique among siblings;
//   - .gitbook/assets holds the space's files;
//   - relative links to pages and files are resolved to what they name.
//
// Writing is the reverse (see Write): unchanged pages come back as they
// were read, new ones in GitBook's layout. Normalize gives the rules for
// Markdown GitBook receives through its API.
package gitformat
