#include <pthread.h>
#include "split.h"

struct half {
	void (*fn)(void *, int, int);
	void *arg;
};

static void *second(void *p) {
	struct half *h = p;
	h->fn(h->arg, 1, 2);
	return NULL;
}

void idgate_split(int workers, void (*fn)(void *arg, int first, int step), void *arg) {
	struct half h = {fn, arg};
	pthread_t t;
	if (workers < 2 || pthread_create(&t, NULL, second, &h) != 0) {
		fn(arg, 0, 1);
		return;
	}
	fn(arg, 0, 2);
	pthread_join(t, NULL);
}
