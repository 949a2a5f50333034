// SPDX-License-Identifier: GPL-2.0
/*
 * Fake kernel services for the fuzz harness: physical memory, early
 * mappings, the direct map, struct page, memblock, kstrtou64, crc32c and
 * printk, with the checks that make a misbehaving parser abort().
 *
 * Physical memory is one anonymous mapping (MAP_NORESERVE) of FUZZ_PHYS_MAX
 * bytes at fuzz.base, physical address 0: RAM the input does not give reads
 * as zero. Every way boot.c reaches memory (early_memremap, phys_to_virt,
 * __va, pfn_to_page) checks that the address is RAM first.
 */
#include <stdarg.h>
#include <stdio.h>
#include <sys/mman.h>
#include <linux/bitmap.h>

#include "fuzz.h"

struct fuzz_state fuzz;
struct memblock memblock;
static struct memblock_region mem_regions[FUZZ_MAX_RAM];
static struct memblock_region rsv_regions[FUZZ_INIT_REGIONS];

/* FIX_BTMAPS_SLOTS: early mappings that can exist at the same time */
#define EARLY_SLOTS	8
static struct {
	void *copy;
	u64 phys;
	unsigned long size;
} early[EARLY_SLOTS];

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pkram-fuzz: INVARIANT VIOLATED: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void (*fuzz_printk_hook)(const char *msg);

void fuzz_printk(const char *fmt, ...)
{
	static int verbose = -1;
	char f[512], msg[1024], *p;
	va_list ap;

	if (verbose < 0)
		verbose = getenv("FUZZ_VERBOSE") ? atoi(getenv("FUZZ_VERBOSE")) : 0;
	if (verbose == 1)
		fprintf(stderr, "printk: %s", fmt);	/* the format only */
	if (verbose < 2 && !fuzz_printk_hook)
		return;
	/* boot.c's formats are printf's but for %pa (a phys_addr_t *) */
	snprintf(f, sizeof(f), "%s", fmt);
	for (p = f; (p = strstr(p, "%pa")); )
		memcpy(p, "%p ", 3);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), f, ap);
	va_end(ap);
	if (verbose > 1)
		fprintf(stderr, "printk: %s", msg);
	if (fuzz_printk_hook)
		fuzz_printk_hook(msg);
}

/* ---- range sets ---- */

void fuzz_set_clear(struct fuzz_set *s)
{
	s->n = 0;
}

/* index of the first range that ends at or after @start */
static size_t set_find(const struct fuzz_set *s, u64 start)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->r[mid][1] < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void fuzz_set_add(struct fuzz_set *s, u64 start, u64 end)
{
	size_t i, j;

	if (start >= end)
		return;
	i = set_find(s, start);		/* first that ends >= start */
	for (j = i; j < s->n && s->r[j][0] <= end; j++) {
		start = min(start, s->r[j][0]);
		end = max(end, s->r[j][1]);
	}
	/* ranges i..j-1 merge into [start, end) */
	if (i == j) {
		if (s->n == s->cap) {
			s->cap = s->cap ? 2 * s->cap : 64;
			s->r = realloc(s->r, s->cap * sizeof(*s->r));
			if (!s->r)
				abort();
		}
		memmove(&s->r[i + 1], &s->r[i], (s->n - i) * sizeof(*s->r));
		s->n++;
	} else {
		memmove(&s->r[i + 1], &s->r[j], (s->n - j) * sizeof(*s->r));
		s->n -= j - i - 1;
	}
	s->r[i][0] = start;
	s->r[i][1] = end;
}

void fuzz_set_sub(struct fuzz_set *s, u64 start, u64 end)
{
	size_t i;

	if (start >= end)
		return;
	for (i = set_find(s, start + 1); i < s->n && s->r[i][0] < end;) {
		u64 a = s->r[i][0], b = s->r[i][1];

		if (a < start && b > end) {	/* split */
			s->r[i][1] = start;
			fuzz_set_add(s, end, b);
			return;
		}
		if (a < start) {
			s->r[i++][1] = start;
		} else if (b > end) {
			s->r[i][0] = end;
			return;
		} else {
			memmove(&s->r[i], &s->r[i + 1],
				(s->n - i - 1) * sizeof(*s->r));
			s->n--;
		}
	}
}

