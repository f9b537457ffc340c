/* What a PCI device's sysfs folder says about it, for traces: bus
 * addresses of the BARs and mmiotrace's PCIDEV line. Never run in the
 * signal handler. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "formats.h"
#include "support.h"

/* A number from a sysfs attribute of the device (0x hex or decimal), 0 when
 * there is none. */
static unsigned sysfs_number(const char *bdf, const char *attr)
{
	char path[PATH_MAX];
	unsigned long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, attr);
	if ((f = fopen(path, "re"))) {
		if (fscanf(f, "%li", (long *)&v) != 1)
			v = 0;
		fclose(f);
	}
	return (unsigned)v;
}

/* The device's sysfs `resource` file: start, end and flags of the BARs and
 * the ROM; zeros where it says nothing. */
struct resource {
	unsigned long long start, end, flags;
};

static void sysfs_resources(const char *bdf, struct resource res[7])
{
	char path[PATH_MAX];
	FILE *f;

	memset(res, 0, 7 * sizeof(*res));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", bdf);
	if (!(f = fopen(path, "re")))
		return;
	for (int i = 0; i < 7; i++)
		if (fscanf(f, "%llx %llx %llx", &res[i].start, &res[i].end, &res[i].flags) != 3) {
			res[i] = (struct resource){ 0 };
			break;
		}
	fclose(f);
}

/* The PCIDEV line mmiotrace readers need before the device's MAP lines:
 * bus, devfn, vendor, device, irq, the BAR start addresses with their flags
 * and the lengths, as sysfs describes them. 0 if bdf is no PCI address. */
size_t sysfs_pcidev_line(char *buf, size_t size, const char *bdf)
{
	unsigned dom, bus, slot, fn, vendor, device, irq;
	struct resource res[7];

	if (sscanf(bdf, "%x:%x:%x.%x", &dom, &bus, &slot, &fn) != 4)
		return 0;
	vendor = sysfs_number(bdf, "vendor");
	device = sysfs_number(bdf, "device");
	irq = sysfs_number(bdf, "irq");
	sysfs_resources(bdf, res);
	size_t n = trace_fitted(fmt(buf, size, "PCIDEV %02x%02x %04x%04x %x", bus, (slot << 3) | fn, vendor, device, irq), size);
	for (int i = 0; i < 7; i++)
		n += trace_fitted(fmt(buf + n, size - n, " %llx", res[i].start | (res[i].flags & 0xf)), size - n);
	for (int i = 0; i < 7; i++)
		n += trace_fitted(fmt(buf + n, size - n, " %llx", res[i].start ? res[i].end - res[i].start + 1 : 0),
				  size - n);
	return n + trace_fitted(fmt(buf + n, size - n, " vfio-pci\n"), size - n);
}

uint64_t trace_bar_phys(const char *bdf, int bar)
{
	struct resource res[7];

	sysfs_resources(bdf, res);
	return bar >= 0 && bar < 7 ? res[bar].start : 0;
}
