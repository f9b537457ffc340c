/* 4 threads ring 4 different doorbells N times each, values in sequence.
 *   threads N */
#include "vfio_drv.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static const int doorbells[4] = { 1, 7, 30, 63 };
static uint8_t *bar;
static long n;
static pthread_barrier_t start;

static void *ring(void *arg)
{
	int t = (int)(intptr_t)arg;
	volatile uint32_t *db = (volatile uint32_t *)(void *)(bar + REG_DOORBELL(doorbells[t]));

	pthread_barrier_wait(&start);
	for (long k = 1; k <= n; k++)
		WR32(db, ((uint32_t)(t + 1) << 24) | (uint32_t)k);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[4];

	n = argc > 1 ? atol(argv[1]) : 1000;
	drv_open();
	bar = drv_map_bar(VFIO_PCI_BAR0_REGION_INDEX, NULL, 0, PROT_READ | PROT_WRITE, 0);
	pthread_barrier_init(&start, NULL, 4);
	for (int t = 0; t < 4; t++)
		pthread_create(&th[t], NULL, ring, (void *)(intptr_t)t);
	for (int t = 0; t < 4; t++)
		pthread_join(th[t], NULL);
	printf("rang %ld x 4\n", n);
	return 0;
}
