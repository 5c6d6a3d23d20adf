package count

import "strings"

// Count counts each word of s.
func Count(s string) map[string]int {
	m := map[string]int{}
	for _, w := range strings.Fields(s) {
		m[w]++
	}
	return m
}
