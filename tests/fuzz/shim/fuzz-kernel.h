/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-ins for the kernel interfaces mm/pkram/boot.c and
 * mm/pkram/meta.c use, so that the fuzz harness can compile them unchanged.
 * Every linux/... and asm/... header in this directory includes only this
 * file. The fake memory model (early_memremap, phys_to_virt, struct page,
 * memblock) is implemented in tests/fuzz/fuzz-mem.c; see tests/fuzz/README.
 */
#ifndef FUZZ_KERNEL_H
#define FUZZ_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <limits.h>
#include <sys/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;
typedef int32_t s32;
typedef u64 phys_addr_t;
typedef u64 resource_size_t;
typedef unsigned int gfp_t;
typedef unsigned long long cycles_t;
typedef u32 __be32;
typedef u64 __be64;

#define GFP_KERNEL		0u

/* ---- compiler and attributes ---- */
#define __init
#define __initdata		__attribute__((section("fuzz_initdata")))
#define __initconst
#define __aligned(x)		__attribute__((aligned(x)))
#define __always_unused		__attribute__((unused))
#define __maybe_unused		__attribute__((unused))
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)

/* the harness calls fuzz_early_param_<fn> as the command line parser would */
#define early_param(str, fn)	int (*fuzz_early_param_##fn)(char *) = fn
#define core_initcall(fn)	int (*fuzz_initcall_##fn)(void) = fn
#define EXPORT_SYMBOL(x)
#define EXPORT_SYMBOL_GPL(x)

/* ---- arithmetic helpers ---- */
#define BIT(n)			(1UL << (n))
#define BIT_ULL(n)		(1ULL << (n))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define ALIGN(x, a)		(((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a)	(((x) & ((__typeof__(x))(a) - 1)) == 0)
#define round_down(x, y)	((x) & ~((__typeof__(x))((y) - 1)))
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define min(a, b)		((a) < (b) ? (a) : (b))
#define max(a, b)		((a) > (b) ? (a) : (b))
#define min_t(t, a, b)		((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b)		((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define min3(a, b, c)		min(min(a, b), c)
#define ilog2(n)		(63 - __builtin_clzll(n))
#define cond_resched()		do { } while (0)
#define offsetofend(t, m)	(offsetof(t, m) + sizeof(((t *)0)->m))
#define sizeof_field(t, m)	sizeof(((t *)0)->m)
#ifndef static_assert
#define static_assert(e, msg)	_Static_assert(e, msg)
#endif
#define __stringify_1(x)	#x
#define __stringify(x)		__stringify_1(x)
#define SZ_1M			0x00100000
#define SZ_16M			0x01000000
#define SZ_256M			0x10000000
#define NSEC_PER_USEC		1000L
#define U32_MAX			((u32)~0U)
#define U64_MAX			((u64)~0ULL)
#define PFN_PHYS(x)		((phys_addr_t)(x) << PAGE_SHIFT)

static inline unsigned long __ffs64(u64 word)
{
	return __builtin_ctzll(word);
}

static inline u64 div_u64(u64 a, u32 b)
{
	return a / b;
}

static inline u64 mul_u64_u64_div_u64(u64 a, u64 mul, u64 div)
{
	return (unsigned __int128)a * mul / div;
}

/* ---- pages ---- */
#define PAGE_SHIFT		12
#define PAGE_SIZE		(1UL << PAGE_SHIFT)
#define PAGE_MASK		(~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x)		ALIGN(x, PAGE_SIZE)
#define PAGE_ALIGNED(x)		IS_ALIGNED((unsigned long)(x), PAGE_SIZE)
#define PHYS_PFN(x)		((unsigned long)((x) >> PAGE_SHIFT))
#define MAX_PAGE_ORDER		10
#define NUMA_NO_NODE		(-1)
#define MAX_NUMNODES		64

struct list_head {
	struct list_head *next, *prev;
};

/* A struct page * is the fake direct-map address of its page. */
struct page;
struct folio;
struct mutex;

void *fuzz_phys_to_virt(phys_addr_t phys);
phys_addr_t fuzz_virt_to_phys(const void *virt);
struct page *fuzz_pfn_to_page(unsigned long pfn);
bool fuzz_page_reserved(const struct page *page);
void fuzz_free_reserved_page(struct page *page);

#define phys_to_virt(p)		fuzz_phys_to_virt(p)
#define __va(p)			fuzz_phys_to_virt(p)
#define virt_to_phys(v)		fuzz_virt_to_phys(v)
#define __pa(v)			fuzz_virt_to_phys((const void *)(v))
#define virt_to_page(v)		((struct page *)(v))
#define pfn_to_page(pfn)	fuzz_pfn_to_page(pfn)
#define PageReserved(page)	fuzz_page_reserved(page)
#define free_reserved_page(page) fuzz_free_reserved_page(page)

/* early_ioremap: copies of the fake memory, written back on unmap */
void *early_memremap(resource_size_t phys, unsigned long size);
void early_memunmap(void *addr, unsigned long size);

