package serves

import "testing"

func TestGreeting(t *testing.T) {
	if Greeting() != "hello" {
		t.Errorf("Greeting() = %q, want %q", Greeting(), "hello")
	}
}
