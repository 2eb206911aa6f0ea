package measure

import (
	"errors"
	"sync"
	"testing"

	"github.com/go-parallelism/go-parallelism/lib/async"
)

type account struct {
	ID      int
	mu      sync.Mutex
	Balance int
}

func bankOf(transfer func(from, to *account, amount int)) Bank[*account] {
	return Bank[*account]{
		Open:     func(id, balance int) *account { return &account{ID: id, Balance: balance} },
		Mutex:    func(a *account) *sync.Mutex { return &a.mu },
		Balance:  func(a *account) int { return a.Balance },
		Transfer: transfer,
	}
}

// ordered is the answer: both locks, the smaller ID first.
func ordered(from, to *account, amount int) {
	first, second := from, to
	if second.ID < first.ID {
		first, second = second, first
	}
	first.mu.Lock()
	defer first.mu.Unlock()
	second.mu.Lock()
	defer second.mu.Unlock()
	from.Balance -= amount
	to.Balance += amount
}

func TestCheckTransferAcceptsOrderedLocks(t *testing.T) {
	if err := CheckTransfer(bankOf(ordered)); err != nil {
		t.Fatalf("CheckTransfer rejected the answer: %v", err)
	}
}

var globalMu sync.Mutex

// Plausible wrong answers, and the flaw the check must name for each.
var wrongTransfers = []struct {
	name     string
	flaw     Flaw
	racy     bool // writes a balance without its lock: the race detector would stop the test
	transfer func(from, to *account, amount int)
}{
	{"no locks", Unguarded, true, func(from, to *account, amount int) {
		from.Balance -= amount
		to.Balance += amount
	}},
	{"one global lock", Unguarded, true, func(from, to *account, amount int) {
		globalMu.Lock()
		defer globalMu.Unlock()
		from.Balance -= amount
		to.Balance += amount
	}},
	{"the payer's lock only", Unguarded, false, func(from, to *account, amount int) {
		from.mu.Lock()
		defer from.mu.Unlock()
		from.Balance -= amount
		to.Balance += amount
	}},
	{"one lock at a time", InFlight, false, func(from, to *account, amount int) {
		from.mu.Lock()
		from.Balance -= amount
		from.mu.Unlock()
		to.mu.Lock()
		to.Balance += amount
		to.mu.Unlock()
	}},
	{"payer first, then payee", LockOrder, false, func(from, to *account, amount int) {
		from.mu.Lock()
		defer from.mu.Unlock()
		to.mu.Lock()
		defer to.mu.Unlock()
		from.Balance -= amount
		to.Balance += amount
	}},
	{"payee first, then payer", LockOrder, false, func(from, to *account, amount int) {
		to.mu.Lock()
		defer to.mu.Unlock()
		from.mu.Lock()
		defer from.mu.Unlock()
		from.Balance -= amount
		to.Balance += amount
	}},
	{"the larger ID first", LockOrder, false, func(from, to *account, amount int) {
		first, second := from, to
		if second.ID > first.ID {
			first, second = second, first
		}
		first.mu.Lock()
		defer first.mu.Unlock()
		second.mu.Lock()
		defer second.mu.Unlock()
		from.Balance -= amount
		to.Balance += amount
	}},
	{"loses a unit on the way", WrongSum, false, func(from, to *account, amount int) {
		ordered(from, to, amount)
		to.mu.Lock()
		to.Balance--
		to.mu.Unlock()
	}},
}

func TestCheckTransferRejectsWrongAnswers(t *testing.T) {
	for _, w := range wrongTransfers {
		t.Run(w.name, func(t *testing.T) {
			if w.racy && raceOn {
				t.Skip("the answer has a data race, which the race detector reports before the check can; run without -race")
			}
			err := CheckTransfer(bankOf(w.transfer))
			var te *TransferError
			if !errors.As(err, &te) || te.Flaw != w.flaw {
				t.Fatalf("CheckTransfer = %v; want a TransferError with flaw %v", err, w.flaw)
			}
		})
	}
}

func TestCheckTransferReturnsPanics(t *testing.T) {
	err := CheckTransfer(bankOf(func(from, to *account, amount int) { panic("TODO: write Transfer") }))
	var p async.PanicError
	if !errors.As(err, &p) || p.Value != "TODO: write Transfer" {
		t.Fatalf("CheckTransfer = %v; want an async.PanicError with the panic's value", err)
	}
}

func TestCheckTransferNamesAMissingField(t *testing.T) {
	b := bankOf(ordered)
	b.Mutex = nil
	if err := CheckTransfer(b); err == nil || errors.As(err, new(*TransferError)) {
		t.Fatalf("CheckTransfer with no Mutex = %v; want an error about the Bank", err)
	}
}
