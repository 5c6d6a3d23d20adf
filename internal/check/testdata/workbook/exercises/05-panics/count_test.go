package count

import "testing"

func TestCount(t *testing.T) {
	if got := Count("a b a"); got["a"] != 2 {
		t.Errorf("Count(%q)[\"a\"] = %d, want 2", "a b a", got["a"])
	}
}

func TestAfter(t *testing.T) {
	if Count("x")["x"] != 1 {
		t.Error("want 1")
	}
}
