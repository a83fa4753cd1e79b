package verifier

import (
	"context"
	"errors"
	"testing"
)

func TestShutdownContext(t *testing.T) {
	done := make(chan struct{})
	c := shutdownContext{done: done}
	if c.Err() != nil || c.Value("k") != nil {
		t.Fatalf("running server: err %v", c.Err())
	}
	if _, ok := c.Deadline(); ok {
		t.Fatal("deadline set")
	}
	derived, cancel := context.WithCancel(c)
	defer cancel()
	close(done)
	<-derived.Done()
	if !errors.Is(c.Err(), context.Canceled) || !errors.Is(derived.Err(), context.Canceled) {
		t.Fatalf("after shutdown: %v, derived %v", c.Err(), derived.Err())
	}
	if (shutdownContext{}).Err() != nil {
		t.Fatal("a context without a done channel ended")
	}
}
