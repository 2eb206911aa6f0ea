package measure

import "fmt"

// checkError is an exercise answer that a check rejected: what the check
// saw, in words for the reader, and the rule the answer broke, for
// errors.Is.
type checkError struct {
	rule error
	msg  string
}

func (e *checkError) Error() string { return e.msg }
func (e *checkError) Unwrap() error { return e.rule }

// mistake returns a checkError for rule, its message formatted.
func mistake(rule error, format string, args ...any) error {
	return &checkError{rule: rule, msg: fmt.Sprintf(format, args...)}
}
