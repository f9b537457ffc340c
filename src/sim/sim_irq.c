/* The IRQs of a simulated device: VFIO_DEVICE_GET_IRQ_INFO and
 * VFIO_DEVICE_SET_IRQS (drivers/vfio/pci/vfio_pci_core.c,
 * vfio_pci_intrs.c). The device raises them in sim_model.c. */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sim_vfio.h"

static const struct {
	uint32_t flags; /* besides VFIO_IRQ_INFO_EVENTFD */
	uint32_t count;
} irqs[SIM_NUM_IRQS] = {
	[VFIO_PCI_INTX_IRQ_INDEX] = { VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED, 1 },
	[VFIO_PCI_MSI_IRQ_INDEX] = { VFIO_IRQ_INFO_NORESIZE, 1 },
	[VFIO_PCI_MSIX_IRQ_INDEX] = { VFIO_IRQ_INFO_NORESIZE, SIM_MAX_VECTORS },
	[VFIO_PCI_ERR_IRQ_INDEX] = { VFIO_IRQ_INFO_NORESIZE, 1 },
	[VFIO_PCI_REQ_IRQ_INDEX] = { VFIO_IRQ_INFO_NORESIZE, 1 },
};

long sim_device_get_irq_info(int oi, void *arg)
{
	struct vfio_irq_info *ii = arg;

	(void)oi;
	if (ii->argsz < END(struct vfio_irq_info, count) || ii->index >= SIM_NUM_IRQS)
		return -EINVAL;
	ii->flags = VFIO_IRQ_INFO_EVENTFD | irqs[ii->index].flags;
	ii->count = irqs[ii->index].count;
	return 0;
}

/* ---- VFIO_DEVICE_SET_IRQS ---- */

/* The checks every action and data type share: 0 or -EINVAL. */
static long set_irqs_check(const struct vfio_irq_set *s)
{
	uint32_t minsz = END(struct vfio_irq_set, count);

	if (s->argsz < minsz || s->index >= SIM_NUM_IRQS)
		return -EINVAL;
	uint32_t dtype = s->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	uint32_t action = s->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
	if (s->flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK | VFIO_IRQ_SET_ACTION_TYPE_MASK))
		return -EINVAL;
	if (__builtin_popcount(dtype) != 1 || __builtin_popcount(action) != 1)
		return -EINVAL;
	unsigned max = irqs[s->index].count;
	if (s->count && (s->start >= max || s->start + s->count > max))
		return -EINVAL;
	uint32_t elem = dtype == VFIO_IRQ_SET_DATA_BOOL ? 1 : dtype == VFIO_IRQ_SET_DATA_EVENTFD ? 4 : 0;
	if ((uint64_t)s->argsz - minsz < (uint64_t)s->count * elem)
		return -EINVAL;
	return 0;
}

/* Close every eventfd of an index; it is no longer the enabled one (lock
 * held). */
static void irqs_disable(struct sim_dev *d, uint32_t index)
{
	int *fds = d->irq_fd[index];

	for (unsigned v = 0; v < SIM_MAX_VECTORS; v++)
		if (fds[v] >= 0) {
			syscall(SYS_close, fds[v]);
			fds[v] = -1;
		}
	if (d->irq_active == (int)index)
		d->irq_active = SIM_IRQ_NONE;
}

/* Our own references to the eventfds asked for (-1 where the program gives
 * -1), taken before anything changes; -EBADF, none kept, if one is not an
 * fd. */
static long irqs_dup(const int32_t *want, uint32_t count, int *dup)
{
	for (uint32_t i = 0; i < count; i++) {
		dup[i] = -1;
		if (want[i] < 0)
			continue;
		dup[i] = sim_arch_dup_eventfd(want[i]);
		if (dup[i] < 0) {
			for (uint32_t j = 0; j < i; j++)
				if (dup[j] >= 0)
					syscall(SYS_close, dup[j]);
			return -EBADF;
		}
	}
	return 0;
}

/* Put the new references in their vectors (taking them out of dup); an
 * exclusive index (INTx, MSI, MSI-X) is enabled while it has one (lock
 * held). */
