package face

import "runtime"

// acquire takes an engine from the pool (ErrClosed once Close was called).
func (e *Extractor) acquire() (engine, error) {
	var r engine
	select {
	case <-e.done:
		return nil, ErrClosed
	case r = <-e.pool:
	}
	select {
	case <-e.done:
		e.release(r)
		return nil, ErrClosed
	default:
	}
	return r, nil
}

func (e *Extractor) release(r engine) { e.pool <- r }

// threads is how many threads a call holding a recognizer uses now to decode, detect or
// compute the descriptor.
func (e *Extractor) threads() int {
	if e.cfg.Threads > 0 {
		return min(e.cfg.Threads, 2)
	}
	return threadsFor(int(e.busy.Load()), runtime.GOMAXPROCS(0))
}

// threadsFor is Threads' automatic choice with busy calls holding a recognizer on procs
// cores: two while there is a core for each (one call at a time on a two-core gate answers
// sooner), else one, since splitting the work costs CPU that concurrent calls would
// otherwise use (docs/performance.md).
func threadsFor(busy, procs int) int {
	if busy*2 <= procs {
		return 2
	}
	return 1
}
