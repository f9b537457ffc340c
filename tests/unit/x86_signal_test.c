/* The real thing once: accesses to a PROT_NONE page fault, a SIGSEGV
 * handler decodes and emulates them against a fake device, and the program
 * continues. This checks what the other tests can only assume: the
 * kernel's signal frame (RFLAGS, the fxsave area, the XSAVE header and the
 * YMM, opmask, ZMM_Hi256 and Hi16_ZMM components) is where the emulator reads and
 * writes it, and the kernel restores what it wrote. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "x86_harness.h"

uint64_t sig_load32(void *dev);
int sig_cmp5(void *dev);
void sig_ymm(void *dev, uint8_t out[96]);
void sig_zmm(void *dev, uint8_t out[192], const uint8_t src[32]);
void sig_mask(void *dev, uint8_t out[128]);

__asm__(
	".text\n"
	".globl sig_load32\n.hidden sig_load32\nsig_load32:\n"
	"	movabs $0x1122334455667788, %rax\n"
	"	movl 8(%rdi), %eax\n"			/* zero-extends */
	"	ret\n"
	".globl sig_cmp5\n.hidden sig_cmp5\nsig_cmp5:\n"
	"	xorl %eax, %eax\n"
	"	cmpl $5, 12(%rdi)\n"
	"	sete %al\n"
	"	ret\n"
	".globl sig_ymm\n.hidden sig_ymm\nsig_ymm:\n"
	"	vpcmpeqd %ymm3, %ymm3, %ymm3\n"
	"	vpcmpeqd %ymm4, %ymm4, %ymm4\n"
	"	movdqu 64(%rdi), %xmm3\n"		/* legacy: ymm3 upper kept */
	"	vmovdqu %ymm3, (%rsi)\n"
	"	vmovdqu 64(%rdi), %xmm4\n"		/* VEX.128: ymm4 upper zeroed */
	"	vmovdqu %ymm4, 32(%rsi)\n"
	"	vmovdqu 64(%rdi), %ymm5\n"		/* full ymm */
	"	vmovdqu %ymm5, 64(%rsi)\n"
	"	vmovdqu %ymm5, 128(%rdi)\n"		/* and back to the device */
	"	vzeroupper\n"
	"	ret\n"
	".globl sig_zmm\n.hidden sig_zmm\nsig_zmm:\n"
	"	vpternlogd $0xff, %zmm3, %zmm3, %zmm3\n"
	"	vpternlogd $0xff, %zmm17, %zmm17, %zmm17\n"
	"	vmovdqu 64(%rdi), %ymm3\n"		/* VEX.256: zmm3 bits 511..256 zeroed */
	"	vmovdqu64 %zmm3, (%rsi)\n"
	"	vmovdqu64 64(%rdi), %ymm17\n"		/* EVEX ymm17: Hi16_ZMM */
	"	vmovdqu64 %zmm17, 64(%rsi)\n"
	"	vmovdqu64 (%rdx), %ymm18\n"
	"	vmovdqu64 %ymm18, 192(%rdi)\n"		/* store from ymm18 */
	"	vzeroupper\n"
	"	ret\n"
	".globl sig_mask\n.hidden sig_mask\nsig_mask:\n"
	"	movl $7, %eax\n"
	"	kmovq %rax, %k1\n"
	"	vpternlogd $0xff, %zmm6, %zmm6, %zmm6\n"
	"	vpternlogd $0xff, %zmm20, %zmm20, %zmm20\n"
	"	vmovdqu8 %zmm6, 65(%rdi){%k1}\n"	/* k1 from the opmask component: 3 bytes */
	"	vmovdqu8 256(%rdi), %zmm20{%k1}{z}\n"	/* 3 bytes, the rest zeroed */
	"	vmovdqu64 %zmm20, (%rsi)\n"
	"	vmovdqu64 320(%rdi), %zmm6\n"		/* all 64 bytes through three components */
	"	vmovdqu64 %zmm6, 64(%rsi)\n"
	"	vzeroupper\n"
	"	ret\n");

