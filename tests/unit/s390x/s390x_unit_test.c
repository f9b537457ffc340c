/* s390x decoder/emulator behaviour that a native run cannot show:
 * refusals (interlocked, unsupported, undecodable) leave the context alone
 * and make no access; a failing device access leaves the context alone;
 * the SIGILL case (PSW already past the instruction) resumes at the right
 * place; masks of zero and false conditions make no access; the exact data
 * address; EXECUTE of what cannot be executed; text for what capstone
 * cannot decode. Runs arch_decode/arch_emulate on a built ucontext. */
#include <stddef.h>
#include <string.h>

#include "s390x_harness.h"

__asm__(".machine \"z15\"\n");

#define INSN(name, text) \
	__asm__(".pushsection .rodata\n.balign 2\nu_" #name ":\n" text "\n.popsection\n"); \
	extern const uint8_t u_##name[];

/* refused as interlocked */
INSN(cs, "cs %r1,%r3,8(%r2)")
INSN(csy, "csy %r1,%r3,8(%r2)")
INSN(csg, "csg %r1,%r3,8(%r2)")
INSN(cds, "cds %r4,%r6,8(%r2)")
INSN(cdsy, "cdsy %r4,%r6,8(%r2)")
INSN(cdsg, "cdsg %r4,%r6,8(%r2)")
INSN(laa, "laa %r1,%r3,8(%r2)")
INSN(laag, "laag %r1,%r3,8(%r2)")
INSN(laal, "laal %r1,%r3,8(%r2)")
INSN(laalg, "laalg %r1,%r3,8(%r2)")
INSN(lan, "lan %r1,%r3,8(%r2)")
INSN(lang, "lang %r1,%r3,8(%r2)")
INSN(lao, "lao %r1,%r3,8(%r2)")
INSN(laog, "laog %r1,%r3,8(%r2)")
INSN(lax, "lax %r1,%r3,8(%r2)")
INSN(laxg, "laxg %r1,%r3,8(%r2)")
INSN(ts, "ts 8(%r2)")
INSN(csst, "csst 8(%r2),0(%r5),%r3")
INSN(lpd, "lpd %r4,8(%r2),0(%r5)")
INSN(lpdg, "lpdg %r4,8(%r2),0(%r5)")
INSN(lpq, "lpq %r4,8(%r2)")
INSN(stpq, "stpq %r4,8(%r2)")
INSN(plo, "plo %r4,8(%r2),%r6,0(%r5)")
/* refused as unsupported */
INSN(mvcle, "mvcle %r4,%r6,0x5a")
INSN(clcle, "clcle %r4,%r6,0")
INSN(lat, "lat %r1,8(%r2)")
INSN(lgat, "lgat %r1,8(%r2)")
INSN(cvb, "cvb %r1,8(%r2)")
INSN(clm, "clm %r1,5,8(%r2)")
INSN(lzrf, "lzrf %r1,8(%r2)")
INSN(cdb, "cdb %f1,8(%r2)")
INSN(adb, "adb %f1,8(%r2)")
/* supported, for the behaviour checks */
INSN(l, "l %r1,8(%r2)")
INSN(lm, "lm %r4,%r7,8(%r2)")
INSN(asi, "asi 8(%r2),-1")
INSN(icm0, "icm %r1,0,8(%r2)")
INSN(stcm0, "stcm %r1,0,8(%r2)")
INSN(loc, "loc %r1,8(%r2),8")
INSN(lrvh, "lrvh %r1,8(%r2)")
INSN(llgt, "llgt %r1,-8(%r3,%r2)")
INSN(mvc, "mvc 16(4,%r2),32(%r3)")
INSN(ex, "ex %r0,0(%r5)")
INSN(vl, "vl %v1,8(%r2)")
INSN(ntstg, "ntstg %r1,8(%r2)")

struct refusal {
	const char *name;
	const uint8_t *code;
	int err;		/* arch_decode's return */
	int refuse;
	uint64_t addr;		/* expected arch_data_address with r2 = 0x10000, r5 = 0x20000; 0: none */
};

#define A(n) { #n, u_##n, 0, MMIO_E_ATOMIC, 0x10008 }
static const struct refusal refusals[] = {
	A(cs), A(csy), A(csg), A(cds), A(cdsy), A(cdsg), A(laa), A(laag), A(laal), A(laalg),
	A(lan), A(lang), A(lao), A(laog), A(lax), A(laxg), A(ts), A(csst), A(lpd), A(lpdg),
	A(lpq), A(stpq), A(plo),
	{ "clcle", u_clcle, 0, MMIO_E_UNSUPPORTED, 0 },
	{ "lat", u_lat, 0, MMIO_E_UNSUPPORTED, 0x10008 },
	{ "lgat", u_lgat, 0, MMIO_E_UNSUPPORTED, 0x10008 },
	/* capstone decodes them, the table does not */
	{ "cdb", u_cdb, 0, MMIO_E_UNSUPPORTED, 0x10008 },
	{ "adb", u_adb, 0, MMIO_E_UNSUPPORTED, 0x10008 },
	/* nobody decodes them (capstone 4.0.2) */
	{ "cvb", u_cvb, MMIO_E_DECODE, MMIO_E_DECODE, 0x10008 },
	{ "clm", u_clm, MMIO_E_DECODE, MMIO_E_DECODE, 0x10008 },
	{ "lzrf", u_lzrf, MMIO_E_DECODE, MMIO_E_DECODE, 0x10008 },	/* z13: nobody decodes it */
};

static void base_cpu(struct cpu *c)
{
	for (int i = 0; i < 16; i++)
		c->g[i] = 0x0101010101010101ull * (uint64_t)(i + 1);
	c->g[2] = 0x10000;
	c->g[5] = 0x20000;
	c->cc = 2;
}

static struct insn decode(const uint8_t *code, int *err)
{
	struct insn in;
	*err = arch_decode(env.cs, env.scratch, code, 6, (uintptr_t)code, &in);
	return in;
}

static void test_refusals_leave_the_context_unchanged_and_make_no_access(void)
{
	for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
		const struct refusal *r = &refusals[i];
		struct cpu c;
		ucontext_t uc, before;
		int err;
		base_cpu(&c);
		struct insn in = decode(r->code, &err);
		CHECK(err == r->err && in.refuse == r->refuse, "%s: decode %d refuse %d (%s)", r->name, err, in.refuse,
		      in.text);
		CHECK(in.len == s390x_ilen(r->code[0]), "%s: length %u", r->name, in.len);
		CHECK(in.text[0], "%s: no text", r->name);
		uc_init(&uc, &c, in.pc);
		before = uc;
		fio_reset();
		CHECK(arch_emulate(&in, &uc, &env.fio.io) == r->refuse, "%s: emulate", r->name);
		CHECK(!memcmp(&uc, &before, sizeof uc), "%s: context changed", r->name);
		CHECK(env.fio.n == 0, "%s: %d io calls", r->name, env.fio.n);
		if (r->addr)
			CHECK(arch_data_address(&in, &uc) == r->addr, "%s: data address %llx", r->name,
			      (unsigned long long)arch_data_address(&in, &uc));
		printf("refused  %-6s `%s`: %s\n", r->name, in.text, err_text(in.refuse));
	}
}

