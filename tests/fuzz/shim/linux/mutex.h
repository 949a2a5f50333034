/* SPDX-License-Identifier: GPL-2.0 */
/* fuzz shim: struct pkram_node embeds a mutex the parser never takes */
#ifndef _FUZZ_SHIM_MUTEX_H
#define _FUZZ_SHIM_MUTEX_H
#include "../fuzz-kernel.h"

struct mutex {
	int unused;
};
#endif
