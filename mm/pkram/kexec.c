// SPDX-License-Identifier: GPL-2.0
/*
 * PKRAM and kexec: keep kexec off preserved memory and hand the preserved
 * memory to the next kernel.
 *
 * - kexec_file_load: the command line gets pkram=<superblock> (any stale
 *   pkram= removed), segments are placed around preserved memory, and on x86
 *   a setup_data entry tells the decompressor which memory KASLR must avoid.
 * - kexec_load: a segment whose destination holds preserved memory is
 *   refused with -EADDRNOTAVAIL.
 * - The segments' destinations of the image kexec will run are banned:
 *   saving a folio there saves a copy (or fails, for an inplace object), and
 *   at kexec time a node that still overlaps them refuses the kexec rather
 *   than being overwritten. While a load is in progress the destinations of the image
 *   being loaded are banned too; when the load ends, successfully or not,
 *   the bans are set again from the image that is installed then
 *   (pkram_kexec_load_done()), so they never describe an image that failed
 *   to load.
 * - In the reboot path, before devices are shut down,
 *   pkram_kexec_prepare() runs the savers and writes the handover
 *   (including the avoid list the x86 setup_data entry points at), or
 *   refuses the kexec; pkram_kexec_finalize(), after, only redoes the work
 *   of savers whose state changed since.
 */
#define pr_fmt(fmt) "pkram: " fmt

#include <linux/kexec.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/seqlock.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "internal.h"

/*
 * Preserved memory at load time, for placing segments: a page-frame map,
 * 1/32768 of the span of what is preserved, however scattered it is.
 * Under the kexec lock; pkram_snap_ok says whether it holds a map.
 */
static struct pkram_pfnmap pkram_snap;
static bool pkram_snap_ok;

static void pkram_drop_snapshot(void)
{
	if (pkram_snap_ok)
		pkram_pfnmap_destroy(&pkram_snap);
	pkram_snap_ok = false;
}

/*
 * Destinations of the installed image's segments (kexec_image), then those
 * of the image being loaded, if a load is in progress: pkram_nr_ban in all,
 * the first pkram_nr_installed of them the installed image's. Written with
 * interrupts off; read without locking (pkram_in_kexec_segment() runs for
 * every folio saved, in any context).
 */
static DEFINE_SEQLOCK(pkram_ban_lock);
static struct pkram_range pkram_ban[PKRAM_MAX_BANS];
static_assert(PKRAM_MAX_BANS >= 2 * KEXEC_SEGMENT_MAX);
static unsigned int pkram_nr_ban;
static unsigned int pkram_nr_installed;

/* Ban the destinations of @image's segments, after the first @keep bans. */
static void pkram_set_bans(struct kimage *image, unsigned int keep)
{
	unsigned long i, n = image ? image->nr_segments : 0, flags;

	write_seqlock_irqsave(&pkram_ban_lock, flags);
	for (i = 0; i < n; i++) {
		pkram_ban[keep + i].start = image->segment[i].mem;
		pkram_ban[keep + i].end = image->segment[i].mem +
					  image->segment[i].memsz;
	}
	if (!keep)
		pkram_nr_installed = n;
	WRITE_ONCE(pkram_nr_ban, keep + n);
	write_sequnlock_irqrestore(&pkram_ban_lock, flags);
}

/* Fails only without memory; then nothing may be placed blindly. */
static int pkram_take_snapshot(void)
{
	int err;

	pkram_drop_snapshot();
	mutex_lock(&pkram_mutex);
	err = pkram_collect_map(&pkram_snap, PKRAM_COLLECT_PENDING |
				PKRAM_COLLECT_HANDOVER);
	mutex_unlock(&pkram_mutex);
	if (err) {
		pr_err("cannot map preserved memory (%d): kexec load refused\n",
		       err);
		return -ENOMEM;
	}
	pkram_snap_ok = true;
	return 0;
}

/*
 * Remove every pkram= from the command line and add the current one, before
 * any " -- " (what follows it is for init, not the kernel).
 */
