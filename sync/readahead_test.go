package sync

import (
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/gitbook-sync/gitbook-sync/content"
)

// panicky is an object store whose reads panic, as a library bug would.
type panicky struct{ storer.EncodedObjectStorer }

func (panicky) EncodedObject(plumbing.ObjectType, plumbing.Hash) (plumbing.EncodedObject, error) {
	panic("boom")
}

// A panic while reading ahead is the read's error: the page diff waiting
// for that blob is not left waiting for ever.
func TestReadAheadPanicIsAnError(t *testing.T) {
	t.Parallel()
	h := plumbing.NewHash("1111111111111111111111111111111111111111")
	ra := readAhead(panicky{}, []content.FileChange{{To: "a.md", ToHash: h.String()}})
	defer ra.stop()
	done := make(chan error, 1)
	go func() {
		// Once the read-ahead has taken the blob, read waits for it.
		for {
			ra.mu.Lock()
			b := ra.blobs[h]
			taken := b != nil && b.taken
			ra.mu.Unlock()
			if taken {
				break
			}
			time.Sleep(time.Millisecond)
		}
		_, err := ra.read(h)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "boom") {
			t.Errorf("read: %v, want the panic as an error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("read still waiting after 5 s")
	}
}
