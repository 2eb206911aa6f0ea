package proc

import (
	"strings"
	"testing"
)

func TestShortenKeepsTheReason(t *testing.T) {
	dump := strings.Repeat("goroutine 7 [running]:\n\tmain.f()\n", 200)
	s := "fatal error: runtime: out of memory\n\n" + dump
	got := shorten(s, 1500)
	if !strings.HasPrefix(got, "fatal error: runtime: out of memory\n...") {
		t.Errorf("reason line lost: %.80q", got)
	}
	if !strings.HasSuffix(got, dump[len(dump)-100:]) || len(got) > 1600 {
		t.Errorf("tail not kept, or too long (%d bytes)", len(got))
	}
	if got := shorten("panic: boom\n", 1500); got != "panic: boom\n" {
		t.Errorf("short stderr changed: %q", got)
	}
	plain := strings.Repeat("x", 3000)
	if got := shorten(plain, 1500); got != "..."+plain[1500:] {
		t.Errorf("no reason line: got %d bytes", len(got))
	}
}
