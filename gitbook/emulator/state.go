// Package emulator is a stateful GitBook API for tests, demos and trying a
// workflow safely. It serves the endpoints gitbook-sync uses under /v1 and
// behaves as GitBook documents: imports really read the Git repository,
// exports really commit to it, change requests merge or conflict.
package emulator

import (
	"fmt"
	"os"
	"regexp"

	"gopkg.in/yaml.v3"
)

// Seed is the emulator's starting state, read from a YAML file.
type Seed struct {
	Token         string    `yaml:"token"`
	Organizations []OrgSeed `yaml:"organizations"`
}

// OrgSeed is one organization.
type OrgSeed struct {
	ID      string       `yaml:"id"`
	Title   string       `yaml:"title"`
	Members []MemberSeed `yaml:"members"`
	Spaces  []SpaceSeed  `yaml:"spaces"`
}

// MemberSeed is one organization member.
type MemberSeed struct {
	ID          string `yaml:"id"`
	DisplayName string `yaml:"displayName"`
	Email       string `yaml:"email"`
	Role        string `yaml:"role"`
}

// SpaceSeed is one space. GitSync is the provider ("github" by default,
// "gitlab", or "none" for a space without Git Sync).
type SpaceSeed struct {
	ID      string `yaml:"id"`
	Title   string `yaml:"title"`
	GitSync string `yaml:"gitSync"`
}

// DefaultSeed is the state the demo and `gitbook-sync emulator` start from
// when no file is given.
func DefaultSeed() Seed {
	return Seed{
		Token: "test-token",
		Organizations: []OrgSeed{{
			ID: "org-1", Title: "Acme",
			Members: []MemberSeed{
				{ID: "user-1", DisplayName: "Docs Reviewer", Email: "reviewer@example.com"},
				{ID: "bot-1", DisplayName: "gitbook-sync", Email: "bot@example.com"},
			},
			Spaces: []SpaceSeed{{ID: "space-1", Title: "Docs"}},
		}},
	}
}

var entityID = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// LoadSeed reads a seed file strictly: an unknown key is an error.
func LoadSeed(path string) (Seed, error) {
	f, err := os.Open(path)
	if err != nil {
		return Seed{}, err
	}
	defer f.Close()
	var s Seed
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return Seed{}, fmt.Errorf("%s: %w", path, err)
	}
	if err := s.validate(); err != nil {
		return Seed{}, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

func (s Seed) validate() error {
	if s.Token == "" {
		return fmt.Errorf("token: required (the bearer token clients must send)")
	}
	ids := map[string]bool{}
	check := func(kind, id string) error {
		if !entityID.MatchString(id) {
			return fmt.Errorf("%s id %q: want letters, digits, '-' or '_'", kind, id)
		}
		if ids[kind+id] {
			return fmt.Errorf("%s id %q is used twice", kind, id)
		}
		ids[kind+id] = true
		return nil
	}
	for _, o := range s.Organizations {
		if err := check("organization", o.ID); err != nil {
			return err
		}
		for _, m := range o.Members {
			if err := check("member", m.ID); err != nil {
				return err
			}
		}
		for _, sp := range o.Spaces {
			if err := check("space", sp.ID); err != nil {
				return err
			}
			switch sp.GitSync {
			case "", "github", "gitlab", "none":
			default:
				return fmt.Errorf("space %s: gitSync %q: want github, gitlab or none", sp.ID, sp.GitSync)
			}
		}
	}
	return nil
}
