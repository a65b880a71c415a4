package gitbook

import (
	"errors"
	"fmt"
	"net/http"
)

// APIError is an error answer from the GitBook API. GitBook's body is
// {"error":{"code":N,"message":"..."}}; Status is the HTTP status, which can
// differ from Code when a proxy answered.
type APIError struct {
	Status  int
	Code    int
	Message string
	Method  string
	Path    string // without the query string
}

func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("gitbook: %s %s: %d: %s", e.Method, e.Path, e.Status, msg)
}

// ErrNoGitProvider is returned (wrapped) by GitInfo when the space has no
// Git Sync provider: GitBook answers 404 on git/info then.
var ErrNoGitProvider = errors.New("space has no Git Sync provider")

// ErrOutcomeUnknown wraps a failure after a non-idempotent request was sent
// (its answer lost, or a 502, 503 or 504): GitBook may or may not have
// acted on it, so it is not resent blindly. The caller reads what GitBook
// holds now and decides.
var ErrOutcomeUnknown = errors.New("GitBook may or may not have carried out the request; its outcome is unknown")

// StatusOf returns the HTTP status of an API error in err's chain, or 0.
func StatusOf(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

// IsNotFound reports whether err is GitBook's 404.
func IsNotFound(err error) bool { return StatusOf(err) == http.StatusNotFound }

// ErrAnswerTooLarge is returned (wrapped, with the limit) when an answer is
// larger than the client's Options.MaxAnswer.
var ErrAnswerTooLarge = errors.New("the answer is larger than the client's limit")