/* ---- allocation: counted, for bench-scale's working memory ---- */
void *fuzz_malloc(size_t size, bool zero);
void fuzz_free(const void *p);

static inline void *kvmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	(void)gfp;
	if (size && n > SIZE_MAX / size)
		return NULL;
	return fuzz_malloc(n * size ?: 1, false);
}

static inline void *kvcalloc(size_t n, size_t size, gfp_t gfp)
{
	(void)gfp;
	if (size && n > SIZE_MAX / size)
		return NULL;
	return fuzz_malloc(n * size ?: 1, true);
}

static inline void kvfree(const void *p)
{
	fuzz_free(p);
}

/* pfnmap.c's, for bench-scale's finalize side */
static inline void *kzalloc(size_t size, gfp_t gfp)
{
	(void)gfp;
	return fuzz_malloc(size ?: 1, true);
}

static inline void kfree(const void *p)
{
	fuzz_free(p);
}

static inline unsigned long get_zeroed_page(gfp_t gfp)
{
	(void)gfp;
	return (unsigned long)fuzz_malloc(PAGE_SIZE, true);
}

static inline void free_page(unsigned long addr)
{
	fuzz_free((const void *)addr);
}

/* ---- memblock ---- */
enum memblock_flags {
	MEMBLOCK_NONE = 0x0,
	MEMBLOCK_HOTPLUG = 0x1,
	MEMBLOCK_MIRROR = 0x2,
	MEMBLOCK_NOMAP = 0x4,
};

struct memblock_region {
	phys_addr_t base;
	phys_addr_t size;
	enum memblock_flags flags;
	int nid;
};

struct memblock_type {
	unsigned long cnt;
	unsigned long max;
	phys_addr_t total_size;
	struct memblock_region *regions;
	char *name;
};

struct memblock {
	bool bottom_up;
	phys_addr_t current_limit;
	struct memblock_type memory;
	struct memblock_type reserved;
};

extern struct memblock memblock;

bool memblock_is_region_memory(phys_addr_t base, phys_addr_t size);
bool memblock_is_region_reserved(phys_addr_t base, phys_addr_t size);
int memblock_reserve(phys_addr_t base, phys_addr_t size);
int memblock_phys_free(phys_addr_t base, phys_addr_t size);

#define MEMBLOCK_ALLOC_ANYWHERE	(~(phys_addr_t)0)
typedef int (*memblock_ranges_fn_t)(void *arg, unsigned long i,
				    struct memblock_region *r,
				    unsigned int max);
int memblock_reserve_sorted(memblock_ranges_fn_t get, void *arg,
			    unsigned long nr, phys_addr_t min_addr,
			    phys_addr_t max_addr);

static inline phys_addr_t memblock_phys_mem_size(void)
{
	return memblock.memory.total_size;
}

static inline phys_addr_t memblock_reserved_size(void)
{
	return memblock.reserved.total_size;
}

/* the pages go to the page allocator as free_reserved_page() gives them */
void memblock_free_late(phys_addr_t base, phys_addr_t size);

static inline int memblock_get_region_node(const struct memblock_region *r)
{
	return r->nid;
}

static inline void memblock_set_region_node(struct memblock_region *r, int nid)
{
	r->nid = nid;
}

/* ---- lib/sort.c ---- */
typedef int (*cmp_func_t)(const void *a, const void *b);

static inline void sort(void *base, size_t num, size_t size, cmp_func_t cmp,
			void *swap)
{
	(void)swap;
	qsort(base, num, size, cmp);
}

/* ---- strings, ctype, crc ---- */
int kstrtou64(const char *s, unsigned int base, u64 *res);
void *memchr_inv(const void *start, int c, size_t bytes);
u32 __crc32c_le(u32 crc, const unsigned char *p, size_t len);

/* the kernel's ctype: Latin-1 letters are letters too */
static inline bool fuzz_isalpha(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= 0xc0 && c != 0xd7 && c != 0xf7);
}
#define isdigit(c)		((unsigned char)(c) - '0' < 10u)
#define isalpha(c)		fuzz_isalpha((unsigned char)(c))
#define isalnum(c)		(isalpha(c) || isdigit(c))

/* ---- the rest of early boot ---- */
static inline bool is_kdump_kernel(void)
{
	return false;
}

/* the fuzzer's runs are the same every time; bench-scale's are timed */
#ifdef FUZZ_SCALE
#include <time.h>

static inline cycles_t get_cycles(void)
{
	return __builtin_ia32_rdtsc();
}

static inline u64 local_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}
#else
static inline cycles_t get_cycles(void)
{
	return 0;
}

static inline u64 local_clock(void)
{
	return 0;
}
#endif

/* ---- printk: the format only, and only with FUZZ_VERBOSE set ---- */
#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif
void fuzz_printk(const char *fmt, ...);
#define pr_err(fmt, ...)	fuzz_printk(pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...)	fuzz_printk(pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...)	fuzz_printk(pr_fmt(fmt), ##__VA_ARGS__)
#define pr_debug(fmt, ...)	fuzz_printk(pr_fmt(fmt), ##__VA_ARGS__)

#endif /* FUZZ_KERNEL_H */
