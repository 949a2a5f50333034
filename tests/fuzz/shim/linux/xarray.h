/* SPDX-License-Identifier: GPL-2.0 */
/* fuzz shim: struct pkram_pfnmap embeds an xarray the parser never uses */
#ifndef _FUZZ_SHIM_XARRAY_H
#define _FUZZ_SHIM_XARRAY_H
#include "../fuzz-kernel.h"

struct xarray {
	void *unused;
};
#endif
