// SPDX-License-Identifier: GPL-2.0
/*
 * Print the host TSC frequency in kHz, measured against CLOCK_MONOTONIC_RAW
 * over 200 ms. Under QEMU TCG the guest's TSC runs at the host TSC rate but
 * the guest cannot calibrate it (no PIT/HPET/PM timer reference in the test
 * kernel) and falls back to a 10 ms jiffies clock; the bench passes
 * tsc_early_khz=<this> tsc=reliable so that ktime_get_ns() and PKRAM's
 * early reservation timing have sub-microsecond resolution.
 */
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	struct timespec d = { 0, 200 * 1000 * 1000 };
	double t0, t1;
	unsigned long long c0, c1;

	t0 = now();
	c0 = __rdtsc();
	nanosleep(&d, NULL);
	t1 = now();
	c1 = __rdtsc();
	printf("%llu\n", (unsigned long long)((c1 - c0) / (t1 - t0) / 1000));
	return 0;
}
