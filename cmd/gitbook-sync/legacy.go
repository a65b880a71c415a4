package main

import (
	"io"
	"time"

	"github.com/gitbook-sync/gitbook-sync/gitbook"
)

// app is what the openapi commands (openapi.go, still changing on the
// openapi branch) were written against. They move to the NewCmdX(f)
// pattern once that branch lands; until then this adapter keeps them
// compiling on the Factory.
type app struct {
	f              *Factory
	stdout, stderr io.Writer
	getenv         func(string) string
	timeout        time.Duration
}

func (a *app) client() (*gitbook.Client, error) { return a.f.GitBook() }
