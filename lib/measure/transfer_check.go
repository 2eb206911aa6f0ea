package measure

import (
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/async"
)

// Bank describes, for CheckTransfer, an account type A whose balance is
// guarded by a mutex of its own, and the Transfer to check.
type Bank[A any] struct {
	// Open makes an account with an ID and a starting balance.
	Open func(id, balance int) A
	// Mutex returns the account's mutex, the one that guards its balance.
	Mutex func(a A) *sync.Mutex
	// Balance reads the balance. CheckTransfer calls it with the account's
	// mutex held.
	Balance func(a A) int
	// Transfer moves amount from one account to another (never the same
	// one), and is the code under check.
	Transfer func(from, to A, amount int)
}

// Flaw is what CheckTransfer found wrong with a Transfer.
type Flaw int

const (
	// Unguarded: Transfer changed a balance without holding that
	// account's lock.
	Unguarded Flaw = iota + 1
	// InFlight: Transfer let go of one lock before it held the other, so
	// someone saw the money gone from one account and not yet in the other.
	InFlight
	// LockOrder: Transfer took the larger ID's lock first, so a transfer
	// the other way (or the auditor, which goes by ID) can deadlock with it.
	LockOrder
	// Stuck: the transfers did not finish in time (a deadlock).
	Stuck
	// WrongSum: money appeared or vanished.
	WrongSum
)

func (f Flaw) String() string {
	switch f {
	case Unguarded:
		return "unguarded"
	case InFlight:
		return "in flight"
	case LockOrder:
		return "lock order"
	case Stuck:
		return "stuck"
	case WrongSum:
		return "wrong sum"
	}
	return fmt.Sprintf("Flaw(%d)", int(f))
}

// TransferError is CheckTransfer's verdict on a wrong Transfer.
type TransferError struct {
	Flaw   Flaw
	Detail string // what was seen, and what to do about it
}

func (e *TransferError) Error() string { return e.Detail }

// Timing of CheckTransfer: how long a probe watches a blocked Transfer, how
// long it gives Transfer to take a lock it should take, and how long
// transfers may take once nothing stops them.
const (
	probeWindow   = 150 * time.Millisecond
	firstLockWait = time.Second
	transferLimit = 3 * time.Second
)

// CheckTransfer returns what is wrong with b.Transfer as a transfer between
// accounts that each have their own lock, or nil. It wants Transfer to hold
// both accounts' locks while it changes the balances, and to take them in
// one global order, the smaller ID first, so that no two transfers (and no
// auditor that locks the accounts by ID) can deadlock.
//
// First it probes one transfer at a time in each direction: it holds the
// payee's lock itself, so that Transfer cannot finish, and watches the
// payer's account. A Transfer that finishes anyway changed the payee's
// balance without its lock (Unguarded); one whose payer shows less money
// while the payee's lock is still out of reach let go of a lock too early
// (InFlight); one that takes the larger ID's lock first, in either
// direction, can deadlock against a transfer the other way (LockOrder). Then 8 goroutines make
// 1,000 random transfers each among 4 accounts while an auditor keeps
// locking every account and adding up the money (InFlight if it sees a
// wrong total, WrongSum if the final total is wrong, Stuck if the transfers
// take more than 3 seconds). A panic in Transfer comes back as an
// async.PanicError.
//
// A Transfer that deadlocks leaves its goroutines blocked for good: the check
// reports it and returns, but cannot end them.
func CheckTransfer[A any](b Bank[A]) error {
	if b.Open == nil || b.Mutex == nil || b.Balance == nil || b.Transfer == nil {
		return fmt.Errorf("measure: CheckTransfer: Bank has a nil field (Open %t, Mutex %t, Balance %t, Transfer %t), want all four set",
			b.Open != nil, b.Mutex != nil, b.Balance != nil, b.Transfer != nil)
	}
	if err := b.probe(0, 1); err != nil { // from the smaller ID to the larger
		return err
	}
	if err := b.probe(1, 0); err != nil {
		return err
	}
	return b.stress(4, 8, 1000)
}

