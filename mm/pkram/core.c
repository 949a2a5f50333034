// SPDX-License-Identifier: GPL-2.0
/*
 * PKRAM core: the node list and the save/load API.
 *
 * A node is a named list of objects; an object has a folio stream and a byte
 * stream (see stream.c). Nodes saved in this kernel are "outgoing"; nodes
 * found through pkram= at boot are "incoming". Both live on one list, so a
 * name is unique across directions: a loaded incoming node leaves the list
 * and its name can be saved again.
 *
 * Locking: pkram_mutex protects the node list and node states. A stream
 * (struct pkram_stream) belongs to the thread that opened it, except that
 * several threads may run folio accesses of its current object (stream.c
 * has their locking). Other threads see a node only once its state says it
 * is complete, but for pkram_walk_node() under pkram_lock_saves().
 */
#define pr_fmt(fmt) "pkram: " fmt

#include <linux/io.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../internal.h"
#include "internal.h"

/* Protects pkram_nodes, node states and pkram_finalizing. */
DEFINE_MUTEX(pkram_mutex);
LIST_HEAD(pkram_nodes);
bool pkram_finalizing;
/*
 * While finalizing, only the savers may save: they run in this task, the one
 * preparing the kexec, and pkram_cur_saver is the one running.
 */
struct task_struct *pkram_saver_task;
const struct pkram_saver *pkram_cur_saver;

/* Are saves closed? Caller holds pkram_mutex. */
static bool pkram_closed(void)
{
	return pkram_finalizing && pkram_saver_task != current;
}

/* A node state as sysfs and the snapshots show it. */
const char *pkram_state_name(enum pkram_node_state state)
{
	static const char * const names[] = {
		[PKRAM_SAVING] = "saving",
		[PKRAM_SAVED] = "saved",
		[PKRAM_INCOMING] = "incoming",
		[PKRAM_LOADING] = "loading",
	};

	return state < ARRAY_SIZE(names) ? names[state] : "?";
}

/* Caller holds pkram_mutex. */
struct pkram_node *pkram_find_node(const char *name)
{
	struct pkram_node *node;

	lockdep_assert_held(&pkram_mutex);
	list_for_each_entry(node, &pkram_nodes, list)
		if (!strcmp(node->meta->name, name))
			return node;
	return NULL;
}

/*
 * Find a saved or incoming node nobody is using. Once the kexec reboot path
 * has started finalizing, no node may be taken: finalize is writing the
 * node's metadata for the next kernel, and a load or discard would free it.
 * Caller holds pkram_mutex.
 * Return: the node, or ERR_PTR(-EINVAL, -ENOENT or -EBUSY).
 */
static struct pkram_node *pkram_take_node(const char *name)
{
	struct pkram_node *node;

	lockdep_assert_held(&pkram_mutex);
	if (!pkram_name_valid(name))
		return ERR_PTR(-EINVAL);
	node = pkram_find_node(name);
	if (!node)
		return ERR_PTR(-ENOENT);
	if (pkram_finalizing || node->state == PKRAM_SAVING ||
	    node->state == PKRAM_LOADING)
		return ERR_PTR(-EBUSY);
	return node;
}

static void *pkram_alloc_meta(gfp_t gfp, u16 type)
{
	struct page *page;
	struct pkram_meta_hdr *hdr;

	page = pkram_alloc_safe((gfp & GFP_RECLAIM_MASK) | __GFP_ZERO, 0);
	if (!page)
		return NULL;
	hdr = page_address(page);
	hdr->magic = PKRAM_META_MAGIC;
	hdr->version = PKRAM_FORMAT_VERSION;
	hdr->type = type;
	return hdr;
}

/*
 * Are the folios of @obj memory that is not the kernel's? Those of an
 * incoming %PKRAM_DATA_inplace object are (pages a hypervisor or device
 * owns, like the Hyper-V deposit ledger's): whatever of them nobody loaded
 * stays reserved, and such a node is never discarded.
 */
bool pkram_obj_foreign(struct pkram_node *node, struct pkram_obj_meta *obj)
{
	return node->incoming && (obj->flags & PKRAM_DATA_inplace);
}

