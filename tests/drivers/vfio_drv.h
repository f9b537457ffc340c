/* Test-driver support: open a VFIO PCI device the way real userspace
 * drivers do, map its BARs, and access them.
 *
 * Every driver source is compiled twice:
 *   - normally: accesses are pointer dereferences into the BAR mapping
 *     (RD32(p) is *(volatile uint32_t *)p, OR32(p, x) is *p |= x, ...);
 *   - with -DEXPLICIT: the same accesses become pread/pwrite of the same
 *     width on the VFIO device fd.  BAR "mappings" are then anonymous
 *     PROT_NONE placeholders: no BAR is mmap'd at all, and a stray
 *     dereference would fault.
 * Run under the simulator, the two builds must produce identical device
 * access logs.
 *
 * Environment read by drv_open():
 *   DRV_BDF   PCI address (default 0000:00:01.0)
 *   DRV_FLOW  group (legacy container/group, default) or cdev (iommufd)
 */
#ifndef VFIO_DRV_H
#define VFIO_DRV_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/vfio.h>

/* ---- what bookworm's 6.1 uAPI headers lack (include/uapi/linux/{vfio,iommufd}.h) */
#ifndef VFIO_DEVICE_BIND_IOMMUFD
struct vfio_device_bind_iommufd {
	__u32 argsz;
	__u32 flags;
	__s32 iommufd;
	__u32 out_devid;
};
#define VFIO_DEVICE_BIND_IOMMUFD _IO(VFIO_TYPE, VFIO_BASE + 18)
#endif
#ifndef VFIO_DEVICE_ATTACH_IOMMUFD_PT
struct vfio_device_attach_iommufd_pt {
	__u32 argsz;
	__u32 flags;
	__u32 pt_id;
};
#define VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 19)
#endif
#ifndef IOMMU_IOAS_ALLOC
#ifndef IOMMUFD_TYPE
#define IOMMUFD_TYPE (';')
#endif
struct iommu_ioas_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_ioas_id;
};
#define IOMMU_IOAS_ALLOC _IO(IOMMUFD_TYPE, 0x81)
#endif

/* ---- the regs model's BAR0 (tests rely on this contract) */
#define REG_ID         0x000
#define REG_VERSION    0x004
#define REG_SCRATCH    0x008
#define REG_SCRATCH64  0x010
#define REG_COUNTER    0x018
#define REG_STATUS     0x01c
#define REG_STATUS_SET 0x020
#define REG_STRICT32   0x024
#define REG_BYTES      0x030
#define REG_DOORBELL(i) (0x100 + 4 * (i))
#define REGS_ID_VALUE  0x4d4d494fu

/* A driver-style overlay of the same map. */
struct regs_map {
	volatile uint32_t id;          /* 0x000 */
	volatile uint32_t version;     /* 0x004 */
	volatile uint32_t scratch;     /* 0x008 */
	volatile uint32_t rsvd_0c;
	volatile uint64_t scratch64;   /* 0x010 */
	volatile uint32_t counter;     /* 0x018 */
	volatile uint32_t status;      /* 0x01c */
	volatile uint32_t status_set;  /* 0x020 */
	volatile uint32_t strict32;    /* 0x024 */
	volatile uint32_t rsvd_28[2];
	volatile uint8_t bytes[16];    /* 0x030 */
	volatile uint32_t rsvd_40[48];
	volatile uint32_t doorbell[64]; /* 0x100 */
};
_Static_assert(offsetof(struct regs_map, scratch64) == REG_SCRATCH64, "map");
_Static_assert(offsetof(struct regs_map, strict32) == REG_STRICT32, "map");
_Static_assert(offsetof(struct regs_map, bytes) == REG_BYTES, "map");
_Static_assert(offsetof(struct regs_map, doorbell) == REG_DOORBELL(0), "map");

#define DRV_MAX_REGIONS 16

struct drv {
	const char *bdf;
	int flow_cdev;
	int container, group, iommufd; /* -1 when unused */
	int devfd;
	struct vfio_device_info info;
	struct vfio_region_info region[DRV_MAX_REGIONS];
	uint32_t region_caps[DRV_MAX_REGIONS]; /* bit n set: cap id n seen (ids < 32) */
};

/* The device of this process (drivers drive one device). */
extern struct drv drv;

/* Print "driver: <msg>" to stderr and exit(3). */
void drv_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Open the device (flow from DRV_FLOW), GET_INFO, region info of every
 * region.  Dies on failure. */
void drv_open(void);

/* GET_REGION_INFO with the argsz retry and a walk of the capability
 * chain.  Returns 0 or -errno. */
int drv_region_info(int devfd, unsigned int index, struct vfio_region_info *out,
		    uint32_t *cap_ids);

/* mmap a BAR like a driver does: mmap(addr, len, prot, MAP_SHARED|flags,
 * devfd, region.offset).  len 0 means the region size.  In the EXPLICIT
 * build an anonymous PROT_NONE placeholder (same addr/len/flags) is mapped
 * and remembered instead.  Dies on failure. */
void *drv_map_bar(unsigned int bar, void *addr, size_t len, int prot, int flags);
void drv_unmap_bar(void *p, size_t len);

/* The permissions of the page holding p, from /proc/self/maps ("rw-s",
 * "---p", ...), or "none". */
const char *drv_page_perms(const void *p);