// probe holds to's lock, starts Transfer(from, to, 10) and watches from's
// lock for probeWindow (longer, up to firstLockWait, while it waits for a
// lock it expects Transfer to take). Taken in ID order, from's lock is taken
// meanwhile if from has the smaller ID, and never otherwise.
func (b Bank[A]) probe(fromID, toID int) error {
	const start, amount = 100, 10
	from, to := b.Open(fromID, start), b.Open(toID, start)
	toMu, fromMu := b.Mutex(to), b.Mutex(from)
	toMu.Lock()
	held := true
	defer func() {
		if held {
			toMu.Unlock()
		}
	}()
	done := make(chan error, 1) // nil, or the panic of Transfer
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- async.PanicError{Value: p, Stack: debug.Stack()}
			}
			close(done)
		}()
		b.Transfer(from, to, amount)
	}()
	wantFrom, tookFrom := fromID < toID, false
	began := time.Now()
	for {
		elapsed := time.Since(began)
		if elapsed >= probeWindow && (tookFrom || !wantFrom || elapsed >= firstLockWait) {
			break
		}
		select {
		case p := <-done:
			if p != nil {
				return p
			}
			return &TransferError{Unguarded, fmt.Sprintf("Transfer(account %d, account %d) returned while another goroutine held account %d's lock: "+
				"it changed a balance without that account's lock. Hold both accounts' locks while you change the balances", fromID, toID, toID)}
		default:
		}
		if !fromMu.TryLock() {
			tookFrom = true
		} else {
			bal := b.Balance(from)
			fromMu.Unlock()
			if bal != start {
				return &TransferError{InFlight, fmt.Sprintf("account %d had %d instead of %d while Transfer still waited for account %d's lock: "+
					"it let go of one lock before it held the other, so the money was in neither account. Hold both locks at once", fromID, bal, start, toID)}
			}
		}
		time.Sleep(20 * time.Microsecond)
	}
	if tookFrom != wantFrom {
		first, second := max(fromID, toID), min(fromID, toID)
		return &TransferError{LockOrder, fmt.Sprintf("Transfer(account %d, account %d) took account %d's lock before account %d's. "+
			"If one transfer takes A then B while another takes B then A, each can hold one lock and wait forever for the other. "+
			"Take the two locks in one global order, the smaller ID first, as the auditor does", fromID, toID, first, second)}
	}
	toMu.Unlock()
	held = false
	select {
	case p := <-done:
		if p != nil {
			return p
		}
	case <-time.After(transferLimit):
		return &TransferError{Stuck, fmt.Sprintf("Transfer(account %d, account %d) had not returned %v after both locks were free", fromID, toID, transferLimit)}
	}
	for id, a := range map[int]A{fromID: from, toID: to} {
		want := start + amount
		if id == fromID {
			want = start - amount
		}
		if got := b.locked(a); got != want {
			return &TransferError{WrongSum, fmt.Sprintf("after Transfer(account %d, account %d, %d), account %d has %d, want %d",
				fromID, toID, amount, id, got, want)}
		}
	}
	return nil
}

// stress runs goroutines × transfers random transfers among accounts while
// an auditor adds up the money under every account's lock.
func (b Bank[A]) stress(accounts, goroutines, transfers int) error {
	const start = 1000
	all := make([]A, accounts)
	for i := range all {
		all[i] = b.Open(i, start)
	}
	audit := func() (sum int) { // every lock, in ID order, held together
		for _, a := range all {
			b.Mutex(a).Lock()
			defer b.Mutex(a).Unlock()
			sum += b.Balance(a)
		}
		return sum
	}
	var badAudits atomic.Int64
	var panicked atomic.Value
	stop, audited, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(audited)
		for {
			select {
			case <-stop:
				return
			default:
				if audit() != accounts*start {
					badAudits.Add(1)
				}
			}
		}
	}()
	go func() {
		defer close(done)
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Go(func() {
				defer func() {
					if p := recover(); p != nil {
						panicked.CompareAndSwap(nil, async.PanicError{Value: p, Stack: debug.Stack()})
					}
				}()
				r := rand.New(rand.NewPCG(uint64(g), 5))
				for range transfers {
					i, j := r.IntN(accounts), r.IntN(accounts-1)
					if j >= i {
						j++ // never the same account
					}
					b.Transfer(all[i], all[j], r.IntN(10))
				}
			})
		}
		wg.Wait()
	}()
	select {
	case <-done:
		close(stop)
		<-audited
	case <-time.After(transferLimit):
		close(stop) // the auditor may be stuck behind the deadlock too: do not wait for it
		return &TransferError{Stuck, fmt.Sprintf("%d goroutines making %d transfers each had not finished after %v: a deadlock? "+
			"Two transfers must not take the same two locks in opposite orders", goroutines, transfers, transferLimit)}
	}
	if p, ok := panicked.Load().(async.PanicError); ok {
		return p
	}
	if total := audit(); total != accounts*start {
		return &TransferError{WrongSum, fmt.Sprintf("the accounts hold %d in all after the transfers, want %d: money appeared or vanished (a race?)",
			total, accounts*start)}
	}
	if n := badAudits.Load(); n > 0 {
		return &TransferError{InFlight, fmt.Sprintf("the auditor, holding every account's lock, saw a wrong total %d times: "+
			"Transfer must hold both locks while it changes the balances", n)}
	}
	return nil
}

// locked reads a's balance with its mutex held.
func (b Bank[A]) locked(a A) int {
	b.Mutex(a).Lock()
	defer b.Mutex(a).Unlock()
	return b.Balance(a)
}
