package redact

import (
	"bytes"
	"io"
	"sync"
)

// Writer masks secrets in everything written through it, whatever the
// boundaries of the writes: text is held until a line ends, so a secret
// split across two writes is masked whole. Call Flush when done to write
// an unfinished last line.
//
// A line longer than holdLimit is cut at its last blank (a secret has
// none, so it is never cut in two), or written whole past hardLimit.
type Writer struct {
	mu      sync.Mutex
	w       io.Writer
	r       *Redactor
	pending []byte
}

const (
	holdLimit = 64 << 10
	hardLimit = 1 << 20
)

// NewWriter returns a Writer that masks with r and writes to w.
func NewWriter(w io.Writer, r *Redactor) *Writer { return &Writer{w: w, r: r} }

// Write takes p whole; the masked text reaches the underlying writer
// line by line.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pending = append(w.pending, p...)
	cut := bytes.LastIndexByte(w.pending, '\n') + 1
	if cut == 0 && len(w.pending) > holdLimit {
		cut = bytes.LastIndexAny(w.pending, " \t\r") + 1
		if cut == 0 && len(w.pending) > hardLimit {
			cut = len(w.pending)
		}
	}
	if cut == 0 {
		return len(p), nil
	}
	if err := w.emit(cut); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes what is held, masked.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.emit(len(w.pending))
}

func (w *Writer) emit(n int) error {
	if n == 0 {
		return nil
	}
	text := w.r.String(string(w.pending[:n]))
	w.pending = append(w.pending[:0], w.pending[n:]...)
	_, err := io.WriteString(w.w, text)
	return err
}
