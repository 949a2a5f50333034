// SPDX-License-Identifier: GPL-2.0
/*
 * PKRAM metadata helpers that depend on nothing but the page they are given:
 * node names and metadata page checksums. Kept apart from core.c so that the
 * userspace fuzz harness (tests/fuzz/) can build them with the incoming
 * parser.
 */
#include <linux/crc32.h>
#include <linux/ctype.h>
#include <linux/stddef.h>
#include <linux/string.h>

#include "internal.h"

/**
 * pkram_name_valid - check a node name
 * @name: the name
 *
 * Names are 1 to PKRAM_NAME_MAX characters of [A-Za-z0-9._:-].
 *
 * Return: true if @name is a valid node name.
 */
bool pkram_name_valid(const char *name)
{
	size_t i, len;

	if (!name)
		return false;
	len = strnlen(name, PKRAM_NAME_MAX + 1);
	if (!len || len > PKRAM_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!isalnum(c) && c != '.' && c != '_' && c != ':' && c != '-')
			return false;
	}
	return true;
}

/* Compute and store the checksum of a metadata page. */
void pkram_meta_seal(void *page)
{
	struct pkram_meta_hdr *hdr = page;

	hdr->magic = PKRAM_META_MAGIC;
	hdr->version = PKRAM_META_VERSION;
	hdr->crc = 0;
	hdr->crc = __crc32c_le(~0, page, PAGE_SIZE);
}

/* Check the header and checksum of a metadata page of the given type. */
bool pkram_meta_check(const void *page, u16 type)
{
	const struct pkram_meta_hdr *hdr = page;
	u32 crc;

	if (hdr->magic != PKRAM_META_MAGIC || hdr->type != type ||
	    hdr->version != PKRAM_META_VERSION || hdr->flags || hdr->reserved)
		return false;
	/* crc32c over the page with the crc field read as zero */
	crc = __crc32c_le(~0, page, offsetof(struct pkram_meta_hdr, crc));
	crc = __crc32c_le(crc, (const u8 *)"\0\0\0\0", sizeof(hdr->crc));
	crc = __crc32c_le(crc, (const u8 *)page +
			  offsetofend(struct pkram_meta_hdr, crc),
			  PAGE_SIZE - offsetofend(struct pkram_meta_hdr, crc));
	return crc == hdr->crc;
}
