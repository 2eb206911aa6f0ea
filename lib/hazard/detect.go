package hazard

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// DetectRace builds and runs the racedemo program (next to this file) under
// the race detector, `go run -race`, and returns its report: the lines from
// "WARNING: DATA RACE" on, which name the two conflicting accesses in
// CountRacy. It needs the go command and this package's source, as in a
// checkout of the repository, and takes a few seconds the first time (the
// race-enabled standard library is compiled and then cached).
//
// Without a deadline on ctx, DetectRace gives up after five minutes.
func DetectRace(ctx context.Context) (string, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 5*time.Minute)
		defer cancel()
	}
	_, file, _, ok := runtime.Caller(0)
	dir := filepath.Dir(file)
	if _, err := os.Stat(filepath.Join(dir, "racedemo")); !ok || err != nil {
		return "", fmt.Errorf("hazard: the package source is not on disk at %q (built with -trimpath?)", dir)
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.CommandContext(ctx, goCmd, "run", "-race", "./racedemo")
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run() // exits with status 66 when a race was found
	report := out.String()
	i := strings.Index(report, "WARNING: DATA RACE")
	if i < 0 {
		if runErr != nil {
			return report, fmt.Errorf("hazard: go run -race: %w", runErr)
		}
		return report, errors.New("hazard: the race detector reported no race this time")
	}
	return report[i:], nil
}
