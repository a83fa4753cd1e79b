package statuslist

// InflightWaiters reports how many callers have joined the in-flight fetch of uri beyond the
// first (-1 if none is in flight), so tests can release a blocked server deterministically.
func InflightWaiters(c *Checker, uri string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.inflight[uri]; ok {
		return cl.waiters
	}
	return -1
}