static void irqs_install(struct sim_dev *d, const struct vfio_irq_set *s, int *dup, int exclusive)
{
	int *fds = d->irq_fd[s->index];

	for (uint32_t i = 0; i < s->count; i++) {
		int *slot = &fds[s->start + i];
		if (*slot >= 0)
			syscall(SYS_close, *slot);
		*slot = dup[i];
		dup[i] = -1;
	}
	if (!exclusive)
		return;
	int any = 0;
	for (unsigned v = 0; v < SIM_MAX_VECTORS; v++)
		any |= fds[v] >= 0;
	d->irq_active = any ? (int)s->index : SIM_IRQ_NONE;
	if (s->index == VFIO_PCI_INTX_IRQ_INDEX)
		d->intx_masked = 0;
}

/* DATA_EVENTFD|ACTION_TRIGGER: install eventfds, or with count 0 disable
 * the index. Only one of INTx, MSI and MSI-X can be enabled at a time. */
static long irqs_set_eventfds(struct sim_dev *d, const struct vfio_irq_set *s)
{
	int dup[SIM_MAX_VECTORS];
	long ret = irqs_dup((const int32_t *)s->data, s->count, dup);

	if (ret)
		return ret;
	int exclusive = s->index == VFIO_PCI_MSI_IRQ_INDEX || s->index == VFIO_PCI_MSIX_IRQ_INDEX ||
			s->index == VFIO_PCI_INTX_IRQ_INDEX;
	sigset_t old;
	sim_lock(&old);
	if (s->count && exclusive && d->irq_active != SIM_IRQ_NONE && d->irq_active != (int)s->index)
		ret = -EINVAL;
	else if (!s->count)
		irqs_disable(d, s->index);
	else
		irqs_install(d, s, dup, exclusive);
	sim_unlock(&old);
	for (uint32_t i = 0; i < s->count; i++)
		if (dup[i] >= 0)
			syscall(SYS_close, dup[i]);
	return ret;
}

/* DATA_NONE/DATA_BOOL with ACTION_TRIGGER: signal the eventfds (a loopback,
 * as the kernel does); DATA_NONE with count 0 disables the index. */
static long irqs_trigger(struct sim_dev *d, const struct vfio_irq_set *s, uint32_t dtype)
{
	sigset_t old;

	sim_lock(&old);
	if (!s->count && dtype == VFIO_IRQ_SET_DATA_NONE)
		irqs_disable(d, s->index);
	for (uint32_t i = 0; i < s->count; i++)
		if (dtype == VFIO_IRQ_SET_DATA_NONE || s->data[i])
			sim_signal_irq(d, (int)s->index, (int)(s->start + i));
	sim_unlock(&old);
	return 0;
}

/* ACTION_MASK / ACTION_UNMASK: INTx only */
static long irqs_mask(struct sim_dev *d, const struct vfio_irq_set *s, uint32_t dtype, uint32_t action)
{
	if (s->index != VFIO_PCI_INTX_IRQ_INDEX || dtype == VFIO_IRQ_SET_DATA_EVENTFD)
		return -EINVAL;
	if (s->count && (dtype == VFIO_IRQ_SET_DATA_NONE || s->data[0])) {
		sigset_t old;
		sim_lock(&old);
		d->intx_masked = action == VFIO_IRQ_SET_ACTION_MASK;
		sim_unlock(&old);
	}
	return 0;
}

long sim_device_set_irqs(int oi, void *arg)
{
	struct sim_dev *d = &sim_sh->dev[obj(oi)->devidx];
	struct vfio_irq_set *s = arg;
	long ret = set_irqs_check(s);

	if (ret)
		return ret;
	uint32_t dtype = s->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	uint32_t action = s->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
	if (action == VFIO_IRQ_SET_ACTION_TRIGGER && dtype == VFIO_IRQ_SET_DATA_EVENTFD)
		return irqs_set_eventfds(d, s);
	if (action == VFIO_IRQ_SET_ACTION_TRIGGER)
		return irqs_trigger(d, s, dtype);
	return irqs_mask(d, s, dtype, action);
}
