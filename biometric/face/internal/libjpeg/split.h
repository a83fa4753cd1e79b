#ifndef IDGATE_LIBJPEG_SPLIT_H
#define IDGATE_LIBJPEG_SPLIT_H

// idgate_split runs fn(arg, 0, 2) here and fn(arg, 1, 2) on a second thread when workers > 1
// and a thread can be started; otherwise fn(arg, 0, 1) here. fn does the rows first, first +
// step, ...: either way every row is done once, by the time idgate_split returns.
void idgate_split(int workers, void (*fn)(void *arg, int first, int step), void *arg);

#endif
