package wait

import "time"

// Quick returns 1.
func Quick() int { return 1 }

// Wait returns after a short while.
func Wait() { time.Sleep(time.Millisecond) }
