/* Which backends exist on which architecture, and which one `auto` gives a
 * BAR: the first row of this architecture whose condition holds.
 *
 * s390x: a plain CPU load or store cannot reach PCI memory, so every BAR
 * mapping is trapped: the PCI MIO instructions (z15 and newer) on the
 * kernel's mapping, else the s390_pci_mmio_read/write system calls on it,
 * else pread/pwrite on the VFIO fd (kernels before 6.15 refuse to map BARs).
 * x86_64: the CPU reaches PCI memory, so a BAR the kernel mapped needs no
 * trap unless asked for; trapped accesses go to the kernel's mapping
 * (direct) or through pread/pwrite (region). */
#include <stddef.h>

#include "backend.h"
#include "backends.h"

const char *const backend_names[] = { "auto", "region", "direct", "syscall", "mio", NULL };

static bool mapped(const struct bar_io *io)
{
	return io->real;
}

static bool always(const struct bar_io *io)
{
	(void)io;
	return true;
}

#if defined(__s390x__)
#include <sys/auxv.h>

bool s390x_have_mio(void)
{
	return getauxval(AT_HWCAP) & (1ul << 21);
}

static bool mapped_with_mio(const struct bar_io *io)
{
	return io->real && s390x_have_mio();
}
#endif

static const struct choice {
	enum backend_id id;
	const struct backend *backend;
	bool (*fits)(const struct bar_io *io);
	const char *why;
} choices[] = {
#if defined(__s390x__)
	{ BACKEND_MIO, &backend_mio, mapped_with_mio,
	  "the kernel mapped the BAR and the CPU has the PCI MIO instructions" },
	{ BACKEND_SYSCALL, &backend_syscall, mapped,
	  "the kernel mapped the BAR; no PCI MIO instructions (AT_HWCAP)" },
	{ BACKEND_REGION, &backend_region, always, "the kernel cannot mmap the BAR (Linux before 6.15)" },
#elif defined(__x86_64__)
	{ BACKEND_DIRECT, &backend_direct, mapped, "the kernel mapped the BAR and the CPU can reach it" },
	{ BACKEND_REGION, &backend_region, always, "the kernel cannot mmap the BAR" },
#endif
};
#define N_CHOICES (sizeof(choices) / sizeof(choices[0]))

#if defined(__s390x__)
const bool cpu_reaches_bars = false;
#else
const bool cpu_reaches_bars = true;
#endif

const struct backend *backend_get(enum backend_id id)
{
	for (size_t i = 0; i < N_CHOICES; i++)
		if (choices[i].id == id)
			return choices[i].backend;
	return NULL;
}

enum backend_id backend_choose(const struct bar_io *io, const char **why)
{
	for (size_t i = 0; i < N_CHOICES; i++)
		if (choices[i].fits(io)) {
			*why = choices[i].why;
			return choices[i].id;
		}
	*why = "no backend on this architecture";
	return BACKEND_REGION;
}

const char *backend_name(enum backend_id id)
{
	return id < BACKEND_COUNT ? backend_names[id] : "?";
}