bool fuzz_set_contains(const struct fuzz_set *s, u64 start, u64 end)
{
	size_t i = set_find(s, start + 1);

	return i < s->n && s->r[i][0] <= start && end <= s->r[i][1];
}

bool fuzz_set_overlaps(const struct fuzz_set *s, u64 start, u64 end)
{
	size_t i = set_find(s, start + 1);

	return start < end && i < s->n && s->r[i][0] < end;
}

/* ---- physical memory ---- */

static u64 memblock_sum(const struct memblock_type *t)
{
	u64 sum = 0;
	unsigned long i;

	for (i = 0; i < t->cnt; i++)
		sum += t->regions[i].size;
	return sum;
}

static void set_to_type(const struct fuzz_set *s, struct memblock_type *t)
{
	size_t i;

	for (i = 0; i < s->n && i < t->max; i++) {
		t->regions[i].base = s->r[i][0];
		t->regions[i].size = s->r[i][1] - s->r[i][0];
		t->regions[i].flags = MEMBLOCK_NONE;
		t->regions[i].nid = MAX_NUMNODES;
	}
	t->cnt = i;
	t->total_size = memblock_sum(t);
}

/* memory made on first touch, reading as zero: never RAM, only room */
static void *map_zeroes(size_t len, const char *what)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED) {
		fprintf(stderr, "pkram-fuzz: mmap of %s: %m\n", what);
		abort();
	}
	return p;
}

/* a bit per page of fake physical memory */
#define FREED_BYTES	(FUZZ_PHYS_MAX / PAGE_SIZE / 8)

void fuzz_mem_setup(const struct fuzz_set *ram, const struct fuzz_set *rsv)
{
	if (!fuzz.base) {
		/* once: all of fake physical memory, pages made on first touch */
		fuzz.base = map_zeroes(FUZZ_PHYS_MAX, "fake physical memory");
		fuzz.freed = map_zeroes(FREED_BYTES, "the freed-page bitmap");
	}
	fuzz.span = ram->n ? PAGE_ALIGN(ram->r[ram->n - 1][1]) : PAGE_SIZE;
	memblock.memory = (struct memblock_type){
		.max = FUZZ_MAX_RAM, .regions = mem_regions, .name = "memory",
	};
	memblock.reserved = (struct memblock_type){
		.max = FUZZ_INIT_REGIONS, .regions = rsv_regions,
		.name = "reserved",
	};
	set_to_type(ram, &memblock.memory);
	set_to_type(rsv, &memblock.reserved);
	fuzz.nr_freed = 0;
	fuzz.maps = 0;
	fuzz.phase = FUZZ_EARLY;
}

/* Back to all zeroes for the next run. */
void fuzz_mem_teardown(void)
{
	int i;

	for (i = 0; i < EARLY_SLOTS; i++) {
		free(early[i].copy);
		early[i].copy = NULL;
	}
	if (fuzz.span > FUZZ_PHYS_MAX ||
	    madvise(fuzz.base, fuzz.span, MADV_DONTNEED) ||
	    madvise(fuzz.freed, PAGE_ALIGN(fuzz.span / PAGE_SIZE / 8 + 1),
		    MADV_DONTNEED))
		abort();
}

bool fuzz_page_freed(u64 phys)
{
	return phys < FUZZ_PHYS_MAX &&
	       find_next_bit(fuzz.freed, PHYS_PFN(phys) + 1, PHYS_PFN(phys)) ==
	       PHYS_PFN(phys);
}

/* The first freed page in [@start, @end), or @end. */
u64 fuzz_next_freed(u64 start, u64 end)
{
	end = min(end, FUZZ_PHYS_MAX);
	if (start >= end)
		return end;
	return min(PFN_PHYS(find_next_bit(fuzz.freed, PHYS_PFN(end - 1) + 1,
					  PHYS_PFN(start))), end);
}