/* May the data of @obj go to the page allocator? */
static bool pkram_may_free_data(struct pkram_node *node,
				struct pkram_obj_meta *obj)
{
	if (!pkram_obj_foreign(node, obj))
		return true;
	if (obj->folios_head)
		pr_warn("node %s: folios of an inplace object were not loaded: they are not the kernel's and stay reserved\n",
			node->meta->name);
	return false;
}

/* Release an object's streams and its page. */
static void pkram_release_obj(struct pkram_node *node,
			      struct pkram_obj_meta *obj)
{
	pkram_release_stream(obj->folios_head, node->incoming,
			     pkram_may_free_data(node, obj));
	pkram_release_stream(obj->bytes_head, node->incoming, true);
	pkram_free_meta_page(obj, node->incoming);
}

/**
 * pkram_node_foreign - does a node hold memory that is not the kernel's?
 * @node: the node; caller holds pkram_mutex or owns the node
 *
 * True for an incoming node with a %PKRAM_DATA_inplace object: only its
 * owner may take that memory, by loading the node; it is never discarded.
 *
 * Return: true if the node must not be discarded.
 */
bool pkram_node_foreign(struct pkram_node *node)
{
	u64 obj_phys = node->meta->first_obj;

	while (obj_phys) {
		struct pkram_obj_meta *obj = phys_to_virt(obj_phys);

		if (pkram_obj_foreign(node, obj))
			return true;
		obj_phys = obj->hdr.next;
	}
	return false;
}

/* Release everything a node holds, and the node itself. */
void pkram_free_node(struct pkram_node *node)
{
	struct pkram_node_meta *meta = node->meta;
	u64 obj_phys = meta->first_obj;

	while (obj_phys) {
		struct pkram_obj_meta *obj = phys_to_virt(obj_phys);

		obj_phys = obj->hdr.next;
		pkram_release_obj(node, obj);
	}
	pkram_free_meta_page(meta, node->incoming);
	kfree(node);
}

/**
 * pkram_prepare_save - start saving a node
 * @ps: the stream to set up
 * @name: the node's name, 1 to %PKRAM_NAME_MAX characters of [A-Za-z0-9._:-]
 * @gfp: allocation flags for metadata and byte-stream pages
 *
 * The node is invisible to loaders until pkram_finish_save(). End every
 * successful call with pkram_finish_save() or pkram_discard_save().
 *
 * Context: Process context; may sleep if @gfp allows.
 * Return: 0 on success; -EINVAL for a bad name; -EEXIST if a saved or
 * incoming node has this name; -EBUSY if a node of this name is being saved
 * or loaded, or if the kexec reboot path has started; -ENOSPC if there are
 * already %PKRAM_MAX_NODES nodes; -ENOMEM.
 */
int pkram_prepare_save(struct pkram_stream *ps, const char *name, gfp_t gfp)
{
	struct pkram_node *node, *old;
	struct pkram_node_meta *meta;
	int err = 0;

	if (!pkram_name_valid(name))
		return -EINVAL;

	node = kzalloc(sizeof(*node), gfp & GFP_RECLAIM_MASK);
	meta = pkram_alloc_meta(gfp, PKRAM_META_NODE);
	if (!node || !meta) {
		kfree(node);
		if (meta)
			pkram_free_owned(virt_to_page(meta), 0);
		return -ENOMEM;
	}
	mutex_init(&node->lock);
	strscpy(meta->name, name, sizeof(meta->name));
	meta->nr_meta = 1;
	node->meta = meta;
	node->state = PKRAM_SAVING;

	mutex_lock(&pkram_mutex);
	old = pkram_find_node(name);
	node->saver = pkram_finalizing ? pkram_cur_saver : NULL;
	if (pkram_closed())
		err = -EBUSY;
	else if (list_count_nodes(&pkram_nodes) >= PKRAM_MAX_NODES)
		err = -ENOSPC;
	else if (old)
		err = (old->state == PKRAM_SAVING ||
		       old->state == PKRAM_LOADING) ? -EBUSY : -EEXIST;
	else
		list_add_tail(&node->list, &pkram_nodes);
	mutex_unlock(&pkram_mutex);

	if (err) {
		pkram_free_owned(virt_to_page(meta), 0);
		kfree(node);
		return err;
	}
	memset(ps, 0, sizeof(*ps));
	ps->gfp = gfp;
	ps->node = node;
	return 0;
}
EXPORT_SYMBOL_GPL(pkram_prepare_save);

