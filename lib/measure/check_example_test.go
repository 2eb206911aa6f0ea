package measure_test

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/go-parallelism/go-parallelism/lib/measure"
	"github.com/go-parallelism/go-parallelism/lib/workload"
)

type Account struct {
	ID      int
	mu      sync.Mutex // guards Balance
	Balance int
}

// A transfer that locks the payer, then the payee, deadlocks against a
// transfer the other way: the check says so without deadlocking itself.
func ExampleCheckTransfer() {
	payerFirst := func(from, to *Account, amount int) {
		from.mu.Lock()
		defer from.mu.Unlock()
		to.mu.Lock()
		defer to.mu.Unlock()
		from.Balance -= amount
		to.Balance += amount
	}
	err := measure.CheckTransfer(measure.Bank[*Account]{
		Open:     func(id, balance int) *Account { return &Account{ID: id, Balance: balance} },
		Mutex:    func(a *Account) *sync.Mutex { return &a.mu },
		Balance:  func(a *Account) int { return a.Balance },
		Transfer: payerFirst,
	})
	var te *measure.TransferError
	if errors.As(err, &te) {
		fmt.Println(te.Flaw)
	}
	// Output: lock order
}

// A loop runs one task at a time, where a CPU-bound job wants one per core.
func ExampleCheckSized() {
	loop := func(ctx context.Context, job *workload.Job) ([]string, error) {
		digests := make([]string, job.N)
		for i := range job.N {
			d, err := job.Task(ctx, i)
			if err != nil {
				return nil, err
			}
			digests[i] = d
		}
		return digests, nil
	}
	err := measure.CheckSized(loop)
	var se *measure.SizeError
	if errors.As(err, &se) {
		fmt.Println(se.Kind, "job: peak", se.Peak)
	}
	// Output: CPU-bound job: peak 1
}
