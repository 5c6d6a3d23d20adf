package count

import "strings"

// Count counts each word of s.
func Count(s string) map[string]int {
	var m map[string]int // TODO: make the map
	for _, w := range strings.Fields(s) {
		m[w]++
	}
	return m
}
