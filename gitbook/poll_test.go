package gitbook

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPollBacksOff(t *testing.T) {
	tests := []struct {
		name   string
		p      Poll
		checks int // the check reporting done
		hints  map[int]time.Duration
		want   []time.Duration
	}{
		{"done at once", Poll{}, 1, nil, nil},
		{"grows by half to the cap", Poll{Initial: 100 * time.Millisecond, Max: 300 * time.Millisecond}, 6, nil,
			[]time.Duration{100 * time.Millisecond, 150 * time.Millisecond, 225 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond}},
		{"a longer hint wins once", Poll{Initial: 100 * time.Millisecond}, 3, map[int]time.Duration{1: 2 * time.Second},
			[]time.Duration{2 * time.Second, 150 * time.Millisecond}},
		{"a shorter hint is ignored", Poll{Initial: 100 * time.Millisecond}, 2, map[int]time.Duration{1: time.Millisecond},
			[]time.Duration{100 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var waits []time.Duration
			tt.p.Sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
			n, err := tt.p.Until(context.Background(), func(context.Context) (bool, time.Duration, error) {
				return len(waits)+1 == tt.checks, tt.hints[len(waits)+1], nil
			})
			if err != nil || n != tt.checks {
				t.Fatalf("Until = %d, %v; want %d checks", n, err, tt.checks)
			}
			if len(waits) != len(tt.want) {
				t.Fatalf("waits %v, want %v", waits, tt.want)
			}
			for i := range waits {
				if waits[i] != tt.want[i] {
					t.Fatalf("waits %v, want %v", waits, tt.want)
				}
			}
		})
	}
}

func TestPollStops(t *testing.T) {
	boom := errors.New("boom")
	p := Poll{Sleep: func(context.Context, time.Duration) error { return nil }}
	if _, err := p.Until(context.Background(), func(context.Context) (bool, time.Duration, error) { return false, 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the check's error", err)
	}
	p = Poll{Timeout: 30 * time.Millisecond, Initial: 10 * time.Millisecond}
	_, err := p.Until(context.Background(), func(context.Context) (bool, time.Duration, error) { return false, 0, nil })
	if !errors.Is(err, ErrPollTimeout) {
		t.Fatalf("err = %v, want ErrPollTimeout", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p = Poll{}
	if _, err := p.Until(ctx, func(context.Context) (bool, time.Duration, error) { return false, 0, nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}
