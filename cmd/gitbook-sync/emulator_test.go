package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// The emulator command serves GitBook's API at the address it prints,
// with --app-url in its links, until its context ends.
func TestEmulatorCommand(t *testing.T) {
	t.Parallel()
	r, w := io.Pipe()
	f, _ := newFactory(w, io.Discard, func(string) string { return "" })
	root := NewCmdRoot(f)
	root.SetArgs([]string{"emulator", "--addr", "127.0.0.1:0", "--app-url", "https://docs.example"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()

	base, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.Copy(io.Discard, r) }()
	req, _ := http.NewRequest(http.MethodGet, strings.TrimSpace(base)+"/spaces/space-1", nil)
	req.Header.Set("Authorization", "Bearer test-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "https://docs.example/") {
		t.Errorf("GET space-1: %d %s", resp.StatusCode, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("stopped with %v", err)
	}
}
