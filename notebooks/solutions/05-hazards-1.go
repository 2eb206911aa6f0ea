// Transfer moves amount from one account to another (from != to) while
// holding both accounts' locks, taken in an order that cannot deadlock.
func Transfer(from, to *Account, amount int) {
	first, second := from, to
	if second.ID < first.ID { // one global order: the smaller ID first
		first, second = second, first
	}
	first.mu.Lock()
	defer first.mu.Unlock()
	second.mu.Lock()
	defer second.mu.Unlock()
	from.Balance -= amount
	to.Balance += amount
}

%%
fmt.Println("Transfer is declared; run the check below.")
