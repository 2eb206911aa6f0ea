// Survivors runs risky on every input in pool's workers. It returns the results of the tasks that succeeded,
// keyed by input, and the inputs whose task failed, in order.
func Survivors(ctx context.Context, pool *proc.Pool, xs []int) (ok map[int]int, failed []int, err error) {
	res, errs, err := risky.MapAll(ctx, pool, xs, 1)
	if err != nil {
		return nil, nil, err
	}
	ok = map[int]int{}
	for i, x := range xs {
		if errs[i] != nil {
			failed = append(failed, x)
		} else {
			ok[x] = res[i]
		}
	}
	return ok, failed, nil
}

%%
fmt.Println("Survivors is declared; run the check below.")
