/* What the emulator refuses, and the failures it must survive without
 * touching the context: atomics (MMIO_E_ATOMIC), instructions outside the
 * supported list (MMIO_E_UNSUPPORTED), bytes capstone cannot decode
 * (MMIO_E_DECODE), a backwards rep (DF=1), AVX without YMM state in the
 * frame, a failing device access. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x86_harness.h"

#define REFUSALS(X) \
	X(lock_or, "lock orl $1, (%rdi)", MMIO_E_ATOMIC) \
	X(lock_add_reg, "lock addq %rax, (%rdi)", MMIO_E_ATOMIC) \
	X(lock_inc, "lock incl (%rdi)", MMIO_E_ATOMIC) \
	X(xchg_mem, "xchg %eax, (%rdi)", MMIO_E_ATOMIC) \
	X(xchg_mem_byte, "xchg %al, (%rdi)", MMIO_E_ATOMIC) \
	X(cmpxchg, "cmpxchg %eax, (%rdi)", MMIO_E_ATOMIC) \
	X(lock_cmpxchg, "lock cmpxchg %rcx, (%rdi)", MMIO_E_ATOMIC) \
	X(cmpxchg8b, "lock cmpxchg8b (%rdi)", MMIO_E_ATOMIC) \
	X(cmpxchg16b, "cmpxchg16b (%rdi)", MMIO_E_ATOMIC) \
	X(xadd, "xadd %eax, (%rdi)", MMIO_E_ATOMIC) \
	X(lock_bts, "lock btsl $3, (%rdi)", MMIO_E_ATOMIC) \
	X(lock_btr_reg, "lock btrq %rax, (%rdi)", MMIO_E_ATOMIC) \
	X(lock_btc_imm16, "lock btcw $3, (%rdi)", MMIO_E_ATOMIC) \
	X(push_mem, "pushq (%rdi)", MMIO_E_UNSUPPORTED) \
	X(pop_mem, "popq (%rdi)", MMIO_E_UNSUPPORTED) \
	X(call_mem, "call *(%rdi)", MMIO_E_UNSUPPORTED) \
	X(jmp_mem, "jmp *(%rdi)", MMIO_E_UNSUPPORTED) \
	X(mul_mem, "mull (%rdi)", MMIO_E_UNSUPPORTED) \
	X(imul_one_operand, "imull (%rdi)", MMIO_E_UNSUPPORTED) \
	X(div_mem, "divl (%rdi)", MMIO_E_UNSUPPORTED) \
	X(shld_mem, "shldl $3, %eax, (%rdi)", MMIO_E_UNSUPPORTED) \
	X(fld, "flds (%rdi)", MMIO_E_UNSUPPORTED) \
	X(fistp, "fistpl (%rdi)", MMIO_E_UNSUPPORTED) \
	X(prefetch, "prefetcht0 (%rdi)", MMIO_E_UNSUPPORTED) \
	X(lea, "lea 8(%rdi), %rax", MMIO_E_UNSUPPORTED) \
	X(nop_mem, "nopl (%rdi)", MMIO_E_UNSUPPORTED) \
	X(lodsb, "lodsb", MMIO_E_UNSUPPORTED) \
	X(scasb, "repne scasb", MMIO_E_UNSUPPORTED) \
	X(cmpsb, "repe cmpsb", MMIO_E_UNSUPPORTED) \
	X(movs_fs_source, "movsb %fs:(%rsi), %es:(%rdi)", MMIO_E_UNSUPPORTED) \
	X(movs_addr32, "addr32 rep movsb", MMIO_E_UNSUPPORTED) \
	X(mov_segment_store, "movw %ds, (%rdi)", MMIO_E_UNSUPPORTED) \
	X(mov_segment_load, "movw (%rdi), %es", MMIO_E_UNSUPPORTED) \
	X(addps, "addps (%rdi), %xmm0", MMIO_E_UNSUPPORTED) \
	X(pcmpgtb, "pcmpgtb (%rdi), %xmm0", MMIO_E_UNSUPPORTED) \
	X(vpcmpgtb, "vpcmpgtb (%rdi), %ymm1, %ymm0", MMIO_E_UNSUPPORTED) \
	X(vpminud, "vpminud (%rdi), %ymm1, %ymm0", MMIO_E_UNSUPPORTED) \
	X(pxor_mmx, "pxor (%rdi), %mm0", MMIO_E_UNSUPPORTED) \
	X(vpbroadcastd, "vpbroadcastd (%rdi), %zmm0", MMIO_E_UNSUPPORTED) \
	X(cvtsi2sd, "cvtsi2sdl (%rdi), %xmm0", MMIO_E_UNSUPPORTED) \
	X(vbroadcastss, "vbroadcastss (%rdi), %ymm0", MMIO_E_UNSUPPORTED) \
	X(movq_mmx, "movq (%rdi), %mm0", MMIO_E_UNSUPPORTED) \
	X(movd_mmx_store, "movd %mm1, (%rdi)", MMIO_E_UNSUPPORTED) \
	X(broadcast_xor, "vpxord (%rdi){1to16}, %zmm1, %zmm2", MMIO_E_UNSUPPORTED) \
	X(broadcast_and, "vpandq (%rdi){1to8}, %zmm1, %zmm2", MMIO_E_UNSUPPORTED) \
	X(masked_xor, "vpxord (%rdi), %zmm1, %zmm2{%k1}", MMIO_E_UNSUPPORTED) \
	X(masked_vmovsd_store, "vmovsd %xmm1, (%rdi){%k1}", MMIO_E_UNSUPPORTED) \
	X(vmovlps_load_3op, "vmovlps (%rdi), %xmm1, %xmm2", MMIO_E_UNSUPPORTED) \
	X(gather, "vpgatherdd %ymm2, (%rdi,%ymm1,4), %ymm0", MMIO_E_UNSUPPORTED) \
	X(fxsave, "fxsave (%rdi)", MMIO_E_UNSUPPORTED) \
	X(clflush, "clflush (%rdi)", MMIO_E_UNSUPPORTED) \
	X(ud2, "ud2", MMIO_E_UNSUPPORTED)

#define CODE(name, text, err) \
	__asm__(".pushsection .rodata.x86refuse, \"a\"\n" \
		"x86refuse_" #name "_begin:\n\t" text "\n" \
		"x86refuse_" #name "_end:\n\t.popsection\n");
REFUSALS(CODE)

#define DECLARE(name, text, err) \
	extern const uint8_t x86refuse_##name##_begin[] __attribute__((visibility("hidden"))); \
	extern const uint8_t x86refuse_##name##_end[] __attribute__((visibility("hidden")));
REFUSALS(DECLARE)

struct refusal {
	const char *name, *text;
	int err;
	const uint8_t *begin, *end;
};

#define ROW(name, text, err) { #name, text, err, x86refuse_##name##_begin, x86refuse_##name##_end },
static const struct refusal refusals[] = { REFUSALS(ROW) };

/* Emulating it fails with err, makes no io call beyond calls, and leaves
 * the registers and the FPU area exactly as they were. */
