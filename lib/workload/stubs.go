package workload

import "errors"

func newText(s Spec) (*Job, error)   { return nil, errors.New("workload text: not yet available") }
func newImages(s Spec) (*Job, error) { return nil, errors.New("workload images: not yet available") }
func newAnalysis(s Spec) (*Job, error) {
	return nil, errors.New("workload analysis: not yet available")
}