/* Is [@start, @end) inside one reserved region? (they are sorted) */
static bool in_reserved(u64 start, u64 end)
{
	const struct memblock_type *t = &memblock.reserved;
	unsigned long lo = 0, hi = t->cnt;

	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;

		if (t->regions[mid].base + t->regions[mid].size <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->cnt && t->regions[lo].base <= start &&
	       end <= t->regions[lo].base + t->regions[lo].size;
}

/*
 * The direct map. Early, only reserved memory is used this way (the new
 * memblock array); at the initcall, only preserved memory: anything else
 * may have been allocated and overwritten by then.
 */
void *fuzz_phys_to_virt(phys_addr_t phys)
{
	u64 page = round_down(phys, PAGE_SIZE);

	if (phys >= fuzz.span || !fuzz_set_contains(&fuzz.ram, page, page + PAGE_SIZE))
		fuzz_fail("phys_to_virt(%#llx): not RAM", (unsigned long long)phys);
	if (fuzz.phase == FUZZ_OLD)
		return fuzz.base + phys;
	if (fuzz.phase == FUZZ_EARLY ? !in_reserved(page, page + PAGE_SIZE) :
	    !fuzz_set_contains(&fuzz.preserved, page, page + PAGE_SIZE))
		fuzz_fail("phys_to_virt(%#llx): memory that is not %s",
			  (unsigned long long)phys,
			  fuzz.phase == FUZZ_EARLY ? "reserved" : "preserved");
	if (fuzz_page_freed(page))
		fuzz_fail("phys_to_virt(%#llx): page already freed",
			  (unsigned long long)phys);
	return fuzz.base + phys;
}

phys_addr_t fuzz_virt_to_phys(const void *virt)
{
	const u8 *p = virt;

	if (p < fuzz.base || p >= fuzz.base + fuzz.span)
		fuzz_fail("virt_to_phys(%p): not in the direct map", virt);
	return p - fuzz.base;
}

struct page *fuzz_pfn_to_page(unsigned long pfn)
{
	u64 phys = (u64)pfn << PAGE_SHIFT;

	if (phys >= fuzz.span || !fuzz_set_contains(&fuzz.ram, phys, phys + PAGE_SIZE))
		fuzz_fail("pfn_to_page(%#lx): not RAM", pfn);
	return (struct page *)(fuzz.base + phys);
}

bool fuzz_page_reserved(const struct page *page)
{
	u64 phys = fuzz_virt_to_phys(page);

	return in_reserved(phys, phys + PAGE_SIZE) && !fuzz_page_freed(phys);
}

/*
 * The page allocator gets [@phys, @phys + @size): preserved pages never
 * given back before. The fuzzer fills them as a new owner would at once;
 * bench-scale (FUZZ_SCALE) leaves them alone, as they are most of memory.
 */
void fuzz_free_pages(u64 phys, u64 size)
{
	u64 f;

	if (!PAGE_ALIGNED(phys) || !PAGE_ALIGNED(size) || !size ||
	    !fuzz_set_contains(&fuzz.preserved, phys, phys + size))
		fuzz_fail("free_reserved_page(%#llx+%#llx): not preserved pages",
			  (unsigned long long)phys, (unsigned long long)size);
	f = fuzz_next_freed(phys, phys + size);
	if (f < phys + size)
		fuzz_fail("free_reserved_page(%#llx): freed twice",
			  (unsigned long long)f);
	bitmap_set(fuzz.freed, PHYS_PFN(phys), PHYS_PFN(size));
	fuzz.nr_freed += PHYS_PFN(size);
#ifndef FUZZ_SCALE
	memset(fuzz.base + phys, 0x6b, size);
#endif
}

void fuzz_free_reserved_page(struct page *page)
{
	fuzz_free_pages(fuzz_virt_to_phys(page), PAGE_SIZE);
}

/* memblock_free_late(): pages of RAM the page allocator has as reserved */
void memblock_free_late(phys_addr_t base, phys_addr_t size)
{
	if (base + size < base || base + size > fuzz.span ||
	    !fuzz_set_contains(&fuzz.ram, base, base + size))
		fuzz_fail("memblock_free_late(%#llx+%#llx): not RAM",
			  (unsigned long long)base, (unsigned long long)size);
	fuzz_free_pages(base, size);
}

void *early_memremap(resource_size_t phys, unsigned long size)
{
	int i;

	if (!size || phys + size < phys || phys + size > fuzz.span ||
	    !fuzz_set_contains(&fuzz.ram, phys, phys + size))
		fuzz_fail("early_memremap(%#llx, %lu): not RAM",
			  (unsigned long long)phys, size);
	for (i = 0; i < EARLY_SLOTS && early[i].copy; i++)
		;
	if (i == EARLY_SLOTS)
		fuzz_fail("early_memremap: more than %d mappings (a leak?)",
			  EARLY_SLOTS);
	early[i].copy = malloc(size);	/* ASan sees any access beyond */
	if (!early[i].copy)
		abort();
	memcpy(early[i].copy, fuzz.base + phys, size);
	early[i].phys = phys;
	early[i].size = size;
	fuzz.maps++;
	return early[i].copy;
}

void early_memunmap(void *addr, unsigned long size)
{
	int i;

	for (i = 0; i < EARLY_SLOTS && early[i].copy != addr; i++)
		;
	if (!addr || i == EARLY_SLOTS || early[i].size != size)
		fuzz_fail("early_memunmap(%p, %lu): not mapped so", addr, size);
	memcpy(fuzz.base + early[i].phys, addr, size);
	free(addr);
	early[i].copy = NULL;
	fuzz.maps--;
}

/* ---- memblock, with memblock's own semantics for what boot.c uses ---- */

static phys_addr_t cap_size(phys_addr_t base, phys_addr_t *size)
{
	return *size = min(*size, ULLONG_MAX - base);
}

bool memblock_is_region_memory(phys_addr_t base, phys_addr_t size)
{
	const struct memblock_type *t = &memblock.memory;
	phys_addr_t end = base + cap_size(base, &size);
	unsigned long i;

	for (i = 0; i < t->cnt; i++)
		if (t->regions[i].base <= base &&
		    base < t->regions[i].base + t->regions[i].size)
			return t->regions[i].base + t->regions[i].size >= end;
	return false;
}

bool memblock_is_region_reserved(phys_addr_t base, phys_addr_t size)
{
	const struct memblock_type *t = &memblock.reserved;
	unsigned long i;

	cap_size(base, &size);
	for (i = 0; i < t->cnt; i++)
		if (base < t->regions[i].base + t->regions[i].size &&
		    t->regions[i].base < base + size)
			return true;
	return false;
}

static struct fuzz_set scratch;

static void type_to_set(const struct memblock_type *t, struct fuzz_set *s)
{
	unsigned long i;

	fuzz_set_clear(s);
	for (i = 0; i < t->cnt; i++)
		fuzz_set_add(s, t->regions[i].base,
			     t->regions[i].base + t->regions[i].size);
}

/*
 * Every region this harness creates has MEMBLOCK_NONE and MAX_NUMNODES, so
 * memblock's merging is the union of the sets. Like memblock before it may
 * resize its arrays, a reservation that does not fit fails.
 */
int memblock_reserve(phys_addr_t base, phys_addr_t size)
{
	struct memblock_type *t = &memblock.reserved;

	cap_size(base, &size);
	type_to_set(t, &scratch);
	fuzz_set_add(&scratch, base, base + size);
	if (scratch.n > t->max)
		return -ENOMEM;
	set_to_type(&scratch, t);
	return 0;
}

int memblock_phys_free(phys_addr_t base, phys_addr_t size)
{
	struct memblock_type *t = &memblock.reserved;

	cap_size(base, &size);
	type_to_set(t, &scratch);
	fuzz_set_sub(&scratch, base, base + size);
	if (scratch.n > t->max)
		return -ENOMEM;
	set_to_type(&scratch, t);
	return 0;
}

/*
 * mm/memblock.c's memblock_reserve_sorted(), with the same contract: the
 * ranges are read in two passes, each from range 0, up to 16 at a call as
 * memblock asks, and must be the same in both (else the harness fails:
 * boot.c streams them); they are checked (non-empty, no wrap, sorted and
 * disjoint: -EINVAL, as is a call that stores none or too many) and merged
 * with the reserved regions into a new array placed top-down in free
 * memory in [@min_addr, @max_addr) that no range touches (-ENOMEM if none
 * fits), sized as memblock sizes it. The array lives in fake physical
 * memory and reserves itself; on any failure memblock.reserved is
 * unchanged.
 */
static struct fuzz_set sorted_ranges;
static u64 (*sorted_r)[2];
static size_t sorted_cap;

int memblock_reserve_sorted(memblock_ranges_fn_t get, void *arg,
			    unsigned long nr, phys_addr_t min_addr,
			    phys_addr_t max_addr)
{
	struct memblock_type *t = &memblock.reserved;
	struct memblock_region *old = t->regions, buf[16];
	unsigned long i, j, max = 0, old_max = t->max;
	struct fuzz_set free_mem = { };
	phys_addr_t addr = 0, alloc_size = 0;
	int pass, n;
	size_t k;

	if (!nr)
		return 0;
	if (nr > ULONG_MAX / 2 / sizeof(*old))
		return -ENOMEM;
	fuzz_set_clear(&sorted_ranges);
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < nr; i += n) {
			unsigned int ask = min(nr - i, ARRAY_SIZE(buf));

			n = get(arg, i, buf, ask);
			if (n < 0)
				return n;
			if (!n || n > ask)
				return -EINVAL;
			for (j = 0; j < (unsigned long)n; j++) {
				u64 base = buf[j].base, end = base + buf[j].size;

				if (pass) {
					if (base != sorted_r[i + j][0] ||
					    end != sorted_r[i + j][1])
						fuzz_fail("memblock_reserve_sorted: range %lu differs between passes",
							  i + j);
					continue;
				}
				if (end <= base ||
				    (i + j && base < sorted_r[i + j - 1][1]))
					return -EINVAL;
				/* nr comes from the input: grow as ranges come */
				if (i + j == sorted_cap) {
					sorted_cap = sorted_cap ? 2 * sorted_cap : 1024;
					sorted_r = realloc(sorted_r, sorted_cap *
							   sizeof(*sorted_r));
					if (!sorted_r)
						abort();
				}
				sorted_r[i + j][0] = base;
				sorted_r[i + j][1] = end;
				fuzz_set_add(&sorted_ranges, base, end);
			}
		}
		if (pass)
			break;

		max = nr + 2 * t->cnt + FUZZ_INIT_REGIONS;
		alloc_size = PAGE_ALIGN(max * sizeof(*old));
		max = alloc_size / sizeof(*old);
		min_addr = max_t(phys_addr_t, min_addr, PAGE_SIZE);
		type_to_set(&memblock.memory, &free_mem);
		for (i = 0; i < t->cnt; i++)
			fuzz_set_sub(&free_mem, t->regions[i].base,
				     t->regions[i].base + t->regions[i].size);
		for (k = 0; k < sorted_ranges.n; k++)
			fuzz_set_sub(&free_mem, sorted_ranges.r[k][0],
				     sorted_ranges.r[k][1]);
		for (k = free_mem.n; k-- > 0 && !addr;) {
			u64 a = max(free_mem.r[k][0], min_addr);
			u64 b = min(free_mem.r[k][1], max_addr);

			if (b > a && b - a >= alloc_size &&
			    round_down(b - alloc_size, PAGE_SIZE) >= a)
				addr = round_down(b - alloc_size, PAGE_SIZE);
		}
		free(free_mem.r);
		if (!addr)
			return -ENOMEM;
	}

	/* the merge: every region here is MEMBLOCK_NONE, MAX_NUMNODES */
	type_to_set(t, &scratch);
	for (k = 0; k < sorted_ranges.n; k++)
		fuzz_set_add(&scratch, sorted_ranges.r[k][0],
			     sorted_ranges.r[k][1]);
	t->regions = (struct memblock_region *)(fuzz.base + addr);
	t->max = max;
	set_to_type(&scratch, t);
	if (scratch.n > t->cnt)
		fuzz_fail("memblock_reserve_sorted: array of %lu too small", max);
	if (memblock_reserve(addr, alloc_size))
		fuzz_fail("memblock_reserve_sorted: no room for the array itself");
	if (old != rsv_regions &&
	    memblock_phys_free(fuzz_virt_to_phys(old),
			       PAGE_ALIGN(old_max * sizeof(*old))))
		fuzz_fail("memblock_reserve_sorted: no room to free the old array");
	return 0;
}

