/* The mio backend (src/backend/mio.c) with the PCI MIO
 * instructions stubbed (-DMIO_STUB): QEMU has no MIO, so this is how its
 * condition-code handling and the way it cuts accesses are tested, on any
 * host. The stubs record every instruction and play a 8 KiB device.
 * Exit 0 or 1, one line per failure. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "backends.h"
#include "err.h"

static int failures, checks;

#define CHECK(cond, ...) do { \
	checks++; \
	if (!(cond)) { \
		failures++; \
		printf("FAIL %s:%d: ", __FILE__, __LINE__); \
		printf(__VA_ARGS__); \
		printf("\n"); \
	} \
} while (0)

/* ---- the stubs ---- */

#define DEV_BASE ((uint64_t)0x7f0000000000)	/* the "real mapping": page aligned */
#define DEV_SIZE 8192
#define MAX_CALLS 256

enum { PCILGI, PCISTGI, PCISTBI };
struct call {
	int insn;
	uint64_t addr;
	size_t len;
	uint64_t val;		/* pcistgi: the register; pcilgi: what it returned */
};
static struct call calls[MAX_CALLS];
static unsigned ncalls;
static uint8_t dev[DEV_SIZE];	/* device memory, in address order */
static unsigned fail_at;	/* the instruction (1, 2, ...) that sets fail_cc */
static int fail_cc;
static int have_mio = 1;

bool s390x_have_mio(void)
{
	return have_mio;
}

static int record(int insn, uint64_t addr, size_t len, uint64_t val)
{
	if (ncalls < MAX_CALLS)
		calls[ncalls] = (struct call){ insn, addr, len, val };
	ncalls++;
	return ncalls == fail_at ? fail_cc : 0;
}

static int will_fail(void)
{
	return ncalls + 1 == fail_at;
}

/* make the n-th instruction from now end with condition code cc */
static void fail_nth(unsigned n, int cc)
{
	fail_at = ncalls + n;
	fail_cc = cc;
}

static uint8_t *dev_at(uint64_t addr, size_t len)
{
	if (addr < DEV_BASE || addr + len > DEV_BASE + DEV_SIZE)
		return NULL;
	return dev + (addr - DEV_BASE);
}

int pcilgi(uint64_t addr, size_t len, uint64_t *val)
{
	uint8_t *p = dev_at(addr, len);
	uint64_t v = 0;

	if (will_fail()) {
		*val = 0xdeadbeefdeadbeefull;	/* what a failed load leaves: never data */
		return record(PCILGI, addr, len, *val);
	}
	for (size_t i = 0; p && i < len; i++)	/* right-aligned, big-endian */
		v = v << 8 | p[i];
	*val = v;
	return record(PCILGI, addr, len, v);
}

int pcistgi(uint64_t addr, size_t len, uint64_t val)
{
	uint8_t *p = dev_at(addr, len);

	if (!will_fail())
		for (size_t i = 0; p && i < len; i++)
			p[i] = (uint8_t)(val >> (8 * (len - 1 - i)));
	return record(PCISTGI, addr, len, val);
}

int pcistbi(uint64_t addr, size_t len, const void *src)
{
	uint8_t *p = dev_at(addr, len);

	if (!will_fail() && p)
		memcpy(p, src, len);
	return record(PCISTBI, addr, len, 0);
}

/* ---- helpers ---- */

static struct bar_io region(void)
{
	struct bar_io r;
	memset(&r, 0, sizeof r);
	r.real = (void *)(uintptr_t)DEV_BASE;
	return r;
}

static void reset(void)
{
	ncalls = 0;
	fail_at = 0;
	for (unsigned i = 0; i < DEV_SIZE; i++)
		dev[i] = (uint8_t)(i * 7 + 3);
}

static const char *name(int insn)
{
	return insn == PCILGI ? "pcilgi" : insn == PCISTGI ? "pcistgi" : "pcistbi";
}

/* Every recorded instruction is a legal one: pcilgi/pcistgi 1, 2, 4 or 8
 * bytes naturally aligned; pcistbi 8-byte aligned, at most 128 bytes,
 * within one 4 KiB page; together they cover [off, off+len) in order. */
