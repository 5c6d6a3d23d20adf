package check

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Real go test output of a table test with testify assertions.
const tableOutput = subtestMark + "3_bytes_per_call\n" +
	"        rawsock_test.go:144: \n" +
	"            \tError Trace:\t/w/exercises/01/rawsock_test.go:144\n" +
	"            \t            \t\t\t\t/w/exercises/01/helpers_test.go:30\n" +
	"            \tError:      \tNot equal: \n" +
	"            \t            \texpected: \"hello\\r\\n\"\n" +
	"            \t            \tactual  : \"hel\"\n" +
	"            \t            \t\n" +
	"            \t            \tDiff:\n" +
	"            \t            \t--- Expected\n" +
	"            \t            \t+++ Actual\n" +
	"            \tTest:       \tTestWriteAll/3_bytes_per_call\n" +
	"            \tMessages:   \tWriteAll of \"hello\\r\\n\"\n" +
	"    --- FAIL: TestWriteAll/3_bytes_per_call (0.00s)\n" +
	subtestMark + "EINTR_first\n" +
	"        rawsock_test.go:141: plain t.Errorf text\n" +
	"    --- FAIL: TestWriteAll/EINTR_first (0.00s)\n" +
	"--- FAIL: TestWriteAll (0.00s)\n"

func TestFormatOutputReadsLikeATeacher(t *testing.T) {
	got := formatOutput(strings.Split(tableOutput, "\n"))
	want := strings.Join([]string{
		"▸ 3 bytes per call:",
		"  rawsock_test.go:144:",
		"    Error:    Not equal:",
		`              expected: "hello\r\n"`,
		`              actual  : "hel"`,
		`    Messages: WriteAll of "hello\r\n"`,
		"▸ EINTR first:",
		"  rawsock_test.go:141: plain t.Errorf text",
	}, "\n")
	assert.Equal(t, want, got)
}

func TestFormatOutputKeepsDiffOfMultiLineValues(t *testing.T) {
	out := "    x_test.go:9: \n" +
		"        \tError:      \tNot equal: \n" +
		"        \t            \texpected: []int{\n" +
		"        \t            \t 1,\n" +
		"        \t            \t}\n" +
		"        \t            \tactual  : []int(nil)\n" +
		"        \t            \tDiff:\n" +
		"        \t            \t-1\n"
	got := formatOutput(strings.Split(out, "\n"))
	assert.Contains(t, got, "Diff:")
	assert.Contains(t, got, "-1")
}
