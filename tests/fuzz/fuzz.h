/* What a fuzz target gives the shared driver (fuzz_main.c): one input run
 * against the CPU, and the count of inputs its decoder accepted. */
#ifndef MMIOSHIM_FUZZ_H
#define MMIOSHIM_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Once, before the first input: the target's harness. */
void fuzz_setup(void);
/* 0: agreed, or refused; 1: a finding (said on stderr). */
int fuzz_one(const uint8_t *data, size_t size);
/* FNV-1a of p[0..n): what a target seeds its register file from. */
uint64_t fuzz_hash(const uint8_t *p, size_t n);
extern unsigned long fuzz_accepted;
extern const char fuzz_name[];	/* "x86_fuzz" */

#endif
