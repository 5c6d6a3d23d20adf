// The reference solutions, a nested module like exercises/, so that the
// repository's own `go test ./...` does not build them. `tutor verify`
// compiles and tests each one with the exercise's own tests through
// `go test -overlay`; this go.mod is for editors and `go vet`: the
// solutions' cmd/ programs import the exercise package they belong to.
module socket2gateway/solutions

go 1.26.0

require (
	golang.org/x/sys v0.49.0
	socket2gateway/exercises v0.0.0
)

replace socket2gateway/exercises => ../exercises
