/* SPDX-License-Identifier: GPL-2.0 */
/* fuzz shim: everything is in tests/fuzz/shim/fuzz-kernel.h */
#include "../fuzz-kernel.h"
