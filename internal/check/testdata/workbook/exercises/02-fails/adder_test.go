// Don't change the tests.
package adder

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAdd(t *testing.T) {
	assert.Equal(t, 5, Add(2, 3), "Add(2, 3)")
}

func TestTable(t *testing.T) {
	for _, tc := range []struct {
		name       string
		a, b, want int
	}{{"small", 1, 1, 2}, {"negative", -1, -2, -3}} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Add(tc.a, tc.b))
		})
	}
}

func TestZero(t *testing.T) {
	assert.Equal(t, 0, Add(0, 0))
}
