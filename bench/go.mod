// The benchmark of lesson 5 (see README.md), a module of its own like
// exercises/ and solutions/: it imports the reference solution.
module socket2gateway/bench

go 1.26.0

require socket2gateway/solutions v0.0.0

replace (
	socket2gateway/exercises => ../exercises
	socket2gateway/solutions => ../solutions
)