static int pkram_fix_cmdline(struct kimage *image)
{
	const char *src = image->cmdline_buf ?: "";
	size_t len = strlen(src), o = 0;
	bool added = false;
	char *dst, *p;

	dst = kmalloc(len + 32, GFP_KERNEL);
	if (!dst)
		return -ENOMEM;
	for (;;) {
		const char *end = strchrnul(src, ' ');

		if (!added && (!*src || (end - src == 2 && !strncmp(src, "--", 2)))) {
			o += sprintf(dst + o, "pkram=%#llx ", (u64)pkram_sb_phys());
			added = true;
		}
		if (!*src)
			break;
		if ((added || strncmp(src, "pkram=", 6)) && end > src) {
			memcpy(dst + o, src, end - src);
			o += end - src;
			dst[o++] = ' ';
		}
		src = *end ? end + 1 : end;
	}
	dst[o ? o - 1 : 0] = '\0';
	p = image->cmdline_buf;
	image->cmdline_buf = dst;
	image->cmdline_buf_len = strlen(dst) + 1;
	kfree(p);
	return 0;
}

/**
 * pkram_kexec_file_prepare - kexec_file_load hook before the image is loaded
 * @image: the image being loaded
 *
 * Adds pkram= to the command line and takes the snapshot of preserved
 * memory that segment placement avoids. Called with the kexec lock held.
 *
 * Return: 0 or -ENOMEM.
 */
int pkram_kexec_file_prepare(struct kimage *image)
{
	if (image->type == KEXEC_TYPE_CRASH || !pkram_sb_phys())
		return 0;
	return pkram_take_snapshot() ?: pkram_fix_cmdline(image);
}

/**
 * pkram_kexec_overlap - does [@start, @end] hold preserved memory?
 * @start: first byte
 * @end: last byte
 * @ostart: set to the first byte of the first preserved range found
 * @oend: set to its last byte
 *
 * Answers from the snapshot taken when the load began. Called with the
 * kexec lock held.
 *
 * Return: true if the range overlaps preserved memory.
 */
bool pkram_kexec_overlap(unsigned long start, unsigned long end,
			 unsigned long *ostart, unsigned long *oend)
{
	unsigned long pos = PHYS_PFN(start), s, e;

	if (!pkram_snap_ok || start > end ||
	    !pkram_pfnmap_next(&pkram_snap, &pos, &s, &e) ||
	    PFN_PHYS(s) > end)
		return false;
	if (ostart)
		*ostart = PFN_PHYS(pkram_pfnmap_run_start(&pkram_snap, s));
	if (oend)
		*oend = PFN_PHYS(e) - 1;
	return true;
}

/**
 * pkram_kexec_check_segments - refuse segments that land on preserved memory
 * @image: the image being loaded
 *
 * Called from sanity_check_segment_list() for both kexec_load and
 * kexec_file_load, with the kexec lock held. On success the segments'
 * destinations are banned for saves until the load ends (see
 * pkram_kexec_load_done()).
 *
 * Return: 0, -EADDRNOTAVAIL naming the conflict in the log, or -ENOMEM.
 */
int pkram_kexec_check_segments(struct kimage *image)
{
	unsigned long i;
	int err = 0;

	if (image->type == KEXEC_TYPE_CRASH || !pkram_sb_phys())
		return 0;
	if (image->file_mode == 0 && pkram_take_snapshot())
		return -ENOMEM;
	for (i = 0; i < image->nr_segments; i++) {
		unsigned long s = image->segment[i].mem;
		unsigned long e = s + image->segment[i].memsz - 1;

		if (image->segment[i].memsz && pkram_kexec_overlap(s, e, NULL, NULL)) {
			pr_err("kexec segment [%#lx-%#lx] holds preserved memory\n",
			       s, e);
			err = -EADDRNOTAVAIL;
			break;
		}
	}
	/* banned alongside the installed image's until the load ends */
	if (!err)
		pkram_set_bans(image, pkram_nr_installed);
	pkram_drop_snapshot();
	return err;
}

/**
 * pkram_kexec_load_done - a kexec load ended
 *
 * Called by kexec_load() and kexec_file_load() with the kexec lock held,
 * after the new image was installed or the load failed (or an image was
 * unloaded): from now on only the segments of the image that kexec will
 * run, kexec_image, are banned.
 */
void pkram_kexec_load_done(void)
{
	pkram_set_bans(kexec_image && kexec_image->type != KEXEC_TYPE_CRASH ?
		       kexec_image : NULL, 0);
}

/**
 * pkram_in_kexec_segment - will the loaded kexec kernel be copied here?
 * @start: first byte
 * @end: first byte after the range
 *
 * Answers for the image kexec will run and, while a load is in progress,
 * for the image being loaded too.
 *
 * Context: Any context.
 * Return: true if [@start, @end) overlaps a segment's destination.
 */