static int pieces_legal(const char *what, uint64_t off, size_t len)
{
	uint64_t at = DEV_BASE + off;
	int good = 1;

	for (unsigned i = 0; i < ncalls && i < MAX_CALLS; i++) {
		const struct call *c = &calls[i];
		if (c->insn == PCISTBI) {
			good &= c->len >= 8 && c->len <= 128 && !(c->addr & 7) && !(c->len & 7) &&
				(c->addr >> 12) == ((c->addr + c->len - 1) >> 12);
		} else {
			good &= (c->len == 1 || c->len == 2 || c->len == 4 || c->len == 8) && !(c->addr & (c->len - 1));
		}
		good &= c->addr == at;
		at += c->len;
		if (!good) {
			CHECK(0, "%s off 0x%" PRIx64 " len %zu: piece %u is %s 0x%" PRIx64 " len %zu", what, off, len,
			      i, name(c->insn), c->addr - DEV_BASE, c->len);
			return 0;
		}
	}
	CHECK(at == DEV_BASE + off + len, "%s off 0x%" PRIx64 " len %zu: pieces cover up to 0x%" PRIx64, what, off,
	      len, at - DEV_BASE);
	return at == DEV_BASE + off + len;
}

/* ---- the tests ---- */

static void loads(void)
{
	const struct backend *be = &backend_mio;
	struct bar_io r = region();
	static const unsigned widths[] = { 1, 2, 4, 8 };

	for (unsigned k = 0; k < 4; k++) {
		unsigned w = widths[k];
		uint64_t off = 0x40 + w * 8;
		uint8_t buf[8];

		/* condition code 0: the bytes, big-endian from the right-aligned value */
		reset();
		memset(buf, 0xaa, sizeof buf);
		int err = be->read(&r, off, w, buf);
		CHECK(err == 0, "load %u: err %d", w, err);
		CHECK(ncalls == 1 && calls[0].insn == PCILGI && calls[0].addr == DEV_BASE + off && calls[0].len == w,
		      "load %u: want one pcilgi of %u bytes at 0x%" PRIx64 ", got %u calls", w, w, off, ncalls);
		int same = 1;
		for (unsigned i = 0; i < w; i++)
			same &= buf[i] == (uint8_t)(calls[0].val >> (8 * (w - 1 - i)));
		CHECK(same && !memcmp(buf, dev + off, w), "load %u: bytes are not the big-endian value", w);
		for (unsigned i = w; i < sizeof buf; i++)
			CHECK(buf[i] == 0xaa, "load %u: byte %u past the access written", w, i);

		/* condition code 1, 2, 3: a device error, the buffer untouched */
		for (int cc = 1; cc <= 3; cc++) {
			reset();
			memset(buf, 0xaa, sizeof buf);
			fail_nth(1, cc);
			err = be->read(&r, off, w, buf);
			CHECK(err == MMIO_E_DEVICE, "load %u cc %d: err %d, want MMIO_E_DEVICE", w, cc, err);
			int untouched = 1;
			for (unsigned i = 0; i < sizeof buf; i++)
				untouched &= buf[i] == 0xaa;
			CHECK(untouched, "load %u cc %d: the buffer was written", w, cc);
			CHECK(ncalls == 1, "load %u cc %d: %u instructions after the error", w, cc, ncalls);
		}
	}

	/* longer and unaligned reads: naturally aligned pcilgi pieces, right bytes */
	for (uint64_t off = 0; off < 24; off++)
		for (size_t len = 1; len <= 40; len++) {
			uint8_t buf[48];
			reset();
			memset(buf, 0xaa, sizeof buf);
			int err = be->read(&r, off, len, buf);
			CHECK(err == 0, "read off %" PRIu64 " len %zu: err %d", off, len, err);
			if (!pieces_legal("read", off, len))
				return;
			for (unsigned i = 0; i < ncalls; i++)
				CHECK(calls[i].insn == PCILGI, "read off %" PRIu64 " len %zu: %s", off, len, name(calls[i].insn));
			CHECK(!memcmp(buf, dev + off, len) && buf[len] == 0xaa, "read off %" PRIu64 " len %zu: bytes",
			      off, len);
		}

	/* an error in a later piece of a longer read: MMIO_E_DEVICE, and the
	 * failed piece's bytes are not invented */
	uint8_t buf[16];
	reset();
	memset(buf, 0xaa, sizeof buf);
	fail_nth(2, 3);		/* 0x101 len 12: 1 @0x101, then 2 @0x102 fails */
	int err = be->read(&r, 0x101, 12, buf);
	CHECK(err == MMIO_E_DEVICE && ncalls == 2 && calls[1].len == 2 && buf[1] == 0xaa && buf[2] == 0xaa &&
	      buf[3] == 0xaa, "a failed second piece: err %d, %u calls, bytes %02x %02x", err, ncalls, buf[1], buf[2]);
}

