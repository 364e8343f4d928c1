/* SPDX-License-Identifier: MIT */
/* bench.h - what every benchmark needs: a clock, medians, a report line. */
#ifndef ADDRLAB_BENCH_H
#define ADDRLAB_BENCH_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sorts v and returns its median (v[0] and v[n-1] are then min and max). */
static inline double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * One figure: median, min, max; with cmp "<=" or ">=" (or NULL) its target
 * and whether the median meets it.  Returns whether it does (true if none).
 */
static inline bool bench_report(const char *name, double *v, int n,
				const char *unit, const char *cmp, double target)
{
	double m = median(v, n);
	bool met = !cmp || (cmp[0] == '<' ? m <= target : m >= target);

	printf("%-44s median %9.2f %-7s (min %.2f, max %.2f, n=%d)", name, m, unit,
	       v[0], v[n - 1], n);
	if (cmp)
		printf("  target %s %g: %s", cmp, target, met ? "met" : "MISSED");
	putchar('\n');
	fflush(stdout);
	return met;
}

#endif /* ADDRLAB_BENCH_H */
