package notify

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// Terminal is the dry run's Commenter: it says on W what would have been
// posted and posts nothing.
type Terminal struct {
	W io.Writer
	// Target names the request, such as "pull request #7".
	Target string
	// Why says why nothing is posted, such as "dry run".
	Why string
}

// Post writes one line about the comment.
func (t Terminal) Post(_ context.Context, _, body string) (Posted, error) {
	_, err := fmt.Fprintf(t.W, "gitbook-sync: %s: the comment on %s (%d lines) was not posted\n",
		t.Why, t.Target, strings.Count(strings.TrimSuffix(body, "\n"), "\n")+1)
	return Posted{Outcome: NotPosted}, err
}