static void emulate_fails(const char *what, const struct insn *in, ucontext_t *uc, int err, int calls)
{
	ucontext_t before = *uc;
	static uint8_t fp_before[16384];
	memcpy(fp_before, frame_area(), sizeof fp_before);
	fio_reset();
	int rc = arch_emulate(in, uc, &env.fio.io);
	CHECK(rc == err, "%s: arch_emulate returned \"%s\", expected \"%s\"", what, err_text(rc), err_text(err));
	CHECK(!memcmp(&before.uc_mcontext.gregs, &uc->uc_mcontext.gregs, sizeof before.uc_mcontext.gregs),
	      "%s: registers changed", what);
	CHECK(!memcmp(fp_before, frame_area(), sizeof fp_before), "%s: FPU area changed", what);
	CHECK(env.fio.n == calls, "%s: %d io calls, expected %d", what, env.fio.n, calls);
}

static void test_refusals(void)
{
	for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
		const struct refusal *r = &refusals[i];
		size_t len = (size_t)(r->end - r->begin);
		struct insn in;
		struct cpu c;
		ucontext_t uc;

		int rc = decode_bytes(r->begin, len, &in);
		CHECK(rc == 0, "%s: decode returned %d", r->name, rc);
		CHECK(in.refuse == r->err, "%s (%s): refused \"%s\", expected \"%s\"", r->name, in.text,
		      err_text(in.refuse), err_text(r->err));
		CHECK(in.len == len && in.text[0], "%s: length %u text \"%s\"", r->name, in.len, in.text);
		cpu_random(&c);
		c.gpr[RDI] = (uint64_t)env.dev + 16;
		uc_build(&uc, &c, (uint64_t)env.code);
		emulate_fails(r->name, &in, &uc, r->err, 0);
		/* the address is still known, for the message */
		if (strchr(r->text, '(') && !strstr(r->text, "lea") && !strstr(r->text, "ymm1,4") &&
		    !strstr(r->text, "%fs"))
			CHECK(arch_data_address(&in, &uc) == c.gpr[RDI], "%s: data address %llx", r->name,
			      (unsigned long long)arch_data_address(&in, &uc));
	}
}