bool pkram_in_kexec_segment(phys_addr_t start, phys_addr_t end)
{
	unsigned int i, n, seq;
	bool hit;

	if (!READ_ONCE(pkram_nr_ban))	/* nothing loaded: saving, usually */
		return false;
	do {
		seq = read_seqbegin(&pkram_ban_lock);
		n = READ_ONCE(pkram_nr_ban);
		for (i = 0, hit = false; i < n && !hit; i++)
			hit = start < pkram_ban[i].end &&
			      pkram_ban[i].start < end;
	} while (read_seqretry(&pkram_ban_lock, seq));
	return hit;
}
EXPORT_SYMBOL_GPL(pkram_in_kexec_segment);

/* Copy the banned destinations to @out (PKRAM_MAX_BANS entries). */
unsigned int pkram_kexec_bans(struct pkram_range *out)
{
	unsigned int n, seq;

	do {
		seq = read_seqbegin(&pkram_ban_lock);
		n = READ_ONCE(pkram_nr_ban);
		memcpy(out, pkram_ban, n * sizeof(*out));
	} while (read_seqretry(&pkram_ban_lock, seq));
	return n;
}

static LIST_HEAD(pkram_savers);
/* Taken around registering savers and preparing a handover, outside pkram_mutex. */
static DEFINE_MUTEX(pkram_savers_mutex);
/* A kexec's handover is prepared; the kexec goes on. */
static bool pkram_prepared;

/**
 * pkram_register_saver - save state when the kernel kexecs
 * @saver: the callback, which must stay valid until unregistered
 *
 * For state that only makes sense to save at the last moment (for example
 * memory a driver hands to a hypervisor while it runs): @saver->save() runs
 * in the kexec reboot path, before devices are shut down and before PKRAM
 * writes the handover, in registration order. If the state changes after
 * that, pkram_saver_changed() has the saver run again after devices are
 * shut down. It is not called for a kdump kernel or when kexec is not used.
 *
 * Context: Process context.
 * Return: 0.
 */
int pkram_register_saver(struct pkram_saver *saver)
{
	mutex_lock(&pkram_savers_mutex);
	list_add_tail(&saver->list, &pkram_savers);
	mutex_unlock(&pkram_savers_mutex);
	return 0;
}
EXPORT_SYMBOL_GPL(pkram_register_saver);

/**
 * pkram_unregister_saver - stop calling a saver
 * @saver: a saver registered with pkram_register_saver()
 *
 * Context: Process context.
 */
void pkram_unregister_saver(struct pkram_saver *saver)
{
	mutex_lock(&pkram_savers_mutex);
	list_del(&saver->list);
	mutex_unlock(&pkram_savers_mutex);
}
EXPORT_SYMBOL_GPL(pkram_unregister_saver);

/**
 * pkram_saver_changed - the state a saver saves has changed
 * @saver: a registered saver
 *
 * If a kexec's handover was prepared already, @saver runs again after
 * devices are shut down and the handover is written anew; otherwise this
 * does nothing.
 *
 * Context: Any context.
 */
void pkram_saver_changed(struct pkram_saver *saver)
{
	WRITE_ONCE(saver->changed, true);
}
EXPORT_SYMBOL_GPL(pkram_saver_changed);

/* Let only this task save, as @saver. */
static void pkram_set_saver(const struct pkram_saver *saver)
{
	mutex_lock(&pkram_mutex);
	pkram_finalizing = true;
	pkram_saver_task = saver ? current : NULL;
	pkram_cur_saver = saver;
	mutex_unlock(&pkram_mutex);
}

/*
 * Run the savers and return the error of the first that fails and is not
 * optional; @all false: only those whose state changed, past the point of no
 * return, so go on with the others after a failure.
 */
static int pkram_run_savers(bool all)
{
	struct pkram_saver *saver;
	int err, ret = 0;

	lockdep_assert_held(&pkram_savers_mutex);
	list_for_each_entry(saver, &pkram_savers, list) {
		if (!all && !READ_ONCE(saver->changed))
			continue;
		if (!all)
			pkram_drop_saver_nodes(saver);
		WRITE_ONCE(saver->changed, false);
		pkram_set_saver(saver);
		err = saver->save(saver);
		pkram_set_saver(NULL);
		if (!err)
			continue;
		pkram_drop_saver_nodes(saver);
		if (saver->optional) {
			pr_warn("optional saver %s failed (%d): its state is not preserved\n",
				saver->name, err);
			continue;
		}
		pr_err("saver %s failed (%d)\n", saver->name, err);
		ret = ret ?: err;
		if (all)
			break;
	}
	return ret;
}

