// SPDX-License-Identifier: GPL-2.0
/*
 * PKRAM metadata helpers that depend on nothing but the page they are given:
 * node names, metadata page and superblock checksums. Kept apart from core.c so that the
 * userspace fuzz harness (tests/fuzz/) can build them with the incoming
 * parser.
 */
#include <linux/crc32.h>
#include <linux/ctype.h>
#include <linux/libfdt.h>
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
	hdr->version = PKRAM_FORMAT_VERSION;
	hdr->crc = 0;
	hdr->crc = __crc32c_le(~0, page, PAGE_SIZE);
}

/* Check the header and checksum of a metadata page of the given type. */
bool pkram_meta_check(const void *page, u16 type)
{
	const struct pkram_meta_hdr *hdr = page;
	u32 crc;

	if (hdr->magic != PKRAM_META_MAGIC || hdr->type != type ||
	    hdr->version != PKRAM_FORMAT_VERSION || hdr->flags || hdr->reserved)
		return false;
	/* crc32c over the page with the crc field read as zero */
	crc = __crc32c_le(~0, page, offsetof(struct pkram_meta_hdr, crc));
	crc = __crc32c_le(crc, (const u8 *)"\0\0\0\0", sizeof(hdr->crc));
	crc = __crc32c_le(crc, (const u8 *)page +
			  offsetofend(struct pkram_meta_hdr, crc),
			  PAGE_SIZE - offsetofend(struct pkram_meta_hdr, crc));
	return crc == hdr->crc;
}

/**
 * pkram_sb_crc - the checksum of a superblock
 * @sb: the superblock, an FDT whose totalsize is checked to fit its page
 * @val: the value of its "crc" property, inside @sb, which is read as zero
 *
 * Return: the crc32c of the FDT's totalsize bytes.
 */
u32 pkram_sb_crc(const void *sb, const void *val)
{
	size_t off = (const u8 *)val - (const u8 *)sb;
	size_t total = fdt_totalsize(sb);
	u32 crc;

	crc = __crc32c_le(~0, sb, off);
	crc = __crc32c_le(crc, (const u8 *)"\0\0\0\0", sizeof(fdt32_t));
	return __crc32c_le(crc, (const u8 *)val + sizeof(fdt32_t),
			   total - off - sizeof(fdt32_t));
}

/**
 * pkram_sb_seal - fill in the checksum of a finished superblock
 * @sb: the superblock FDT, with a 4-byte "crc" property
 *
 * Return: 0, or -EINVAL if it has no such property.
 */
int pkram_sb_seal(void *sb)
{
	fdt32_t *crc;
	int len;

	crc = fdt_getprop_w(sb, 0, PKRAM_FDT_CRC, &len);
	if (!crc || len != sizeof(*crc))
		return -EINVAL;
	*crc = cpu_to_fdt32(pkram_sb_crc(sb, crc));
	return 0;
}

/**
 * pkram_sb_check - check the checksum of a superblock
 * @sb: the superblock FDT (header checked, totalsize within its page)
 *
 * Return: true if it has a "crc" property and the checksum matches.
 */
bool pkram_sb_check(const void *sb)
{
	const fdt32_t *crc;
	int len;

	crc = fdt_getprop(sb, 0, PKRAM_FDT_CRC, &len);
	return crc && len == sizeof(*crc) &&
	       fdt32_to_cpu(*crc) == pkram_sb_crc(sb, crc);
}
