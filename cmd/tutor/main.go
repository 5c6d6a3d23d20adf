// Command tutor is the learner's and teacher's companion to the workbook
// From Socket to Gateway: it shows the lessons in the terminal, checks the
// exercises with their tests, gives hints level by level, shows reference
// solutions, and keeps progress.
//
// Usage:
//
//	tutor                 where you stand and what to do next
//	tutor list            every lesson with your status
//	tutor show [N]        read a lesson
//	tutor check [N]       run the tests on your exercise (--json)
//	tutor hint [N]        the next hint
//	tutor solution [N]    the reference solution (asks first)
//	tutor reset [N]       restore the stub, keeping a backup
//	tutor next            go on to the next lesson
//	tutor goto N          make lesson N current
//	tutor doctor          check this machine
//	tutor verify          maintainers: every stub fails, every solution passes
//	tutor completion SHELL
//
// Run it from inside the workbook: `go run ./cmd/tutor`, or install it
// with `go install ./cmd/tutor`. `tutor COMMAND --help` describes each
// command.
package main

import (
	"os"

	"socket2gateway/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