/**
 * pkram_prepare_save_obj - start a new object in a node being saved
 * @ps: a stream set up by pkram_prepare_save()
 * @flags: the streams the object has: %PKRAM_DATA_folios, %PKRAM_DATA_bytes
 *	   or both, optionally with %PKRAM_DATA_inplace
 *
 * Objects load in the order they were saved. End with
 * pkram_finish_save_obj().
 *
 * Context: Process context; may sleep if the stream's gfp allows.
 * Return: 0 on success; -EINVAL for bad @flags; -ENOMEM.
 */
int pkram_prepare_save_obj(struct pkram_stream *ps,
			   enum pkram_data_flags flags)
{
	struct pkram_node_meta *meta = ps->node->meta;
	struct pkram_obj_meta *obj;

	if (!(flags & (PKRAM_DATA_folios | PKRAM_DATA_bytes)) ||
	    (flags & ~PKRAM_OBJ_FLAGS) ||
	    ((flags & PKRAM_DATA_csum) && (flags & PKRAM_DATA_inplace)))
		return -EINVAL;
	if (WARN_ON_ONCE(ps->node->state != PKRAM_SAVING || ps->obj))
		return -EINVAL;

	obj = pkram_alloc_meta(ps->gfp, PKRAM_META_OBJ);
	if (!obj)
		return -ENOMEM;
	obj->flags = flags;
	pkram_change_begin(ps->node);
	if (ps->last_obj)
		ps->last_obj->hdr.next = virt_to_phys(obj);
	else
		meta->first_obj = virt_to_phys(obj);
	pkram_change_end(ps->node);
	ps->last_obj = obj;
	ps->obj = obj;
	memset(ps->tail, 0, sizeof(ps->tail));
	memset(ps->tail_held, 0, sizeof(ps->tail_held));
	meta->nr_objs++;
	meta->nr_meta++;
	return 0;
}
EXPORT_SYMBOL_GPL(pkram_prepare_save_obj);

/**
 * pkram_finish_save_obj - finish the current object
 * @ps: the stream
 *
 * Context: Any context.
 */
void pkram_finish_save_obj(struct pkram_stream *ps)
{
	WARN_ON_ONCE(!ps->obj);
	ps->obj = NULL;
}
EXPORT_SYMBOL_GPL(pkram_finish_save_obj);

/**
 * pkram_finish_save - make a saved node visible and preserve it at kexec
 * @ps: the stream
 *
 * On success the node is complete: it is preserved across the next kexec and
 * can be loaded by name. On failure everything saved into the node has been
 * dropped, as by pkram_discard_save().
 *
 * Context: Process context; may sleep.
 * Return: 0 on success; -EBUSY if the kexec reboot path has already started
 * finalizing (the node would not be preserved).
 */
int pkram_finish_save(struct pkram_stream *ps)
{
	struct pkram_node *node = ps->node;
	int err = 0;

	WARN_ON_ONCE(ps->obj);
	mutex_lock(&pkram_mutex);
	if (pkram_closed())
		err = -EBUSY;
	else
		node->state = PKRAM_SAVED;
	mutex_unlock(&pkram_mutex);

	if (err)
		pkram_discard_save(ps);
	else
		ps->node = NULL;
	return err;
}
EXPORT_SYMBOL_GPL(pkram_finish_save);

/**
 * pkram_discard_save - drop a node being saved
 * @ps: the stream
 *
 * Drops the references taken on saved folios and frees all metadata.
 *
 * Context: Process context; may sleep.
 */
void pkram_discard_save(struct pkram_stream *ps)
{
	struct pkram_node *node = ps->node;

	mutex_lock(&pkram_mutex);
	list_del(&node->list);
	mutex_unlock(&pkram_mutex);
	pkram_free_node(node);
	ps->node = NULL;
	ps->obj = NULL;
}
EXPORT_SYMBOL_GPL(pkram_discard_save);

/**
 * pkram_prepare_load - start loading a node
 * @ps: the stream to set up
 * @name: the node's name
 *
 * A node can be loaded once, in the kernel that received it or, for testing,
 * in the kernel that saved it. End with pkram_finish_load().
 *
 * Context: Process context; may sleep.
 * Return: 0 on success; -EINVAL for a bad name; -ENOENT if there is no such
 * node; -EBUSY if it is being saved or loaded, or the kexec reboot path has
 * started.
 */