/* ---- the heap, counted ---- */

#include <malloc.h>

u64 fuzz_heap, fuzz_heap_peak;

void *fuzz_malloc(size_t size, bool zero)
{
	void *p = zero ? calloc(1, size) : malloc(size);

	if (p) {
		fuzz_heap += malloc_usable_size(p);
		fuzz_heap_peak = max(fuzz_heap_peak, fuzz_heap);
	}
	return p;
}

void fuzz_free(const void *p)
{
	fuzz_heap -= malloc_usable_size((void *)p);
	free((void *)p);
}

/* ---- lib/ ---- */

static unsigned int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return 16;
}

/* lib/kstrtox.c: kstrtoull() */
int kstrtou64(const char *s, unsigned int base, u64 *res)
{
	u64 v = 0;
	unsigned int rv = 0;
	bool overflow = false;

	if (s[0] == '+')
		s++;
	if (base == 0) {
		if (s[0] == '0') {
			base = ((s[1] | 0x20) == 'x' && hexval(s[2]) < 16) ? 16 : 8;
		} else {
			base = 10;
		}
	}
	if (base == 16 && s[0] == '0' && (s[1] | 0x20) == 'x')
		s += 2;
	for (;; rv++) {
		unsigned int d = hexval(s[rv]);

		if (d >= base)
			break;
		if ((v & (~0ULL << 60)) && v > (ULLONG_MAX - d) / base)
			overflow = true;
		v = v * base + d;
	}
	if (overflow)
		return -ERANGE;
	if (!rv)
		return -EINVAL;
	s += rv;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	*res = v;
	return 0;
}

