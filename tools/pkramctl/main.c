// SPDX-License-Identifier: GPL-2.0
/*
 * pkramctl: inspect and manage PKRAM nodes. See pkramctl(8), or
 * Documentation/admin-guide/mm/pkramctl.rst.
 */
#include <errno.h>
#include <string.h>

#include "pkramctl.h"

int main(int argc, char **argv)
{
	struct pkramctl ctx;
	int status;

	pkramctl_init(&ctx, stdout, stderr);
	status = pkramctl_main(&ctx, argc, argv);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "pkramctl: writing the output failed: %s\n",
			strerror(errno));
		return status ? status : PKRAMCTL_EXIT_FAIL;
	}
	return status;
}
