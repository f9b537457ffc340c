/* libtracedl.so: loaded by trace_drv with dlopen after the BAR is mapped;
 * its access must be attributed to tracedl_touch in libtracedl.so. */
#include <stdint.h>

__attribute__((noinline, visibility("default"))) uint32_t tracedl_touch(volatile uint8_t *bar)
{
	*(volatile uint32_t *)(bar + 0x8) = 0xd1d1d1d1;
	return *(volatile uint32_t *)(bar + 0x8);
}