int pkram_prepare_load(struct pkram_stream *ps, const char *name)
{
	struct pkram_node *node;

	mutex_lock(&pkram_mutex);
	node = pkram_take_node(name);
	if (!IS_ERR(node))
		node->state = PKRAM_LOADING;
	mutex_unlock(&pkram_mutex);
	if (IS_ERR(node))
		return PTR_ERR(node);

	memset(ps, 0, sizeof(*ps));
	ps->node = node;
	ps->next_obj = node->meta->first_obj;
	return 0;
}
EXPORT_SYMBOL_GPL(pkram_prepare_load);

/**
 * pkram_prepare_load_obj - move to the next object of a node being loaded
 * @ps: a stream set up by pkram_prepare_load()
 *
 * For an object saved with %PKRAM_DATA_csum the data is checked against the
 * checksum taken at kexec first.
 *
 * Context: Process context (any context without %PKRAM_DATA_csum).
 * Return: 0 on success; -ENODATA if there are no more objects; -EBADMSG if
 * the object's data does not match its checksum: the object is current all
 * the same, for the caller to read anyway or to drop with
 * pkram_finish_load_obj().
 */
int pkram_prepare_load_obj(struct pkram_stream *ps)
{
	struct pkram_obj_meta *obj;

	if (WARN_ON_ONCE(ps->obj))
		pkram_finish_load_obj(ps);
	if (!ps->next_obj)
		return -ENODATA;
	obj = phys_to_virt(ps->next_obj);
	ps->next_obj = obj->hdr.next;
	ps->obj = obj;
	if (ps->node->incoming && (obj->flags & PKRAM_DATA_csum) &&
	    pkram_obj_crc(obj) != obj->data_crc) {
		pr_err("node %s: an object's data does not match its checksum\n",
		       ps->node->meta->name);
		return -EBADMSG;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(pkram_prepare_load_obj);

/**
 * pkram_finish_load_obj - finish the current object of a node being loaded
 * @ps: the stream
 *
 * Whatever of the object was not loaded is freed, but for the folios of a
 * %PKRAM_DATA_inplace object that crossed a kexec: they stay reserved.
 *
 * Context: Process context; may sleep.
 */
void pkram_finish_load_obj(struct pkram_stream *ps)
{
	struct pkram_obj_meta *obj = ps->obj;

	if (WARN_ON_ONCE(!obj))
		return;
	pkram_release_obj(ps->node, obj);
	ps->node->meta->first_obj = ps->next_obj;
	ps->obj = NULL;
}
EXPORT_SYMBOL_GPL(pkram_finish_load_obj);

/**
 * pkram_cancel_load - give a node back untouched
 * @ps: a stream of pkram_prepare_load() that took nothing: at most
 *	pkram_prepare_load_obj() and pkram_peek() were called on it
 *
 * For a loader that found, before taking anything, that it cannot use the
 * node (an unknown version, damaged records): the node is offered again,
 * as it was, for inspection, another loader or pkram_discard().
 *
 * Context: Process context; may sleep.
 */
void pkram_cancel_load(struct pkram_stream *ps)
{
	struct pkram_node *node = ps->node;

	mutex_lock(&pkram_mutex);
	node->state = node->incoming ? PKRAM_INCOMING : PKRAM_SAVED;
	mutex_unlock(&pkram_mutex);
	ps->node = NULL;
	ps->obj = NULL;
}
EXPORT_SYMBOL_GPL(pkram_cancel_load);

/**
 * pkram_finish_load - finish loading a node
 * @ps: the stream
 *
 * Whatever of the node was not loaded is freed (as pkram_finish_load_obj()
 * says), and the name can be used again.
 *
 * Context: Process context; may sleep.
 */
void pkram_finish_load(struct pkram_stream *ps)
{
	struct pkram_node *node = ps->node;

	if (ps->obj)
		pkram_finish_load_obj(ps);
	node->meta->first_obj = ps->next_obj;
	mutex_lock(&pkram_mutex);
	list_del(&node->list);
	mutex_unlock(&pkram_mutex);
	pkram_free_node(node);
	ps->node = NULL;
}
EXPORT_SYMBOL_GPL(pkram_finish_load);

static LIST_HEAD(pkram_keepers);
static DEFINE_SPINLOCK(pkram_keepers_lock);

/* Register @keeper (struct pkram_keeper, internal.h); in an initcall. */
void pkram_register_keeper(struct pkram_keeper *keeper)
{
	spin_lock(&pkram_keepers_lock);
	list_add_tail(&keeper->list, &pkram_keepers);
	spin_unlock(&pkram_keepers_lock);
}

/* Registered once and never removed: the list is read without the lock. */
size_t pkram_keepers_count(void)
{
	struct pkram_keeper *k;
	size_t n = 0;

	list_for_each_entry(k, &pkram_keepers, list)
		n += k->count();
	return n;
}

size_t pkram_keepers_text(char *buf, size_t cap)
{
	struct pkram_keeper *k;
	size_t len = 0;

	list_for_each_entry(k, &pkram_keepers, list)
		len += k->nodes_text(buf + len, cap - len);
	return len;
}

static int pkram_keepers_discard(const char *name)
{
	struct pkram_keeper *k;
	int err = -ENOENT;

	list_for_each_entry(k, &pkram_keepers, list) {
		err = k->discard(name);
		if (err != -ENOENT)
			break;
	}
	return err;
}

/**
 * pkram_discard - free a node nobody is using
 * @name: the node's name
 *
 * Frees an incoming node that was not loaded, or a saved outgoing node, and
 * returns its memory to the page allocator. An incoming node that holds
 * memory that is not the kernel's (a %PKRAM_DATA_inplace object, e.g.
 * pages a hypervisor owns) is never discarded: only its owner can take it,
 * by loading it. A tmpfs kept by name ("tmpfs:NAME", not a node until the
 * kexec) is freed if nobody has it mounted.
 *
 * Context: Process context; may sleep.
 * Return: 0 on success; -EINVAL for a bad name; -ENOENT if there is no such
 * node; -EBUSY if it is being saved or loaded, is a mounted tmpfs, or the
 * kexec reboot path has started; -EXDEV if the node holds memory that is
 * not the kernel's.
 */
int pkram_discard(const char *name)
{
	struct pkram_node *node;

	mutex_lock(&pkram_mutex);
	node = pkram_take_node(name);
	if (!IS_ERR(node) && pkram_node_foreign(node)) {
		pr_err("node %s holds memory that is not the kernel's (an inplace object): only its owner can take it; not discarded\n",
		       name);
		node = ERR_PTR(-EXDEV);
	}
	if (!IS_ERR(node))
		list_del(&node->list);
	mutex_unlock(&pkram_mutex);
	/* not a node yet: something kept under this name? */
	if (node == ERR_PTR(-ENOENT))
		return pkram_keepers_discard(name);
	if (IS_ERR(node))
		return PTR_ERR(node);
	pkram_free_node(node);
	return 0;
}
EXPORT_SYMBOL_GPL(pkram_discard);

/*
 * Discard the nodes @saver saved while a kexec was being prepared (all
 * savers' if @saver is NULL), for a kexec that was refused or a saver whose
 * state changed since.
 */
void pkram_drop_saver_nodes(const struct pkram_saver *saver)
{
	struct pkram_node *node, *tmp;
	LIST_HEAD(drop);

	mutex_lock(&pkram_mutex);
	list_for_each_entry_safe(node, tmp, &pkram_nodes, list)
		if (node->saver && (!saver || node->saver == saver) &&
		    node->state == PKRAM_SAVED)
			list_move(&node->list, &drop);
	mutex_unlock(&pkram_mutex);
	list_for_each_entry_safe(node, tmp, &drop, list)
		pkram_free_node(node);
}

/* Register a validated incoming node (boot.c). */
int pkram_add_incoming(struct pkram_node_meta *meta)
{
	struct pkram_node *node;
	int err = 0;

	node = kzalloc(sizeof(*node), GFP_KERNEL);
	if (!node)
		return -ENOMEM;
	mutex_init(&node->lock);
	node->meta = meta;
	node->incoming = true;
	node->state = PKRAM_INCOMING;

	mutex_lock(&pkram_mutex);
	if (pkram_find_node(meta->name))
		err = -EEXIST;
	else
		list_add_tail(&node->list, &pkram_nodes);
	mutex_unlock(&pkram_mutex);
	if (err)
		kfree(node);
	return err;
}

#ifdef CONFIG_PKRAM_KUNIT_TEST
#include "tests/pkram-kunit.h"
#endif
