package wait

import "testing"

func TestQuick(t *testing.T) {
	if Quick() != 1 {
		t.Fatal("Quick() != 1")
	}
}

func TestWait(t *testing.T) { Wait() }