static void test_undecodable(void)
{
	static const uint8_t bad[] = { 0x0f, 0x04 };		/* no such opcode */
	static const uint8_t cut[] = { 0x8b };			/* mov r32, r/m32 without its modrm */
	static const uint8_t vex_cut[] = { 0xc5, 0xfe };
	const uint8_t *bytes[] = { bad, cut, vex_cut };
	size_t lens[] = { sizeof bad, sizeof cut, sizeof vex_cut };
	struct insn in;

	for (int i = 0; i < 3; i++) {
		int rc = decode_bytes(bytes[i], lens[i], &in);
		CHECK(rc == MMIO_E_DECODE, "undecodable %d: rc %d", i, rc);
		CHECK(in.refuse == MMIO_E_DECODE, "undecodable %d: refuse %d", i, in.refuse);
		CHECK(!strncmp(in.text, ".byte 0x", 8), "undecodable %d: text \"%s\"", i, in.text);
	}
	CHECK(!strcmp(in.text, ".byte 0xc5,0xfe"), "text \"%s\"", in.text);
}

/* Bytes of a few instructions used below, hand-encoded. */
static const uint8_t REP_MOVSB[] = { 0xf3, 0xa4 };
static const uint8_t STOSL[] = { 0xab };
static const uint8_t ADDL_EAX_MEM[] = { 0x01, 0x07 };		/* add %eax, (%rdi) */
static const uint8_t MOVL_MEM_EAX[] = { 0x8b, 0x07 };		/* mov (%rdi), %eax */
static const uint8_t VMOVDQU_LD256[] = { 0xc5, 0xfe, 0x6f, 0x1f };	/* vmovdqu (%rdi), %ymm3 */
static const uint8_t VMOVDQU_LD128[] = { 0xc5, 0xfa, 0x6f, 0x1f };	/* vmovdqu (%rdi), %xmm3 */
static const uint8_t MOVDQU_LD[] = { 0xf3, 0x0f, 0x6f, 0x1f };	/* movdqu (%rdi), %xmm3 */
static const uint8_t MOVD_LD[] = { 0x66, 0x0f, 0x6e, 0x1f };	/* movd (%rdi), %xmm3 */
static const uint8_t EVEX_LD_YMM17[] = { 0x62, 0xe1, 0xfe, 0x28, 0x6f, 0x0f };	/* vmovdqu64 (%rdi), %ymm17 */
static const uint8_t EVEX_LD_ZMM3[] = { 0x62, 0xf1, 0xfe, 0x48, 0x6f, 0x1f };	/* vmovdqu64 (%rdi), %zmm3 */
static const uint8_t MASKED_ST8[] = { 0x62, 0xf1, 0x7f, 0x49, 0x7f, 0x1f };	/* vmovdqu8 %zmm3, (%rdi){%k1} */
static const uint8_t MASKED_LD8Z[] = { 0x62, 0xf1, 0x7f, 0xc9, 0x6f, 0x1f };	/* vmovdqu8 (%rdi), %zmm3{%k1}{z} */
static const uint8_t BTS_REG[] = { 0x48, 0x0f, 0xab, 0x07 };			/* bts %rax, (%rdi) */

