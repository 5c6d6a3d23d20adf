package adder

// Add returns a+b.
func Add(a, b int) int {
	var s string = a + b
	return s
}