static void stores(void)
{
	const struct backend *be = &backend_mio;
	struct bar_io r = region();
	static const unsigned widths[] = { 1, 2, 4, 8 };
	static const uint8_t src[8] = { 0x81, 0x42, 0x23, 0x14, 0x95, 0x66, 0x37, 0xf8 };

	for (unsigned k = 0; k < 4; k++) {
		unsigned w = widths[k];
		uint64_t off = 0x80 + w * 8;
		uint64_t want = 0;
		for (unsigned i = 0; i < w; i++)
			want = want << 8 | src[i];

		reset();
		int err = be->write(&r, off, w, src);
		CHECK(err == 0, "store %u: err %d", w, err);
		CHECK(ncalls == 1 && calls[0].insn == PCISTGI && calls[0].addr == DEV_BASE + off &&
		      calls[0].len == w && calls[0].val == want,
		      "store %u: want one pcistgi len %u value 0x%" PRIx64 ", got %u calls, first %s len %zu value 0x%" PRIx64,
		      w, w, want, ncalls, name(calls[0].insn), calls[0].len, calls[0].val);
		CHECK(!memcmp(dev + off, src, w), "store %u: device bytes", w);

		for (int cc = 1; cc <= 3; cc++) {
			reset();
			fail_nth(1, cc);
			err = be->write(&r, off, w, src);
			CHECK(err == MMIO_E_DEVICE && ncalls == 1, "store %u cc %d: err %d, %u calls", w, cc, err, ncalls);
		}
	}
}