static void pkram_reopen(void)
{
	mutex_lock(&pkram_mutex);
	pkram_finalizing = false;
	mutex_unlock(&pkram_mutex);
}

/* Undo pkram_prepare_handover(), or what of it was done. */
static void pkram_cancel_handover(void)
{
	struct pkram_saver *saver;

	lockdep_assert_held(&pkram_savers_mutex);
	pkram_unfinalize();
	pkram_drop_saver_nodes(NULL);
	list_for_each_entry(saver, &pkram_savers, list) {
		WRITE_ONCE(saver->changed, false);
		if (saver->cancel)
			saver->cancel(saver);
	}
	pkram_reopen();
}

/*
 * Run the savers and write the handover; on failure, undo both and reopen.
 * Caller holds pkram_savers_mutex.
 */
static int pkram_prepare_handover(void)
{
	int err;

	lockdep_assert_held(&pkram_savers_mutex);
	pkram_set_saver(NULL);		/* closes saves to all but savers */
	err = pkram_run_savers(true) ?: pkram_finalize();
	if (err)
		pkram_cancel_handover();
	return err;
}

/**
 * pkram_kexec_prepare - prepare the handover while devices still run
 * @image: the image about to be started
 *
 * Called in kernel_kexec() before devices are shut down: runs the savers and
 * writes the whole handover, allocating all it needs. From here on no node
 * is saved, loaded or discarded any more.
 *
 * Return: 0, or a negative errno, in which case the kexec must not go on:
 * the system keeps running, the nodes saved before are still saved, and
 * a later kexec can try again.
 */
int pkram_kexec_prepare(struct kimage *image)
{
	int err;

	if (!image || image->type == KEXEC_TYPE_CRASH)
		return 0;
	mutex_lock(&pkram_savers_mutex);
	err = pkram_prepare_handover();
	pkram_prepared = !err;
	mutex_unlock(&pkram_savers_mutex);
	if (err)
		pr_err("kexec refused: preparing the handover failed (%d); nothing changed, saved nodes stay saved\n",
		       err);
	return err;
}

/**
 * pkram_kexec_finalize - hand preserved memory to the next kernel
 * @image: the image about to be started
 *
 * Called in kernel_kexec() after devices are shut down, past the point of
 * no return, once pkram_kexec_prepare() succeeded. Nothing is left to do
 * unless a saver's state changed since (pkram_saver_changed()): then that
 * saver runs again and the handover is written anew.
 */
void pkram_kexec_finalize(struct kimage *image)
{
	struct pkram_saver *saver;
	bool changed = false;
	int err;

	if (!image || image->type == KEXEC_TYPE_CRASH)
		return;
	mutex_lock(&pkram_savers_mutex);
	list_for_each_entry(saver, &pkram_savers, list)
		changed |= READ_ONCE(saver->changed);
	if (changed) {
		pr_info("saved state changed during shutdown: writing the handover again\n");
		if (pkram_run_savers(false))
			pr_emerg("a saver failed after devices were shut down: its state is not preserved\n");
		err = pkram_finalize();
		if (err)
			pr_emerg("writing the handover again failed (%d): nothing is preserved across this kexec\n",
				 err);
	}
	mutex_unlock(&pkram_savers_mutex);
}

/**
 * pkram_kexec_check - prepare a handover as a kexec would, then undo it
 *
 * For administrators and tests: whether a kexec now would be refused, and
 * why (the log says). Saves are refused with -EBUSY while it runs.
 *
 * Return: 0, the error pkram_kexec_prepare() would return, or -EBUSY if a
 * kexec is under way.
 */
int pkram_kexec_check(void)
{
	int err = -EBUSY;

	mutex_lock(&pkram_savers_mutex);
	if (!pkram_prepared) {
		err = pkram_prepare_handover();
		if (!err)
			pkram_cancel_handover();
	}
	mutex_unlock(&pkram_savers_mutex);
	return err;
}
