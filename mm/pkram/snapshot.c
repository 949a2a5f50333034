// SPDX-License-Identifier: GPL-2.0
/*
 * PKRAM layout snapshots: /sys/kernel/pkram/{incoming,outgoing}.dtb
 *
 * A flattened device tree describing every node of one direction, its
 * objects and the physical memory they occupy, for `dtc -I dtb -O dts` and
 * for comparing what was preserved before a kexec with what arrived after
 * it. See Documentation/ABI/testing/sysfs-kernel-pkram.
 */
#define pr_fmt(fmt) "pkram: " fmt

#include <linux/io.h>
#include <linux/libfdt.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "internal.h"

#define PKRAM_SNAPSHOT_COMPATIBLE	"linux,pkram-snapshot-v1"

/* Emit the data ranges of a stream, one <start end order index> per entry. */
static int pkram_snap_stream(void *fdt, const char *prop, u64 head,
			     u64 *orders)
{
	u64 *cells = NULL;
	size_t n = 0, max = 0;
	u64 index = 0;
	int err;

	while (head) {
		struct pkram_link_meta *link = phys_to_virt(head);
		unsigned int pos = 0;

		while (pos < link->nr_words) {
			struct pkram_entry e;
			u64 i, runs;

			if (!pkram_entry_decode(&link->words[pos],
						link->nr_words - pos, &e) ||
			    e.order > MAX_PAGE_ORDER) {
				kvfree(cells);
				return -EINVAL;
			}
			if (e.has_index)
				index = e.index;
			/* a run is one range; packed folios are one each */
			runs = e.pfns ? e.count : 1;
			for (i = 0; i < runs; i++) {
				u64 start = pkram_entry_folio(&e, i);
				u64 nr = e.pfns ? 1 : e.count;

				if (n + 4 > max) {
					u64 *c = kvrealloc(cells, (max * 2 + 64) *
							   sizeof(*c), GFP_KERNEL);

					if (!c) {
						kvfree(cells);
						return -ENOMEM;
					}
					cells = c;
					max = max * 2 + 64;
				}
				cells[n++] = cpu_to_fdt64(start);
				cells[n++] = cpu_to_fdt64(start + (nr << (e.order + PAGE_SHIFT)));
				cells[n++] = cpu_to_fdt64(e.order);
				cells[n++] = cpu_to_fdt64(index);
				index += nr << e.order;
			}
			if (orders)
				orders[e.order] += e.count;
			pos += e.words;
		}
		head = link->hdr.next;
	}
	err = fdt_property(fdt, prop, cells, n * sizeof(*cells));
	kvfree(cells);
	return err;
}

static int pkram_snap_node(void *fdt, struct pkram_node *node, int i)
{
	struct pkram_node_meta *m = node->meta;
	u64 orders[MAX_PAGE_ORDER + 1];
	u64 obj_phys = m->first_obj;
	char name[24];
	int err, o = 0, k;

	snprintf(name, sizeof(name), "node@%d", i);
	err = fdt_begin_node(fdt, name);
	err = err ?: fdt_property_string(fdt, "node-name", m->name);
	err = err ?: fdt_property_string(fdt, "state", pkram_state_name(node->state));
	err = err ?: fdt_property_u64(fdt, "objects", m->nr_objs);
	err = err ?: fdt_property_u64(fdt, "folios", m->nr_folios);
	err = err ?: fdt_property_u64(fdt, "pages", m->nr_pages);
	err = err ?: fdt_property_u64(fdt, "bytes", m->nr_bytes);
	err = err ?: fdt_property_u64(fdt, "meta-pages", m->nr_meta);
	/*
	 * The objects of a node being saved are still being written, without
	 * a lock; a node being loaded has given part of itself away.
	 */
	while (!err && obj_phys && (node->state == PKRAM_SAVED ||
				    node->state == PKRAM_INCOMING)) {
		struct pkram_obj_meta *obj = phys_to_virt(obj_phys);

		snprintf(name, sizeof(name), "object@%d", o++);
		memset(orders, 0, sizeof(orders));
		err = fdt_begin_node(fdt, name);
		err = err ?: fdt_property_u32(fdt, "flags", obj->flags);
		err = err ?: fdt_property_u64(fdt, "data-len", obj->data_len);
		err = err ?: pkram_snap_stream(fdt, "folio-ranges",
					       obj->folios_head, orders);
		err = err ?: pkram_snap_stream(fdt, "byte-ranges",
					       obj->bytes_head, NULL);
		for (k = 0; k <= MAX_PAGE_ORDER; k++)
			orders[k] = cpu_to_fdt64(orders[k]);
		err = err ?: fdt_property(fdt, "folios-by-order", orders,
					  sizeof(orders));
		err = err ?: fdt_end_node(fdt);
		obj_phys = obj->hdr.next;
	}
	return err ?: fdt_end_node(fdt);
}

/**
 * pkram_snapshot - describe the nodes of one direction as an FDT
 * @incoming: incoming (true) or outgoing (false) nodes
 * @size: set to the size of the blob
 *
 * Return: the blob (free with kvfree()), or NULL without memory.
 */
void *pkram_snapshot(bool incoming, size_t *size)
{
	size_t cap = SZ_64K;
	struct pkram_node *node;
	void *fdt;
	int err, i;

	for (;;) {
		fdt = kvzalloc(cap, GFP_KERNEL);
		if (!fdt)
			return NULL;
		i = 0;
		err = fdt_create(fdt, cap);
		err = err ?: fdt_finish_reservemap(fdt);
		err = err ?: fdt_begin_node(fdt, "");
		err = err ?: fdt_property_string(fdt, "compatible",
						 PKRAM_SNAPSHOT_COMPATIBLE);
		err = err ?: fdt_property_string(fdt, "direction",
						 incoming ? "incoming" : "outgoing");
		mutex_lock(&pkram_mutex);
		list_for_each_entry(node, &pkram_nodes, list)
			if (!err && node->incoming == incoming)
				err = pkram_snap_node(fdt, node, i++);
		mutex_unlock(&pkram_mutex);
		err = err ?: fdt_end_node(fdt);
		err = err ?: fdt_finish(fdt);
		if (err != -FDT_ERR_NOSPACE)
			break;
		kvfree(fdt);
		cap *= 4;
	}
	if (err) {
		kvfree(fdt);
		return NULL;
	}
	*size = fdt_totalsize(fdt);
	return fdt;
}
