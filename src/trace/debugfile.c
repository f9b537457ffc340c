/* The separate debug file of a stripped object, found where gdb finds it:
 * by build ID under /usr/lib/debug/.build-id/ (Debian's -dbgsym packages),
 * else by the name in .gnu_debuglink, beside the object, in its .debug/
 * folder, or under /usr/lib/debug/ plus the object's folder, checked with
 * the CRC-32 the link carries. Distributions strip their binaries, so this
 * is where the function names of e.g. Debian's qemu-img are. Not used from
 * signal handlers. */
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debugfile.h"
#include "support.h"

#define DEBUG_DIR "/usr/lib/debug"

/* The NT_GNU_BUILD_ID of elf into id; its length, 0 if it has none. */
static size_t build_id(Elf *elf, unsigned char *id, size_t size)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		GElf_Nhdr nh;
		size_t at = 0, name, desc;
		while (d && (at = gelf_getnote(d, at, &nh, &name, &desc)) > 0) {
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && nh.n_descsz <= size &&
			    !memcmp((char *)d->d_buf + name, "GNU", 4)) {
				memcpy(id, (char *)d->d_buf + desc, nh.n_descsz);
				return nh.n_descsz;
			}
		}
	}
	return 0;
}

/* Open path as a debug file whose build ID is id. */
static int open_with_id(const char *path, const unsigned char *id, size_t len)
{
	int fd = real.open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	unsigned char got[64];
	bool same = elf && build_id(elf, got, sizeof(got)) == len && !memcmp(got, id, len);
	if (elf)
		elf_end(elf);
	if (same)
		return fd;
	real.close(fd);
	return -1;
}

static int by_build_id(Elf *elf)
{
	unsigned char id[64];
	size_t len = build_id(elf, id, sizeof(id));
	char path[sizeof(DEBUG_DIR) + 16 + 2 * sizeof(id) + 8];

	if (len < 2)
		return -1;
	int n = snprintf(path, sizeof(path), DEBUG_DIR "/.build-id/%02x/", id[0]);
	for (size_t i = 1; i < len; i++)
		n += snprintf(path + n, sizeof(path) - (size_t)n, "%02x", id[i]);
	snprintf(path + n, sizeof(path) - (size_t)n, ".debug");
	return open_with_id(path, id, len);
}

/* The CRC-32 (IEEE 802.3, reflected) that .gnu_debuglink carries. */
static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
	static const uint32_t nibble[16] = {
		0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
		0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c, 0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
	};

	while (n--) {
		crc ^= *p++;
		crc = (crc >> 4) ^ nibble[crc & 15];
		crc = (crc >> 4) ^ nibble[crc & 15];
	}
	return crc;
}

static int open_with_crc(const char *path, uint32_t want)
{
	int fd = real.open(path, O_RDONLY | O_CLOEXEC);
	unsigned char buf[65536];
	uint32_t crc = ~0u;
	ssize_t n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		crc = crc32_update(crc, buf, (size_t)n);
	if (n == 0 && ~crc == want && lseek(fd, 0, SEEK_SET) == 0)
		return fd;
	real.close(fd);
	return -1;
}

/* The .gnu_debuglink file name and CRC of elf. */
static const char *debuglink(Elf *elf, uint32_t *crc)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	GElf_Ehdr eh;

	if (elf_getshdrstrndx(elf, &shstrndx) || !gelf_getehdr(elf, &eh))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;
		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)) ||
		    strcmp(name, ".gnu_debuglink"))
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d || d->d_size < 8)
			return NULL;
		const unsigned char *p = d->d_buf;
		size_t len = strnlen((const char *)p, d->d_size);
		size_t at = (len + 4) & ~(size_t)3;	/* NUL, padded to 4 */
		if (!len || at + 4 > d->d_size)
			return NULL;
		p += at;
		*crc = eh.e_ident[EI_DATA] == ELFDATA2MSB ?
			       (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] :
			       (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
		return d->d_buf;
	}
	return NULL;
}

static int by_debuglink(Elf *elf, const char *path)
{
	uint32_t crc;
	const char *link = debuglink(elf, &crc);
	char dir[PATH_MAX], file[2 * PATH_MAX + 32];

	if (!link || strchr(link, '/') || !realpath(path, dir))
		return -1;
	*strrchr(dir, '/') = '\0';	/* realpath gives an absolute path */
	/* beside the object, in its .debug/, under DEBUG_DIR + its folder */
	const char *where[][2] = { { "", "/" }, { "", "/.debug/" }, { DEBUG_DIR, "/" } };
	for (size_t i = 0; i < sizeof(where) / sizeof(*where); i++) {
		snprintf(file, sizeof(file), "%s%s%s%s", where[i][0], dir, where[i][1], link);
		int fd = open_with_crc(file, crc);
		if (fd >= 0)
			return fd;
	}
	return -1;
}

int debugfile_open(Elf *elf, const char *path)
{
	int fd = by_build_id(elf);

	return fd >= 0 ? fd : by_debuglink(elf, path);
}