static void decode_ok(const char *what, const uint8_t *b, size_t n, struct insn *in)
{
	int rc = decode_bytes(b, n, in);
	if (rc || in->refuse) {
		fprintf(stderr, "%s: cannot decode (%d %d)\n", what, rc, in->refuse);
		exit(1);
	}
}

/* The fail_call-th io call fails: the error comes back after exactly that
 * many calls, registers and FPU area unchanged. */
static void emulate_fails_at(const char *what, const struct insn *in, ucontext_t *uc, int call)
{
	ucontext_t before = *uc;
	static uint8_t fp_before[16384];
	memcpy(fp_before, frame_area(), sizeof fp_before);
	fio_reset();
	env.fio.fail_call = call;
	int rc = arch_emulate(in, uc, &env.fio.io);
	CHECK(rc == MMIO_E_DEVICE && env.fio.n == call, "%s: %s after %d calls", what, err_text(rc), env.fio.n);
	CHECK(!memcmp(&before.uc_mcontext.gregs, &uc->uc_mcontext.gregs, sizeof before.uc_mcontext.gregs),
	      "%s: registers changed", what);
	CHECK(!memcmp(fp_before, frame_area(), sizeof fp_before), "%s: FPU area changed", what);
	env.fio.fail_call = 0;
}

static void test_emulate_failures(void)
{
	struct insn in;
	struct cpu c;
	ucontext_t uc;

	/* a backwards rep: refused, nothing done */
	decode_ok("rep movsb", REP_MOVSB, sizeof REP_MOVSB, &in);
	cpu_random(&c);
	c.gpr[RSI] = (uint64_t)env.mem;
	c.gpr[RDI] = (uint64_t)env.dev + 100;
	c.gpr[RCX] = 10;
	c.rflags |= X86_FLAG_DF;
	uc_build(&uc, &c, (uint64_t)env.code);
	emulate_fails("rep movsb with DF=1", &in, &uc, MMIO_E_UNSUPPORTED, 0);
	decode_ok("stosl", STOSL, sizeof STOSL, &in);
	emulate_fails("stosl with DF=1", &in, &uc, MMIO_E_UNSUPPORTED, 0);

	/* the device write of a read-modify-write fails: flags, rip unchanged */
	decode_ok("add", ADDL_EAX_MEM, sizeof ADDL_EAX_MEM, &in);
	cpu_random(&c);
	c.gpr[RDI] = (uint64_t)env.dev + 16;
	uc_build(&uc, &c, (uint64_t)env.code);
	env.fio.fail_call = 2;
	{
		ucontext_t before = uc;
		env.fio.n = 0;
		int rc = arch_emulate(&in, &uc, &env.fio.io);
		CHECK(rc == MMIO_E_DEVICE, "failing write: %s", err_text(rc));
		CHECK(env.fio.n == 2, "failing write: %d calls", env.fio.n);
		CHECK(!memcmp(&before.uc_mcontext.gregs, &uc.uc_mcontext.gregs, sizeof before.uc_mcontext.gregs),
		      "failing write: registers changed");
		env.fio.fail_call = 0;
	}
	/* a failing load leaves the destination alone */
	decode_ok("mov", MOVL_MEM_EAX, sizeof MOVL_MEM_EAX, &in);
	env.fio.fail_call = 1;
	{
		ucontext_t before = uc;
		env.fio.n = 0;
		int rc = arch_emulate(&in, &uc, &env.fio.io);
		CHECK(rc == MMIO_E_DEVICE, "failing read: %s", err_text(rc));
		CHECK(!memcmp(&before.uc_mcontext.gregs, &uc.uc_mcontext.gregs, sizeof before.uc_mcontext.gregs),
		      "failing read: registers changed");
		env.fio.fail_call = 0;
	}
	/* a rep movs whose later chunk fails: context unchanged */
	decode_ok("rep movsb", REP_MOVSB, sizeof REP_MOVSB, &in);
	cpu_random(&c);
	c.gpr[RSI] = (uint64_t)env.mem;
	c.gpr[RDI] = (uint64_t)env.dev;
	c.gpr[RCX] = 3000;
	uc_build(&uc, &c, (uint64_t)env.code);
	{
		ucontext_t before = uc;
		fio_reset();
		env.fio.fail_call = 4;
		int rc = arch_emulate(&in, &uc, &env.fio.io);
		CHECK(rc == MMIO_E_DEVICE && env.fio.n == 4, "failing chunk: %s after %d calls", err_text(rc), env.fio.n);
		CHECK(!memcmp(&before.uc_mcontext.gregs, &uc.uc_mcontext.gregs, sizeof before.uc_mcontext.gregs),
		      "failing chunk: registers changed");
		env.fio.fail_call = 0;
	}
	/* a rep movs past the end of the device */
	c.gpr[RDI] = (uint64_t)env.dev + DEV_SIZE - 100;
	uc_build(&uc, &c, (uint64_t)env.code);
	{
		ucontext_t before = uc;
		fio_reset();
		int rc = arch_emulate(&in, &uc, &env.fio.io);
		CHECK(rc == MMIO_E_RANGE, "rep past the end: %s", err_text(rc));
		CHECK(!memcmp(&before.uc_mcontext.gregs, &uc.uc_mcontext.gregs, sizeof before.uc_mcontext.gregs),
		      "rep past the end: registers changed");
	}
	/* a masked store whose second run fails; a masked load whose second
	 * run fails leaves the register alone */
	if (env.avx512vl) {
		cpu_random(&c);
		c.gpr[RDI] = (uint64_t)env.dev + 64;
		c.k[1] = 0xf00f;
		uc_build(&uc, &c, (uint64_t)env.code);
		decode_ok("masked store", MASKED_ST8, sizeof MASKED_ST8, &in);
		CHECK(in.kind == INSN_COPY && in.width == 64, "masked store: kind %d width %d", in.kind, in.width);
		CHECK(arch_data_address(&in, &uc) == (uint64_t)env.dev + 64, "masked store: data address");
		ucontext_t before = uc;
		fio_reset();
		env.fio.fail_call = 2;
		int rc = arch_emulate(&in, &uc, &env.fio.io);
		CHECK(rc == MMIO_E_DEVICE && env.fio.n == 2, "failing masked run: %s after %d calls", err_text(rc),
		      env.fio.n);
		CHECK(!memcmp(&before.uc_mcontext.gregs, &uc.uc_mcontext.gregs, sizeof before.uc_mcontext.gregs),
		      "failing masked run: registers changed");
		env.fio.fail_call = 0;
		decode_ok("masked load", MASKED_LD8Z, sizeof MASKED_LD8Z, &in);
		emulate_fails_at("failing masked load run", &in, &uc, 2);
		/* the first selected element is where the access starts */
		c.k[1] = 0xff00;
		uc_build(&uc, &c, (uint64_t)env.code);
		CHECK(arch_data_address(&in, &uc) == (uint64_t)env.dev + 72, "masked load: data address of element 8");
	}
	/* bts: a failing write back leaves the flags alone; bt's bit string address */
	decode_ok("bts", BTS_REG, sizeof BTS_REG, &in);
	CHECK(in.kind == INSN_RMW && in.width == 8, "bts: kind %d width %d", in.kind, in.width);
	cpu_random(&c);
	c.gpr[RDI] = (uint64_t)env.dev + 64;
	c.gpr[RAX] = (uint64_t)-1;
	uc_build(&uc, &c, (uint64_t)env.code);
	CHECK(arch_data_address(&in, &uc) == (uint64_t)env.dev + 56, "bts -1: the word below");
	emulate_fails_at("bts with a failing write", &in, &uc, 2);
}