/* Byte offset of p inside the region of bar, assuming p lies in a window
 * returned by drv_map_bar (used by EXPLICIT accessors). */
void drv_explicit_rd(const volatile void *p, void *buf, size_t n);
void drv_explicit_wr(volatile void *p, const void *buf, size_t n);

/* pread/pwrite a region directly (verification, bypassing any mapping). */
void drv_region_pread(unsigned int bar, uint64_t off, void *buf, size_t n);
void drv_region_pwrite(unsigned int bar, uint64_t off, const void *buf, size_t n);

/* A compiler barrier: stores through a non-volatile BAR pointer (memcpy,
 * vector intrinsics) must reach the device before a later load of the
 * same bytes, which the compiler would otherwise forward from the store. */
#define BARRIER() __asm__ volatile("" : : : "memory")

/* Keep the compiler from knowing a value. */
static inline uint64_t opaque(uint64_t v)
{
	__asm__ volatile("" : "+r"(v));
	return v;
}

/* ---- accessors: one source, two builds */
#ifdef EXPLICIT
static inline uint8_t drv_rd8(const volatile void *p) { uint8_t v; drv_explicit_rd(p, &v, 1); return v; }
static inline uint16_t drv_rd16(const volatile void *p) { uint16_t v; drv_explicit_rd(p, &v, 2); return v; }
static inline uint32_t drv_rd32(const volatile void *p) { uint32_t v; drv_explicit_rd(p, &v, 4); return v; }
static inline uint64_t drv_rd64(const volatile void *p) { uint64_t v; drv_explicit_rd(p, &v, 8); return v; }
static inline void drv_wr8(volatile void *p, uint8_t v) { drv_explicit_wr(p, &v, 1); }
static inline void drv_wr16(volatile void *p, uint16_t v) { drv_explicit_wr(p, &v, 2); }
static inline void drv_wr32(volatile void *p, uint32_t v) { drv_explicit_wr(p, &v, 4); }
static inline void drv_wr64(volatile void *p, uint64_t v) { drv_explicit_wr(p, &v, 8); }
#define RD8(p)      drv_rd8(p)
#define RD16(p)     drv_rd16(p)
#define RD32(p)     drv_rd32(p)
#define RD64(p)     drv_rd64(p)
#define WR8(p, v)   drv_wr8((p), (uint8_t)(v))
#define WR16(p, v)  drv_wr16((p), (uint16_t)(v))
#define WR32(p, v)  drv_wr32((p), (uint32_t)(v))
#define WR64(p, v)  drv_wr64((p), (uint64_t)(v))
#define RD8S(p)     ((int8_t)drv_rd8(p))
#define RD16S(p)    ((int16_t)drv_rd16(p))
#define RD32S(p)    ((int32_t)drv_rd32(p))
/* read-modify-write: width W, operator OP */
#define RMW(W, p, OP, x) drv_wr##W((p), (uint##W##_t)(drv_rd##W(p) OP (x)))
#define NOT(W, p)   drv_wr##W((p), (uint##W##_t)~drv_rd##W(p))
#define NEG(W, p)   drv_wr##W((p), (uint##W##_t)-drv_rd##W(p))
#define INC(W, p)   drv_wr##W((p), (uint##W##_t)(drv_rd##W(p) + 1))
#define DEC(W, p)   drv_wr##W((p), (uint##W##_t)(drv_rd##W(p) - 1))
/* block copies */
#define COPY_TO_BAR(dst, src, n)   drv_explicit_wr((dst), (src), (n))
#define COPY_FROM_BAR(dst, src, n) drv_explicit_rd((src), (dst), (n))
#define FILL_BAR(dst, c, n) do { unsigned char fill_[n]; memset(fill_, (c), (n)); drv_explicit_wr((dst), fill_, (n)); } while (0)
#else
#define RD8(p)      (*(volatile uint8_t *)(p))
#define RD16(p)     (*(volatile uint16_t *)(p))
#define RD32(p)     (*(volatile uint32_t *)(p))
#define RD64(p)     (*(volatile uint64_t *)(p))
#define WR8(p, v)   (*(volatile uint8_t *)(p) = (uint8_t)(v))
#define WR16(p, v)  (*(volatile uint16_t *)(p) = (uint16_t)(v))
#define WR32(p, v)  (*(volatile uint32_t *)(p) = (uint32_t)(v))
#define WR64(p, v)  (*(volatile uint64_t *)(p) = (uint64_t)(v))
#define RD8S(p)     (*(volatile int8_t *)(p))
#define RD16S(p)    (*(volatile int16_t *)(p))
#define RD32S(p)    (*(volatile int32_t *)(p))
#define RMW(W, p, OP, x) (*(volatile uint##W##_t *)(p) OP##= (x))
#define NOT(W, p)   (*(volatile uint##W##_t *)(p) = ~*(volatile uint##W##_t *)(p))
#define NEG(W, p)   (*(volatile uint##W##_t *)(p) = -*(volatile uint##W##_t *)(p))
#define INC(W, p)   (++*(volatile uint##W##_t *)(p))
#define DEC(W, p)   (--*(volatile uint##W##_t *)(p))
#define COPY_TO_BAR(dst, src, n)   memcpy((void *)(dst), (src), (n))
#define COPY_FROM_BAR(dst, src, n) memcpy((dst), (const void *)(src), (n))
#define FILL_BAR(dst, c, n)        memset((void *)(dst), (c), (n))
#endif

#endif
