/* libtracelib.so: a shared library trace_drv links against; its access
 * must be attributed to tracelib_touch in libtracelib.so. */
#include <stdint.h>

__attribute__((noinline, visibility("default"))) uint32_t tracelib_touch(volatile uint8_t *bar)
{
	*(volatile uint32_t *)(bar + 0x8) = 0x1b1b1b1b;
	return *(volatile uint32_t *)(bar + 0x8);
}