static uint8_t *guard;
static int handled, bad;

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	uint64_t pc = arch_pc(uc);
	struct insn in;

	(void)sig;
	if ((uint8_t *)si->si_addr < guard || (uint8_t *)si->si_addr >= guard + 4096) {
		static const char msg[] = "fault outside the guard page\n";
		write(2, msg, sizeof msg - 1);
		_exit(2);
	}
	if (arch_decode(env.cs, env.scratch, (const uint8_t *)pc, ARCH_MAX_INSN, pc, &in) || in.refuse ||
	    arch_data_address(&in, uc) != (uint64_t)si->si_addr || arch_emulate(&in, uc, &env.fio.io)) {
		bad++;
		uc->uc_mcontext.gregs[REG_RIP] += in.len ? in.len : 1;
		return;
	}
	handled++;
}

static bool filled(const uint8_t *p, int v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

int main(void)
{
	struct sigaction sa;

	env_init();
	guard = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (guard == MAP_FAILED)
		return 1;
	env.fio.dev = (uint64_t)guard;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);

	uint32_t v = 0x89abcdef;
	memcpy(env.shadow + 8, &v, 4);
	CHECK(sig_load32(guard) == 0x89abcdef, "load: upper half zeroed, value from the device");
	v = 5;
	memcpy(env.shadow + 12, &v, 4);
	CHECK(sig_cmp5(guard) == 1, "cmp: ZF set through the frame's RFLAGS");
	v = 6;
	memcpy(env.shadow + 12, &v, 4);
	CHECK(sig_cmp5(guard) == 0, "cmp: ZF clear");

	int expect = 3;
	if (env.avx) {
		uint8_t out[96];
		for (int i = 0; i < 32; i++)
			env.shadow[64 + i] = (uint8_t)(0xa0 + i);
		sig_ymm(guard, out);
		CHECK(!memcmp(out, env.shadow + 64, 16) && filled(out + 16, 0xff, 16),
		      "movdqu xmm3: loaded, ymm3 upper kept by the kernel's restore");
		CHECK(!memcmp(out + 32, env.shadow + 64, 16) && filled(out + 48, 0, 16),
		      "vmovdqu xmm4: ymm4 upper zeroed in the frame");
		CHECK(!memcmp(out + 64, env.shadow + 64, 32), "vmovdqu ymm5: all 32 bytes");
		CHECK(!memcmp(env.shadow + 128, env.shadow + 64, 32), "vmovdqu ymm5 store: device got 32 bytes");
		expect += 4;
	}
	if (env.avx512vl) {
		uint8_t out[192], src[32];
		for (int i = 0; i < 32; i++)
			src[i] = (uint8_t)(0x40 + i);
		sig_zmm(guard, out, src);
		CHECK(!memcmp(out, env.shadow + 64, 32) && filled(out + 32, 0, 32),
		      "vmovdqu ymm3: zmm3 bits 511..256 zeroed in ZMM_Hi256");
		CHECK(!memcmp(out + 64, env.shadow + 64, 32) && filled(out + 96, 0, 32),
		      "vmovdqu64 ymm17: loaded through Hi16_ZMM, upper zeroed");
		CHECK(!memcmp(env.shadow + 192, src, 32), "vmovdqu64 ymm18 store: device got the register");
		expect += 3;

		uint8_t m[128];
		for (int i = 0; i < 128; i++)
			env.shadow[256 + i] = (uint8_t)(0x10 + i);
		memset(env.shadow + 64, 0x11, 8);
		sig_mask(guard, m);
		CHECK(env.shadow[64] == 0x11 && filled(env.shadow + 65, 0xff, 3) && filled(env.shadow + 68, 0x11, 4),
		      "vmovdqu8 {k1} store: exactly the 3 selected bytes written");
		CHECK(!memcmp(m, env.shadow + 256, 3) && filled(m + 3, 0, 61),
		      "vmovdqu8 {k1}{z} load: 3 bytes loaded, the rest of zmm20 zeroed");
		CHECK(!memcmp(m + 64, env.shadow + 320, 64), "vmovdqu64 zmm6: all 64 bytes");
		expect += 3;
	}
	CHECK(handled == expect && bad == 0, "%d faults emulated, %d failed, expected %d", handled, bad, expect);
	printf("%d faults emulated through real signal frames%s, %d failures\n", handled,
	       env.avx512vl ? " (with AVX-512 state)" : env.avx ? " (with AVX state)" : "", failures);
	return failures ? 1 : 0;
}
