package changerequest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"strings"

	"github.com/gitbook-sync/gitbook-sync/gitbook"
)

// record holds, for each page gitbook-sync wrote in a change request, a
// digest of the document it sent and of the Markdown GitBook stored from
// it. GitBook normalises what it is sent (its API description says so),
// in ways that cannot be undone on our side; with the record a re-run
// knows its own earlier write and sends nothing, and a page changed since
// by a person is still told apart.
//
// It lives in the change request itself, in the data of its description:
// the spec's JSONDocument.data takes any keys and GitBook shows only the
// nodes. So it survives a re-run on a fresh CI machine, needs no storage
// of ours, goes away with the change request, and only API clients see it.
// If a person's edit of the description drops it, the cost is one more
// write of the pages it covered, never a wrong result.
type record map[string]entry // page ID -> entry

type entry struct{ Sent, Stored string }

// recordKey names the record in the description's data.
const recordKey = "gitbook_sync"

type recordJSON struct {
	Version int               `json:"version"`
	Pages   map[string]string `json:"pages"` // page ID -> "sent stored"
}

// digest is short: it tells our own writes apart, not adversaries.
func digest(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

// readRecord reads the record of a change request; none when absent or
// unreadable.
func readRecord(cr *gitbook.ChangeRequest) record {
	rec := record{}
	if cr == nil || cr.Description == nil {
		return rec
	}
	var rj recordJSON
	if raw, ok := cr.Description.Data[recordKey]; !ok || json.Unmarshal(raw, &rj) != nil || rj.Version != 1 {
		return rec
	}
	for id, v := range rj.Pages {
		if sent, stored, ok := strings.Cut(v, " "); ok {
			rec[id] = entry{Sent: sent, Stored: stored}
		}
	}
	return rec
}

// describe returns the description of a change request with rec as its
// record and note, when given, as a first paragraph; what a person wrote
// stays below it.
func describe(old *gitbook.Document, rec record, note string) *gitbook.Document {
	doc := &gitbook.Document{Object: "document", Data: map[string]json.RawMessage{}}
	if old != nil {
		maps.Copy(doc.Data, old.Data)
		doc.Nodes = append(doc.Nodes, old.Nodes...)
	}
	rj := recordJSON{Version: 1, Pages: map[string]string{}}
	for id, e := range rec {
		rj.Pages[id] = e.Sent + " " + e.Stored
	}
	doc.Data[recordKey], _ = json.Marshal(rj)
	if note != "" {
		doc.Nodes = append([]json.RawMessage{gitbook.Paragraph(note)}, doc.Nodes...)
	}
	if doc.Nodes == nil {
		doc.Nodes = []json.RawMessage{}
	}
	return doc
}
