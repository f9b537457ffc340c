/* Parent and child both reach the device after fork().
 * Compiled normally and with -DEXPLICIT: logs and output identical. */
#include "vfio_drv.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	uint8_t *bar;
	int status;
	pid_t pid;

	drv_open();
	bar = drv_map_bar(VFIO_PCI_BAR0_REGION_INDEX, NULL, 0, PROT_READ | PROT_WRITE, 0);
	WR32(bar + REG_SCRATCH, opaque(0x1111));
	printf("parent before fork: scratch %08x\n", RD32(bar + REG_SCRATCH));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		drv_die("fork failed");
	if (pid == 0) {
		{
			__auto_type rd0_ = RD32(bar + REG_ID);
			__auto_type rd1_ = RD32(bar + REG_SCRATCH);
			printf("child: id %08x scratch %08x\n", rd0_, rd1_);
		}
		WR32(bar + REG_DOORBELL(1), opaque(0xc0de));
		WR32(bar + REG_SCRATCH, opaque(0x2222));
		RMW(32, bar + REG_SCRATCH, |, 0x10000);
		fflush(stdout);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		drv_die("waitpid failed");
	printf("child exit: %s %d\n", WIFEXITED(status) ? "status" : "signal",
	       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	printf("parent after child: scratch %08x\n", RD32(bar + REG_SCRATCH));
	WR32(bar + REG_DOORBELL(2), opaque(0xda7a));
	return 0;
}