/* A load whose device read fails, an LM whose third read fails, an ASI
 * whose write fails: nothing changes in the context. */
static void test_failed_device_access_leaves_the_context_unchanged(void)
{
	struct { const char *name; const uint8_t *code; int fail_call; int calls; } cases[] = {
		{ "l", u_l, 1, 1 }, { "lm", u_lm, 3, 3 }, { "asi", u_asi, 2, 2 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct cpu c;
		ucontext_t uc, before;
		int err;
		base_cpu(&c);
		c.g[2] = (uintptr_t)env.dev;
		struct insn in = decode(cases[i].code, &err);
		uc_init(&uc, &c, in.pc);
		before = uc;
		fio_reset();
		env.fio.fail_call = cases[i].fail_call;
		CHECK(arch_emulate(&in, &uc, &env.fio.io) == MMIO_E_DEVICE, "%s: the failure is returned", cases[i].name);
		CHECK(!memcmp(&uc, &before, sizeof uc), "%s: context changed", cases[i].name);
		CHECK(env.fio.n == cases[i].calls, "%s: %d calls", cases[i].name, env.fio.n);
	}
}

/* SIGILL on a real BAR mapping: the PSW already points past the
 * instruction; resume is at pc + length, not past it again. */
static void test_sigill_resumes_after_the_instruction_once(void)
{
	struct cpu c;
	ucontext_t uc;
	int err;
	base_cpu(&c);
	c.g[2] = (uintptr_t)env.dev;
	struct insn in = decode(u_l, &err);
	uc_init(&uc, &c, in.pc + in.len);
	fio_reset();
	CHECK(arch_emulate(&in, &uc, &env.fio.io) == 0, "l");
	CHECK(uc.uc_mcontext.psw.addr == in.pc + in.len, "psw %llx", (unsigned long long)uc.uc_mcontext.psw.addr);
	CHECK(arch_pc(&uc) == in.pc + in.len, "arch_pc");
}

static void test_zero_masks_and_false_conditions_make_no_access(void)
{
	struct cpu c;
	ucontext_t uc;
	int err;
	base_cpu(&c);
	c.g[2] = (uintptr_t)env.dev;
	c.cc = 1;

	struct insn in = decode(u_icm0, &err);
	uc_init(&uc, &c, in.pc);
	fio_reset();
	CHECK(arch_emulate(&in, &uc, &env.fio.io) == 0 && env.fio.n == 0, "icm mask 0: %d calls", env.fio.n);
	CHECK(((uc.uc_mcontext.psw.mask >> S390X_CC_SHIFT) & 3) == 0, "icm mask 0 sets cc 0");
	CHECK(uc.uc_mcontext.gregs[1] == c.g[1], "icm mask 0 keeps r1");

	in = decode(u_stcm0, &err);
	uc_init(&uc, &c, in.pc);
	fio_reset();
	CHECK(arch_emulate(&in, &uc, &env.fio.io) == 0 && env.fio.n == 0, "stcm mask 0: %d calls", env.fio.n);

	in = decode(u_loc, &err);	/* mask 8: cc 0 */
	uc_init(&uc, &c, in.pc);
	fio_reset();
	CHECK(arch_emulate(&in, &uc, &env.fio.io) == 0 && env.fio.n == 0, "loc false: %d calls", env.fio.n);
	CHECK(uc.uc_mcontext.psw.addr == in.pc + in.len, "loc false advances");
	c.cc = 0;
	uc_init(&uc, &c, in.pc);
	fio_reset();
	CHECK(arch_emulate(&in, &uc, &env.fio.io) == 0 && env.fio.n == 1, "loc true: %d calls", env.fio.n);
}

/* Register 0 as base or index means 0; 20-bit displacements are signed. */
static void test_the_data_address_is_exact(void)
{
	struct cpu c;
	ucontext_t uc;
	int err;
	base_cpu(&c);
	c.g[3] = 0x100;
	struct insn in = decode(u_llgt, &err);	/* llgt %r1,-8(%r3,%r2) */
	uc_init(&uc, &c, in.pc);
	CHECK(arch_data_address(&in, &uc) == 0x10000 + 0x100 - 8, "llgt: %llx",
	      (unsigned long long)arch_data_address(&in, &uc));
	in = decode(u_mvc, &err);		/* mvc 16(4,%r2),32(%r3): the first operand */
	c.g[3] = 0x30000;
	uc_init(&uc, &c, in.pc);
	CHECK(arch_data_address(&in, &uc) == 0x10010, "mvc: %llx", (unsigned long long)arch_data_address(&in, &uc));
	CHECK(in.kind == INSN_COPY, "mvc is a block copy");
}

/* EX of: an interlocked instruction, another EX, something unknown. */
static void test_execute_refuses_what_it_cannot_execute(void)
{
	static uint8_t target[8] __attribute__((aligned(8)));
	struct { const char *name; const uint8_t *code; int err; } cases[] = {
		{ "ex cs", u_cs, MMIO_E_ATOMIC }, { "ex ex", u_ex, MMIO_E_UNSUPPORTED },
		{ "ex lzrf", u_lzrf, MMIO_E_UNSUPPORTED }, { "ex l", u_l, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct cpu c;
		ucontext_t uc, before;
		int err;
		memcpy(target, cases[i].code, 6);
		base_cpu(&c);
		c.g[5] = (uintptr_t)target;
		c.g[2] = (uintptr_t)env.dev;
		struct insn in = decode(u_ex, &err);
		CHECK(!err && !in.refuse && in.len == 4, "ex decodes");
		uc_init(&uc, &c, in.pc);
		before = uc;
		fio_reset();
		int e = arch_emulate(&in, &uc, &env.fio.io);
		CHECK(e == cases[i].err, "%s: %s", cases[i].name, err_text(e));
		if (e)
			CHECK(!memcmp(&uc, &before, sizeof uc) && env.fio.n == 0, "%s: context or io", cases[i].name);
		else
			CHECK(uc.uc_mcontext.psw.addr == in.pc + 4 && env.fio.n == 1, "%s: resumes after the ex",
			      cases[i].name);
	}
}

/* What capstone 4.0.2 cannot decode still gets a text, from the table. */
static void test_text_for_what_capstone_cannot_decode(void)
{
	int err;
	struct insn in = decode(u_lrvh, &err);
	CHECK(!err && !strncmp(in.text, "lrvh %r1,", 9), "lrvh: `%s`", in.text);
	printf("text: `%s`\n", in.text);
	in = decode(u_ntstg, &err);
	CHECK(!err && !in.refuse && in.kind == INSN_STORE && in.width == 8, "ntstg: `%s`", in.text);
	printf("text: `%s`\n", in.text);
}

/* MVCLE moves at most 256 bytes per execution and says cc 3 until done. */
static void test_mvcle_moves_in_chunks_until_done(void)
{
	struct cpu c;
	ucontext_t uc;
	int err;
	base_cpu(&c);
	c.g[4] = (uintptr_t)env.dev;
	c.g[5] = 600;
	c.g[6] = (uintptr_t)env.mem;
	c.g[7] = 300;
	struct insn in = decode(u_mvcle, &err);
	CHECK(!err && !in.refuse && in.kind == INSN_COPY, "mvcle decodes");
	unsigned rounds = 0, cc = 3;
	while (cc == 3 && rounds < 10) {
		uc_init(&uc, &c, in.pc);
		CHECK(arch_data_address(&in, &uc) == c.g[4], "mvcle data address is the destination");
		fio_reset();
		CHECK(arch_emulate(&in, &uc, &env.fio.io) == 0, "mvcle");
		CHECK(env.fio.n >= 1 && env.fio.call[env.fio.n - 1].dir == 'W' && env.fio.call[env.fio.n - 1].len <= 256,
		      "mvcle: one write of at most 256 bytes");
		for (int i = 0; i < 16; i++)
			c.g[i] = uc.uc_mcontext.gregs[i];
		cc = (unsigned)(uc.uc_mcontext.psw.mask >> S390X_CC_SHIFT) & 3;
		rounds++;
	}
	CHECK(rounds == 3 && cc == 2, "mvcle: %u rounds, cc %u", rounds, cc);
	CHECK(c.g[4] == (uintptr_t)env.dev + 600 && c.g[5] == 0 && c.g[6] == (uintptr_t)env.mem + 300 && c.g[7] == 0,
	      "mvcle: registers at the end");
	CHECK(env.shadow[299] == env.mem[299] && env.shadow[300] == 0x5a && env.shadow[599] == 0x5a, "mvcle: contents");
}

/* Without UC_VXRS in the frame there are no vector registers to use. */
static void test_vector_without_an_extended_frame_is_refused(void)
{
	struct cpu c;
	ucontext_t uc, before;
	int err;
	base_cpu(&c);
	c.g[2] = (uintptr_t)env.dev;
	struct insn in = decode(u_vl, &err);
	uc_init(&uc, &c, in.pc);
	uc.uc_flags = 0;
	before = uc;
	fio_reset();
	CHECK(arch_emulate(&in, &uc, &env.fio.io) == MMIO_E_UNSUPPORTED, "vl without UC_VXRS");
	CHECK(!memcmp(&uc, &before, sizeof uc) && env.fio.n == 0, "vl: context or io");
}

/* The extended frame's vector area starts where glibc's ucontext_t ends. */
extern const size_t s390x_kernel_ext_offset;
static void test_the_vector_area_offset_matches_the_kernel_header(void)
{
	CHECK(s390x_kernel_ext_offset == sizeof(ucontext_t), "kernel %zu, glibc ucontext_t %zu",
	      s390x_kernel_ext_offset, sizeof(ucontext_t));
}

int main(void)
{
	env_init();
	test_refusals_leave_the_context_unchanged_and_make_no_access();
	test_failed_device_access_leaves_the_context_unchanged();
	test_sigill_resumes_after_the_instruction_once();
	test_zero_masks_and_false_conditions_make_no_access();
	test_the_data_address_is_exact();
	test_execute_refuses_what_it_cannot_execute();
	test_text_for_what_capstone_cannot_decode();
	test_vector_without_an_extended_frame_is_refused();
	test_mvcle_moves_in_chunks_until_done();
	test_the_vector_area_offset_matches_the_kernel_header();
	printf("%d failures\n", failures);
	return failures ? 1 : 0;
}
