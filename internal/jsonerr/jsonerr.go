// Package jsonerr words JSON decoding errors for people: the line of the
// problem, and "empty or truncated" instead of a bare EOF.
package jsonerr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Describe explains err, an error from decoding data; what names the
// expected document ("snapshot", "report") for empty or truncated input.
func Describe(data []byte, err error, what string) string {
	if len(bytes.TrimSpace(data)) == 0 {
		return fmt.Sprintf("not a JSON %s (empty)", what)
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var off int64 = -1
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Sprintf("not a JSON %s (empty or truncated)", what)
		}
		return "invalid JSON: " + err.Error()
	}
	line := 1 + bytes.Count(data[:min(int(off), len(data))], []byte("\n"))
	return fmt.Sprintf("line %d: invalid JSON: %v", line, err)
}