/* The vector write-back rules, checked in the frame itself. */
static uint8_t *xmm_slot(int n) { return frame_area() + 160 + 16 * n; }
static uint8_t *ymm_hi(int n) { return frame_area() + X86_XSAVE_YMM_OFFSET + 16 * n; }
static uint8_t *zmm_hi(int n) { return frame_area() + xcomp_offset(6) + 32 * n; }
static uint64_t *bv(void) { return (uint64_t *)(frame_area() + X86_XSAVE_HDR_OFFSET); }

static void run_on(const char *what, const uint8_t *b, size_t n, ucontext_t *uc)
{
	struct insn in;
	decode_ok(what, b, n, &in);
	fio_reset();
	int rc = arch_emulate(&in, uc, &env.fio.io);
	CHECK(rc == 0, "%s: %s", what, err_text(rc));
}

static bool filled(const uint8_t *p, int v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static void test_vector_frame(void)
{
	struct cpu c;
	ucontext_t uc;
	bool zmm = (frame_features() & 0xe0) == 0xe0;


	memset(&c, 0, sizeof c);
	c.gpr[RDI] = (uint64_t)env.dev + 64;
	memset(env.shadow + 64, 0x5a, 32);

	/* legacy SSE load: the bits above the xmm are kept */
	uc_build(&uc, &c, (uint64_t)env.code);
	memset(ymm_hi(3), 0xee, 16);
	if (zmm)
		memset(zmm_hi(3), 0xdd, 32);
	run_on("movdqu", MOVDQU_LD, sizeof MOVDQU_LD, &uc);
	CHECK(filled(xmm_slot(3), 0x5a, 16) && filled(ymm_hi(3), 0xee, 16), "movdqu: xmm3/ymm3 upper");
	CHECK(!zmm || filled(zmm_hi(3), 0xdd, 32), "movdqu: zmm3 upper must be kept");

	/* legacy movd: bytes 4..15 zeroed, upper ymm kept */
	memset(xmm_slot(3), 0x11, 16);
	run_on("movd", MOVD_LD, sizeof MOVD_LD, &uc);
	CHECK(filled(xmm_slot(3), 0x5a, 4) && filled(xmm_slot(3) + 4, 0, 12) && filled(ymm_hi(3), 0xee, 16),
	      "movd: xmm3 low 4 loaded, rest of xmm zero, ymm upper kept");

	/* VEX.128 load: everything above 128 bits zeroed */
	run_on("vmovdqu xmm", VMOVDQU_LD128, sizeof VMOVDQU_LD128, &uc);
	CHECK(filled(xmm_slot(3), 0x5a, 16) && filled(ymm_hi(3), 0, 16), "vmovdqu xmm: ymm3 upper zeroed");
	CHECK(!zmm || filled(zmm_hi(3), 0, 32), "vmovdqu xmm: zmm3 upper zeroed");

	/* VEX.256 load with YMM state in its initial state (XSTATE_BV bit 2
	 * clear, the area's bytes meaningless): the component is zeroed,
	 * marked live, and register 3 written */
	uc_build(&uc, &c, (uint64_t)env.code);
	*bv() &= ~4ull;
	memset(frame_area() + X86_XSAVE_YMM_OFFSET, 0x77, 256);
	run_on("vmovdqu ymm", VMOVDQU_LD256, sizeof VMOVDQU_LD256, &uc);
	CHECK(*bv() & 4, "vmovdqu ymm: XSTATE_BV bit 2 set");
	CHECK(filled(ymm_hi(3), 0x5a, 16) && filled(ymm_hi(2), 0, 16) && filled(ymm_hi(4), 0, 16),
	      "vmovdqu ymm: upper halves of ymm3 loaded, of the others zero");

	/* SSE state in its initial state: the other xmm registers read as zero */
	uc_build(&uc, &c, (uint64_t)env.code);
	*bv() &= ~2ull;
	memset(frame_area() + 160, 0x33, 256);
	run_on("movdqu with SSE init", MOVDQU_LD, sizeof MOVDQU_LD, &uc);
	CHECK((*bv() & 2) && filled(xmm_slot(3), 0x5a, 16) && filled(xmm_slot(0), 0, 16) &&
	      filled(xmm_slot(15), 0, 16), "movdqu: SSE component initialised, xmm3 loaded");

	/* no XSAVE data in the frame (plain fxsave): legacy SSE works, AVX is refused */
	uc_build(&uc, &c, (uint64_t)env.code);
	memset(frame_area() + X86_FX_SW_OFFSET, 0, 48);
	run_on("movdqu without xsave", MOVDQU_LD, sizeof MOVDQU_LD, &uc);
	CHECK(filled(xmm_slot(3), 0x5a, 16), "movdqu without xsave: xmm3");
	{
		struct insn in;
		decode_ok("vmovdqu", VMOVDQU_LD256, sizeof VMOVDQU_LD256, &in);
		emulate_fails("vmovdqu ymm without YMM state", &in, &uc, MMIO_E_UNSUPPORTED, 0);
		decode_ok("vmovdqu", VMOVDQU_LD128, sizeof VMOVDQU_LD128, &in);
		emulate_fails("vmovdqu xmm without YMM state", &in, &uc, MMIO_E_UNSUPPORTED, 0);
	}
	/* a frame without the AVX-512 components: ymm17, zmm3 and masks refused */
	uc_build(&uc, &c, (uint64_t)env.code);
	{
		uint64_t features = frame_features() & 7;
		memcpy(frame_area() + X86_FX_SW_OFFSET + 8, &features, 8);
		struct insn in;
		decode_ok("vmovdqu64", EVEX_LD_YMM17, sizeof EVEX_LD_YMM17, &in);
		emulate_fails("ymm17 without AVX-512 state", &in, &uc, MMIO_E_UNSUPPORTED, 0);
		decode_ok("vmovdqu64 zmm", EVEX_LD_ZMM3, sizeof EVEX_LD_ZMM3, &in);
		emulate_fails("zmm3 without AVX-512 state", &in, &uc, MMIO_E_UNSUPPORTED, 0);
		decode_ok("masked store", MASKED_ST8, sizeof MASKED_ST8, &in);
		emulate_fails("masked store without opmask state", &in, &uc, MMIO_E_UNSUPPORTED, 0);
	}
	if (zmm) {
		/* zmm3 load: ZMM_Hi256 written; opmask component in its initial
		 * state: k1 reads as 0, a masked store writes nothing, a masked
		 * zeroing load reads nothing and zeroes the register */
		uc_build(&uc, &c, (uint64_t)env.code);
		memset(env.shadow + 64, 0x5a, 64);
		run_on("vmovdqu64 zmm", EVEX_LD_ZMM3, sizeof EVEX_LD_ZMM3, &uc);
		CHECK(filled(xmm_slot(3), 0x5a, 16) && filled(ymm_hi(3), 0x5a, 16) && filled(zmm_hi(3), 0x5a, 32),
		      "vmovdqu64 zmm3: all 64 bytes in the frame");
		*bv() &= ~0x20ull;
		memset(frame_area() + xcomp_offset(5), 0xff, 64);
		run_on("masked store, k1 initial", MASKED_ST8, sizeof MASKED_ST8, &uc);
		CHECK(env.fio.n == 0, "masked store with k1 in its initial state: %d io calls", env.fio.n);
		run_on("masked load, k1 initial", MASKED_LD8Z, sizeof MASKED_LD8Z, &uc);
		CHECK(env.fio.n == 0 && filled(xmm_slot(3), 0, 16) && filled(ymm_hi(3), 0, 16) && filled(zmm_hi(3), 0, 32),
		      "masked zeroing load with k1 in its initial state: %d io calls, zmm3 zeroed", env.fio.n);
		CHECK(!(*bv() & 0x20), "the opmask component stays in its initial state");
	}
	/* no FPU area at all */
	uc_build(&uc, &c, (uint64_t)env.code);
	uc.uc_mcontext.fpregs = NULL;
	{
		struct insn in;
		decode_ok("movdqu", MOVDQU_LD, sizeof MOVDQU_LD, &in);
		ucontext_t before = uc;
		fio_reset();
		CHECK(arch_emulate(&in, &uc, &env.fio.io) == MMIO_E_UNSUPPORTED && env.fio.n == 0,
		      "movdqu without FPU area");
		CHECK(!memcmp(&before, &uc, sizeof uc), "movdqu without FPU area: context changed");
	}
}

static void test_interface(void)
{
	struct insn in;
	ucontext_t uc;
	struct cpu c;

	/* text: mnemonic and operands; pc, kind, width */
	decode_ok("mov", MOVL_MEM_EAX, sizeof MOVL_MEM_EAX, &in);
	CHECK(!strcmp(in.text, "mov eax, dword ptr [rdi]"), "text \"%s\"", in.text);
	CHECK(in.pc == (uint64_t)env.code && in.kind == INSN_LOAD && in.width == 4, "mov: pc/kind/width");
	decode_ok("add", ADDL_EAX_MEM, sizeof ADDL_EAX_MEM, &in);
	CHECK(in.kind == INSN_RMW && in.width == 4, "add: kind %d width %d", in.kind, in.width);
	decode_ok("rep movsb", REP_MOVSB, sizeof REP_MOVSB, &in);
	CHECK(in.kind == INSN_COPY && in.width == 1, "rep movsb: kind %d width %d", in.kind, in.width);

	/* decoding reads no more than the instruction: trailing bytes ignored */
	uint8_t more[16] = { 0x8b, 0x07, 0xff, 0xff, 0xff };
	decode_ok("mov + junk", more, sizeof more, &in);
	CHECK(in.len == 2, "mov + junk: length %u", in.len);

	/* long operand text is cut, not overflowed */
	static const uint8_t longest[] = { 0x65, 0x48, 0xc7, 0x84, 0x88, 0x78, 0x56, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12 };
	decode_bytes(longest, sizeof longest, &in);	/* movq $imm, %gs:disp(%rax,%rcx,4) */
	CHECK(strlen(in.text) < sizeof in.text, "text length");

	/* arch_pc, and the data address of the string instructions */
	cpu_random(&c);
	c.gpr[RSI] = (uint64_t)env.mem;
	c.gpr[RDI] = (uint64_t)env.dev;
	c.gpr[RCX] = 4;
	uc_build(&uc, &c, 0x123456);
	CHECK(arch_pc(&uc) == 0x123456, "arch_pc");
	decode_ok("rep movsb", REP_MOVSB, sizeof REP_MOVSB, &in);
	CHECK(arch_data_address(&in, &uc) == (uint64_t)env.mem, "rep movsb: source first");
	uc.uc_mcontext.gregs[REG_CR2] = (long long)(uint64_t)env.dev + 2;
	CHECK(arch_data_address(&in, &uc) == (uint64_t)env.dev, "rep movsb faulting on the destination");
	decode_ok("stosl", STOSL, sizeof STOSL, &in);
	CHECK(arch_data_address(&in, &uc) == (uint64_t)env.dev, "stosl: rdi");
}

/* "vector-frame": only the rules of the vector registers in the XSAVE
 * area, a test of its own: on a CPU without AVX (or XSAVE) it did not run
 * and says so (exit 77), never a pass. */
int main(int argc, char **argv)
{
	env_init();
	if (argc == 2 && !strcmp(argv[1], "vector-frame")) {
		if (!env.avx || !frame_size()) {
			printf("SKIP: the CPU has no AVX or XSAVE: the vector frame rules did not run\n");
			return 77;
		}
		test_vector_frame();
		printf("vector frame rules checked, %d failures\n", failures);
		return failures ? 1 : 0;
	}
	if (argc != 1) {
		fprintf(stderr, "usage: %s [vector-frame]\n", argv[0]);
		return 2;
	}
	test_refusals();
	test_undecodable();
	test_emulate_failures();
	test_interface();
	printf("%zu refusals checked, %d failures\n", sizeof refusals / sizeof refusals[0], failures);
	return failures ? 1 : 0;
}
