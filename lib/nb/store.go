package nb

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
)

// Dir is where Save keeps results between notebook cells. A GoNB cell is a
// program of its own, so a cell that analyses a measurement made by an
// earlier cell reads it back from here.
var Dir = filepath.Join(os.TempDir(), "go-parallelism-results")

var keyRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// Save stores v (a *bench.Result, a *Matrix, ...) as JSON under key.
func Save(key string, v any) error {
	path, err := keyPath(key)
	if err != nil {
		return err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("nb: save %s: %w", key, err)
	}
	if err := os.MkdirAll(Dir, 0o755); err != nil {
		return fmt.Errorf("nb: save %s: %w", key, errors.Unwrap(err))
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("nb: save %s: %w", key, errors.Unwrap(err))
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("nb: save %s: %w", key, errors.Unwrap(err))
	}
	return nil
}

// Load reads into v what Save stored under key. If nothing was saved, the
// error says to run the cell that measures it first.
func Load(key string, v any) error {
	path, err := keyPath(key)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("nb: no result saved as %q yet: run the cell that measures it first", key)
	}
	if err != nil {
		return fmt.Errorf("nb: load %s: %w", key, errors.Unwrap(err))
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("nb: load %s: %w", key, err)
	}
	return nil
}

func keyPath(key string) (string, error) {
	if !keyRE.MatchString(key) {
		return "", fmt.Errorf("nb: bad key %q: use letters, digits, '.', '_' and '-'", key)
	}
	return filepath.Join(Dir, key+".json"), nil
}

// Keep saves v under key like Save, and prints one line saying so, or the
// error: a notebook cell ends with it.
func Keep(key string, v any) {
	if err := Save(key, v); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("saved as %q for the cells below\n", key)
}

// WriteFile leaves a file for the reader to open after the run, such as a
// trace for `go tool trace`: it writes data to build/name in the course
// checkout (the folder above the notebooks) or, outside a notebook, under
// Dir. It returns the path to print: relative to the checkout, so that it
// means the same on every machine.
func WriteFile(name string, data []byte) (shown string, err error) {
	if name == "" || filepath.IsAbs(name) || !filepath.IsLocal(name) {
		return "", fmt.Errorf("nb: file name %q: want a relative path inside build/, like traces/x.trace", name)
	}
	root, shown := Dir, filepath.Join(Dir, name)
	if d := os.Getenv("GONB_DIR"); d != "" {
		root, shown = filepath.Join(d, "..", "build"), filepath.Join("build", name)
	}
	path := filepath.Join(root, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", fmt.Errorf("nb: write %s: %w", name, err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return "", fmt.Errorf("nb: write %s: %w", name, err)
	}
	return shown, nil
}
