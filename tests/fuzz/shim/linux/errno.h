/* SPDX-License-Identifier: GPL-2.0 */
/* fuzz shim: the uapi errno values (glibc includes this header too) */
#include_next <linux/errno.h>
