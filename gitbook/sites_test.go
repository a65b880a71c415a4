package gitbook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gitbook-sync/gitbook-sync/gitbook"
	"github.com/gitbook-sync/gitbook-sync/internal/testcorpus"
)

// siteStructure answers getSiteStructure as GitBook's API description
// shapes it: sections, a section group with a nested section, an external
// link, each site space with its space.
const siteStructure = `{"type":"sections","structure":[
 {"object":"site-section","id":"sec1","title":"Documentation","path":"documentation","draft":false,"urls":{},"siteSpaces":[
   {"object":"site-space","id":"ss1","title":"English","path":"gitbook-documentation","draft":false,"urls":{},"space":%[1]s},
   {"object":"site-space","id":"ss2","title":"Français","path":"fr","draft":false,"urls":{},"space":%[2]s}]},
 {"object":"site-section-group","id":"grp1","title":"Resources","draft":false,"sections":[],"children":[
   {"object":"site-section","id":"sec2","title":"Changelog","path":"changelog","draft":false,"urls":{},"siteSpaces":[
     {"object":"site-space","id":"ss3","title":"Public Changelog","path":"public-changelog","draft":false,"urls":{},"space":%[3]s}]},
   {"object":"site-external-link","id":"l1","title":"Status","url":"https://status.example.com","draft":false}]}]}`

func spaceJSON(id string) string {
	perms := `{"view":true,"access":true,"admin":false,"viewInviteLinks":false,"edit":true,"triggerGitSync":false,"comment":true,"merge":false,"review":true,"installIntegration":false}`
	return fmt.Sprintf(`{"object":"space","id":%q,"title":"t","emoji":"📘","organization":"org1","visibility":"private","revision":"r1",`+
		`"createdAt":"2024-01-01T00:00:00Z","updatedAt":"2024-01-01T00:00:00Z","comments":0,"changeRequests":0,"changeRequestsOpen":0,"changeRequestsDraft":0,`+
		`"mergeRules":{"type":"inherit"},"urls":{"location":"https://api.gitbook.com/v1/spaces/%[1]s","app":"https://app.gitbook.com/s/%[1]s"},"defaultLevel":"inherit","permissions":%s}`, id, perms)
}

func TestSiteSpaces(t *testing.T) {
	t.Parallel()
	body := fmt.Sprintf(siteStructure, spaceJSON("S-EN"), spaceJSON("S-FR"), spaceJSON("S-CL"))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/orgs/org1/sites/site1/structure", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, body)
	})
	flat := fmt.Sprintf(`{"type":"siteSpaces","structure":[{"object":"site-space","id":"ss9","title":"Docs","path":"docs","draft":false,"urls":{},"space":%s}]}`, spaceJSON("S-9"))
	mux.HandleFunc("GET /v1/orgs/org1/sites/site2/structure", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, flat)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s %s", r.Method, r.URL)
		http.NotFound(w, r)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := gitbook.New(gitbook.Options{BaseURL: srv.URL + "/v1", Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.SiteSpaces(context.Background(), "org1", "site1")
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, ss := range got {
		s = append(s, fmt.Sprintf("%s/%s=%s", ss.SectionPath, ss.Path, ss.SpaceID))
	}
	if want := "documentation/gitbook-documentation=S-EN documentation/fr=S-FR changelog/public-changelog=S-CL"; strings.Join(s, " ") != want {
		t.Errorf("got %s\nwant %s", strings.Join(s, " "), want)
	}

	if got, err := c.SiteSpaces(context.Background(), "org1", "site2"); err != nil || len(got) != 1 || got[0].SectionPath != "" || got[0].SpaceID != "S-9" {
		t.Errorf("a site without sections: %+v, %v", got, err)
	}

	// The fake answers are ones GitBook's description allows.
	spec := testcorpus.Path(t, "gitbook-api/openapi.json")
	doc, err := openapi3.NewLoader().LoadFromFile(spec)
	if err != nil {
		t.Fatal(err)
	}
	schema := doc.Components.Schemas["SiteStructure"]
	for _, answer := range []string{body, flat} {
		var v any
		if err := json.Unmarshal([]byte(answer), &v); err != nil {
			t.Fatal(err)
		}
		if err := schema.Value.VisitJSON(v); err != nil {
			t.Errorf("the fake answer does not match SiteStructure: %v", err)
		}
	}
}
