// SPDX-License-Identifier: GPL-2.0
/*
 * PKRAM and memory hotplug: memory that holds preserved pages stays online.
 *
 * Preserved pages must stay where they are until the kexec: the pages of
 * every outgoing node, saved or being saved, and of every incoming node
 * nobody has loaded yet. Offlining a memory block that holds one is refused
 * at MEM_GOING_OFFLINE, with a "pkram:" line naming the node, instead of
 * leaving offline_pages() to retry migrating a page PKRAM holds until a
 * signal arrives.
 *
 * Most such blocks never get that far: metadata, byte streams and incoming
 * pages are unmovable (incoming ones are PageReserved), so isolating the
 * block fails before the notifier runs. What reaches it are folios the
 * page allocator considers movable and that PKRAM preserves in place
 * (page cache and anonymous folios outside ZONE_MOVABLE; folios in
 * ZONE_MOVABLE and CMA are preserved as copies, see stream.c).
 */
#define pr_fmt(fmt) "pkram: " fmt

#include <linux/memory.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/pfn.h>

#include "internal.h"

struct pkram_offline {
	u64 start;
	u64 end;
};

static int pkram_offline_fn(u64 start, u64 end, void *arg)
{
	struct pkram_offline *off = arg;

	return start < end && start < off->end && end > off->start;
}

/**
 * pkram_memory_going_offline - may this memory go offline?
 * @start_pfn: first page frame of the memory
 * @nr_pages: its size in pages
 *
 * Context: Process context; takes pkram_mutex.
 * Return: 0 if no preserved page is in the range, else -EBUSY.
 */
int pkram_memory_going_offline(unsigned long start_pfn, unsigned long nr_pages)
{
	struct pkram_offline off = {
		.start = PFN_PHYS(start_pfn),
		.end = PFN_PHYS(start_pfn + nr_pages),
	};
	struct pkram_node *node;
	int err = 0;

	mutex_lock(&pkram_mutex);
	list_for_each_entry(node, &pkram_nodes, list) {
		int ret;

		/* what a loader has not taken yet is still reserved */
		if (node->state == PKRAM_LOADING)
			continue;
		if (node->state == PKRAM_SAVING)
			pkram_lock_saves();
		ret = pkram_walk_node(node->meta, pkram_offline_fn, &off);
		if (node->state == PKRAM_SAVING)
			pkram_unlock_saves();
		if (ret > 0)
			pr_warn("memory [%#llx-%#llx] holds pages of %s node %s: not offlined\n",
				off.start, off.end - 1,
				node->incoming ? "incoming" : "outgoing",
				node->meta->name);
		else if (ret)
			pr_warn("node %s cannot be walked (%d): memory [%#llx-%#llx] not offlined\n",
				node->meta->name, ret, off.start, off.end - 1);
		if (ret) {
			err = -EBUSY;
			break;
		}
	}
	mutex_unlock(&pkram_mutex);
	return err;
}

static int pkram_memory_callback(struct notifier_block *nb,
				 unsigned long action, void *arg)
{
	struct memory_notify *mn = arg;

	if (action != MEM_GOING_OFFLINE)
		return NOTIFY_OK;
	return notifier_from_errno(pkram_memory_going_offline(mn->start_pfn,
							      mn->nr_pages));
}

static int __init pkram_memory_init(void)
{
	return hotplug_memory_notifier(pkram_memory_callback,
				       DEFAULT_CALLBACK_PRI);
}
core_initcall(pkram_memory_init);