void *memchr_inv(const void *start, int c, size_t bytes)
{
	const u8 *p = start;

	for (; bytes; p++, bytes--)
		if (*p != (u8)c)
			return (void *)p;
	return NULL;
}

/* crc32c (Castagnoli), reflected, no final inversion: lib/crc32.c */
static u32 crc32c_table[256];

__attribute__((target("sse4.2")))
static u32 crc32c_hw(u32 crc, const unsigned char *p, size_t len)
{
	for (; len >= 8; p += 8, len -= 8) {
		u64 w;

		memcpy(&w, p, 8);
		crc = (u32)__builtin_ia32_crc32di(crc, w);
	}
	for (; len; len--)
		crc = __builtin_ia32_crc32qi(crc, *p++);
	return crc;
}

u32 __crc32c_le(u32 crc, const unsigned char *p, size_t len)
{
	static int hw = -1;

	if (hw < 0) {
		u32 i, j, c;

		for (i = 0; i < 256; i++) {
			for (c = i, j = 0; j < 8; j++)
				c = (c >> 1) ^ (c & 1 ? 0x82f63b78 : 0);
			crc32c_table[i] = c;
		}
		hw = __builtin_cpu_supports("sse4.2");
	}
	if (hw)
		return crc32c_hw(crc, p, len);
	while (len--)
		crc = (crc >> 8) ^ crc32c_table[(crc ^ *p++) & 0xff];
	return crc;
}
