/* SPDX-License-Identifier: GPL-2.0 */
/* fuzz shim: libfdt from the kernel tree (scripts/dtc/libfdt) or libfdt-dev */
#include "../fuzz-kernel.h"
#include <libfdt.h>
