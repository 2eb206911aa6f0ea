package measure

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/go-parallelism/go-parallelism/lib/async"
	"github.com/go-parallelism/go-parallelism/lib/proc"
)

type survivorsTaskFunc = *proc.Func[int, int]

// survivors is a right answer: Map runs every item, ItemErrors tells the
// failed items from why some did not run.
func survivors(ctx context.Context, pool *proc.Pool, task survivorsTaskFunc, xs []int) (map[int]int, []int, error) {
	res, err := task.Map(ctx, pool, xs, 1)
	bad, err := proc.ItemErrors(err)
	if err != nil {
		return nil, nil, err
	}
	ok, failed := map[int]int{}, []int{}
	for i, x := range xs {
		if bad[i] != nil {
			failed = append(failed, x)
		} else {
			ok[x] = res[i]
		}
	}
	return ok, failed, nil
}

// The wrong answers, each a plausible slip from the right one.
var wrongSurvivors = []struct {
	name string
	fn   SurvivorsFunc
	rule error
}{
	{"returns Map's error", func(ctx context.Context, pool *proc.Pool, task survivorsTaskFunc, xs []int) (map[int]int, []int, error) {
		res, err := task.Map(ctx, pool, xs, 1)
		if err != nil {
			return nil, nil, err
		}
		ok := map[int]int{}
		for i, x := range xs {
			ok[x] = res[i]
		}
		return ok, nil, nil
	}, errSurvivorsItem},
	{"a zero result is a failure", func(ctx context.Context, pool *proc.Pool, task survivorsTaskFunc, xs []int) (map[int]int, []int, error) {
		res, err := task.Map(ctx, pool, xs, 1)
		if _, err := proc.ItemErrors(err); err != nil {
			return nil, nil, err
		}
		ok, failed := map[int]int{}, []int{}
		for i, x := range xs {
			if res[i] == 0 {
				failed = append(failed, x)
			} else {
				ok[x] = res[i]
			}
		}
		return ok, failed, nil
	}, errSurvivorsResults},
	{"keyed by index", func(ctx context.Context, pool *proc.Pool, task survivorsTaskFunc, xs []int) (map[int]int, []int, error) {
		res, err := task.Map(ctx, pool, xs, 1)
		bad, err := proc.ItemErrors(err)
		if err != nil {
			return nil, nil, err
		}
		ok, failed := map[int]int{}, []int{}
		for i, x := range xs {
			if bad[i] != nil {
				failed = append(failed, x)
			} else {
				ok[i] = res[i]
			}
		}
		return ok, failed, nil
	}, errSurvivorsResults},
	{"failures sorted", func(ctx context.Context, pool *proc.Pool, task survivorsTaskFunc, xs []int) (map[int]int, []int, error) {
		ok, failed, err := survivors(ctx, pool, task, xs)
		slices.Sort(failed)
		return ok, failed, err
	}, errSurvivorsFailed},
	{"ignores why items did not run", func(ctx context.Context, pool *proc.Pool, task survivorsTaskFunc, xs []int) (map[int]int, []int, error) {
		res, err := task.Map(ctx, pool, xs, 1)
		bad, _ := proc.ItemErrors(err)
		ok, failed := map[int]int{}, []int{}
		for i, x := range xs {
			if bad[i] != nil {
				failed = append(failed, x)
			} else {
				ok[x] = res[i]
			}
		}
		return ok, failed, nil
	}, errSurvivorsCancel},
}

func TestCheckSurvivorsAcceptsARightAnswer(t *testing.T) {
	if err := CheckSurvivors(survivors); err != nil {
		t.Fatalf("CheckSurvivors rejected a right answer: %v", err)
	}
}

func TestCheckSurvivorsRejectsWrongAnswers(t *testing.T) {
	for _, w := range wrongSurvivors {
		t.Run(w.name, func(t *testing.T) {
			err := CheckSurvivors(w.fn)
			if !errors.Is(err, w.rule) {
				t.Fatalf("CheckSurvivors(%s) = %v, want an error for the rule %q", w.name, err, w.rule)
			}
			t.Logf("rejected: %v", err)
		})
	}
}

func TestCheckSurvivorsReportsAPanic(t *testing.T) {
	err := CheckSurvivors(func(context.Context, *proc.Pool, survivorsTaskFunc, []int) (map[int]int, []int, error) {
		panic("TODO: write Survivors")
	})
	var p async.PanicError
	if !errors.As(err, &p) || p.Value != "TODO: write Survivors" {
		t.Fatalf("CheckSurvivors(a stub that panics) = %v, want an async.PanicError with the stub's value", err)
	}
	if err := CheckSurvivors(nil); err == nil {
		t.Fatal("CheckSurvivors(nil) = nil, want an error")
	}
}
