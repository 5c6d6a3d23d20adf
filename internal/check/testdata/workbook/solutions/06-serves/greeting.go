package serves

// Greeting returns the page's text.
func Greeting() string {
	return "hello"
}