static void blocks(void)
{
	const struct backend *be = &backend_mio;
	struct bar_io r = region();
	uint8_t src[512];

	for (unsigned i = 0; i < sizeof src; i++)
		src[i] = (uint8_t)(i * 13 + 1);

	/* aligned blocks of 16..128 bytes within a page: one pcistbi */
	for (size_t len = 16; len <= 128; len += 8)
		for (uint64_t off = 0x200; off <= 0x240; off += 8) {
			reset();
			int err = be->write(&r, off, len, src);
			CHECK(err == 0 && ncalls == 1 && calls[0].insn == PCISTBI && calls[0].addr == DEV_BASE + off &&
			      calls[0].len == len && !memcmp(dev + off, src, len),
			      "block off 0x%" PRIx64 " len %zu: err %d, %u calls, first %s len %zu", off, len, err, ncalls,
			      name(calls[0].insn), calls[0].len);
		}

	/* longer: 128-byte pieces */
	reset();
	CHECK(be->write(&r, 0x400, 320, src) == 0 && ncalls == 3 && calls[0].len == 128 && calls[1].len == 128 &&
	      calls[2].len == 64 && calls[0].insn == PCISTBI && calls[2].insn == PCISTBI &&
	      !memcmp(dev + 0x400, src, 320), "320 bytes: %u calls", ncalls);

	/* across a page: never one pcistbi over the boundary */
	reset();
	CHECK(be->write(&r, 0xfc0, 128, src) == 0 && ncalls == 2 && calls[0].insn == PCISTBI &&
	      calls[0].len == 64 && calls[1].insn == PCISTBI && calls[1].addr == DEV_BASE + 0x1000 &&
	      calls[1].len == 64 && !memcmp(dev + 0xfc0, src, 128),
	      "128 bytes at 0xfc0: %u calls, %s len %zu, %s len %zu", ncalls, name(calls[0].insn), calls[0].len,
	      name(calls[1].insn), calls[1].len);
	/* 8 bytes left in the page: pcistgi for them, then a block */
	reset();
	CHECK(be->write(&r, 0xff8, 24, src) == 0 && ncalls == 2 && calls[0].insn == PCISTGI && calls[0].len == 8 &&
	      calls[1].insn == PCISTBI && calls[1].addr == DEV_BASE + 0x1000 && calls[1].len == 16 &&
	      !memcmp(dev + 0xff8, src, 24), "24 bytes at 0xff8: %u calls", ncalls);

	/* unaligned start and odd tail: naturally aligned pcistgi pieces */
	reset();
	CHECK(be->write(&r, 0x303, 6, src) == 0 && ncalls == 3 && calls[0].insn == PCISTGI && calls[0].len == 1 &&
	      calls[1].insn == PCISTGI && calls[1].len == 4 && calls[2].insn == PCISTGI && calls[2].len == 1 &&
	      !memcmp(dev + 0x303, src, 6), "6 bytes at 0x303: %u calls", ncalls);
	reset();
	CHECK(be->write(&r, 0x300, 21, src) == 0 && ncalls == 3 && calls[0].insn == PCISTBI && calls[0].len == 16 &&
	      calls[1].insn == PCISTGI && calls[1].len == 4 && calls[2].insn == PCISTGI && calls[2].len == 1 &&
	      !memcmp(dev + 0x300, src, 21), "21 bytes at 0x300: %u calls", ncalls);

	/* every start and length around a page boundary: legal pieces, the
	 * right bytes, nothing else written */
	for (uint64_t off = 0xf70; off < 0xff9; off++)
		for (size_t len = 1; len <= 200; len += (len < 20 ? 1 : 7)) {
			reset();
			uint8_t before[DEV_SIZE];
			memcpy(before, dev, sizeof dev);
			int err = be->write(&r, off, len, src);
			CHECK(err == 0, "write off 0x%" PRIx64 " len %zu: err %d", off, len, err);
			if (!pieces_legal("write", off, len))
				return;
			int good = !memcmp(dev + off, src, len) && !memcmp(dev, before, off) &&
				   !memcmp(dev + off + len, before + off + len, sizeof dev - off - len);
			CHECK(good, "write off 0x%" PRIx64 " len %zu: device contents", off, len);
			for (unsigned i = 0; i < ncalls; i++)
				if (calls[i].insn == PCISTBI)
					CHECK(calls[i].len >= 16 || len - (calls[i].addr - DEV_BASE - off) < 16,
					      "write off 0x%" PRIx64 " len %zu: a pcistbi of %zu bytes", off, len, calls[i].len);
		}

	/* a block store with cc != 0: a device error, nothing after it */
	reset();
	fail_nth(1, 1);
	CHECK(be->write(&r, 0x200, 64, src) == MMIO_E_DEVICE && ncalls == 1 && calls[0].insn == PCISTBI,
	      "block store cc 1: %u calls", ncalls);
}

static void usable(void)
{
	struct bar_io r = region();
	const char *why = NULL;

	have_mio = 1;
	CHECK(backend_mio.usable(&r, &why), "usable with a real mapping and MIO");
	have_mio = 0;
	why = NULL;
	CHECK(!backend_mio.usable(&r, &why) && why, "usable without MIO");
	have_mio = 1;
	r.real = NULL;
	why = NULL;
	CHECK(!backend_mio.usable(&r, &why) && why, "usable without the kernel's mapping");
	CHECK(!strcmp(backend_mio.name, "mio"), "name %s", backend_mio.name);
}

int main(void)
{
	usable();
	loads();
	stores();
	blocks();
	printf("%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
