/* How real drivers map BARs: plain, over a reservation with MAP_FIXED
 * (DPDK), twice with different protections (QEMU's NVMe driver), again
 * after munmap, and through a dup'd device fd.  Compiled normally and
 * with -DEXPLICIT; logs and output must be identical. */
#include "vfio_drv.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BAR0 VFIO_PCI_BAR0_REGION_INDEX

/* Register reads through regs, writes through wr (may be the same). */
static void exercise(const char *tag, uint8_t *regs, uint8_t *wr, uint32_t seed)
{
	{
		__auto_type rd0_ = RD32(regs + REG_ID);
		__auto_type rd1_ = RD32(regs + REG_VERSION);
		printf("%s: id %08x version %08x\n", tag, rd0_, rd1_);
	}
	WR32(wr + REG_SCRATCH, opaque(seed));
	printf("%s: scratch %08x\n", tag, RD32(regs + REG_SCRATCH));
	WR32(wr + REG_DOORBELL(5), opaque(seed + 1));
	WR32(wr + REG_DOORBELL(6), opaque(seed + 2));
	WR64(wr + REG_SCRATCH64, opaque(((uint64_t)seed << 32) | 0x5555));
	printf("%s: scratch64 %016" PRIx64 "\n", tag, RD64(regs + REG_SCRATCH64));
}

static void basic(void)
{
	uint8_t *bar = drv_map_bar(BAR0, NULL, 0, PROT_READ | PROT_WRITE, 0);

	exercise("basic", bar, bar, 0xb0000001);
}

static void fixed(void)
{
	size_t len = drv.region[BAR0].size;
	uint8_t *res = mmap(NULL, len + 2 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (res == MAP_FAILED)
		drv_die("reservation: %s", strerror(errno));
	uint8_t *bar = drv_map_bar(BAR0, res + 4096, len, PROT_READ | PROT_WRITE, MAP_FIXED);
	if (bar != res + 4096)
		drv_die("MAP_FIXED returned %p, not %p", (void *)bar, (void *)(res + 4096));
	exercise("fixed", bar, bar, 0xf0000001);
	/* remap over the same reservation slot, as a driver re-probing does */
	drv_unmap_bar(bar, len);
	if (mmap(bar, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != bar)
		drv_die("re-reserve: %s", strerror(errno));
	bar = drv_map_bar(BAR0, bar, len, PROT_READ | PROT_WRITE, MAP_FIXED);
	exercise("fixed again", bar, bar, 0xf0000002);
}

static void twice(void)
{
	uint8_t *regs = drv_map_bar(BAR0, NULL, 0, PROT_READ | PROT_WRITE, 0);
	uint8_t *db = drv_map_bar(BAR0, NULL, 0, PROT_WRITE, 0);

	if (regs == db)
		drv_die("both mappings at the same address");
	exercise("double", regs, db, 0xd0000001);
	/* and the other way round for the writes that are not doorbells */
	WR32(regs + REG_SCRATCH, opaque(0xd0000009));
	for (int i = 0; i < 4; i++)
		WR32(db + REG_DOORBELL(i), opaque(0x100 + i));
	printf("double: scratch %08x\n", RD32(regs + REG_SCRATCH));
}

static void remap(void)
{
	size_t len = drv.region[BAR0].size;
	uint8_t *bar = drv_map_bar(BAR0, NULL, 0, PROT_READ | PROT_WRITE, 0);

	exercise("first", bar, bar, 0xe0000001);
	drv_unmap_bar(bar, len);
	bar = drv_map_bar(BAR0, NULL, 0, PROT_READ | PROT_WRITE, 0);
	exercise("second", bar, bar, 0xe0000002);
}

static void dupfd(void)
{
	int fd = dup(drv.devfd);

	if (fd < 0)
		drv_die("dup: %s", strerror(errno));
	close(drv.devfd);
	drv.devfd = fd;
	uint8_t *bar = drv_map_bar(BAR0, NULL, 0, PROT_READ | PROT_WRITE, 0);
	exercise("dup", bar, bar, 0xa0000001);
}

/* A device fd that arrives over a unix socket (as from a privileged helper
 * process): the shim never saw it being made and must recognise it. */
static void received(void)
{
	int sv[2];
	char dummy = 'x';
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { &dummy, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			      .msg_controllen = sizeof(ctl.buf) };

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		drv_die("socketpair: %s", strerror(errno));
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &drv.devfd, sizeof(int));
	if (sendmsg(sv[0], &msg, 0) != 1)
		drv_die("sendmsg: %s", strerror(errno));
	close(drv.devfd);
	msg.msg_controllen = sizeof(ctl.buf);
	if (recvmsg(sv[1], &msg, 0) != 1 || !(c = CMSG_FIRSTHDR(&msg)) || c->cmsg_type != SCM_RIGHTS)
		drv_die("recvmsg: no fd");
	memcpy(&drv.devfd, CMSG_DATA(c), sizeof(int));
	uint8_t *bar = drv_map_bar(BAR0, NULL, 0, PROT_READ | PROT_WRITE, 0);
	exercise("received", bar, bar, 0xc0000001);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} scenarios[] = {
		{ "basic", basic }, { "fixed", fixed }, { "double", twice },
		{ "remap", remap }, { "dupfd", dupfd }, { "received", received },
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s SCENARIO\n", argv[0]);
		return 2;
	}
	drv_open();
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		if (!strcmp(argv[1], scenarios[i].name)) {
			scenarios[i].fn();
			fflush(stdout);
			return 0;
		}
	fprintf(stderr, "unknown scenario %s\n", argv[1]);
	return 2;
}
