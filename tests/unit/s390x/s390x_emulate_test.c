/* Every supported s390x instruction, as the assembler encodes it, run twice
 * with the same random registers, condition code, vector registers and
 * storage: once natively on readable memory, once with the device page
 * PROT_NONE and each fault emulated through arch_decode + arch_emulate and
 * a fake device. Registers, condition code, vector registers, device and
 * memory contents must be equal, and the device must have seen exactly the
 * calls the instruction makes. Also: the table decodes every case to the
 * mnemonic the assembler was given, capstone (where it can decode) agrees,
 * and every supported row of the table is covered. */
#include <stdlib.h>
#include <string.h>

#include "s390x_harness.h"
#include "s390x_cases.h"

__asm__(".machine \"z15\"\n");

#define EMIT(name, regs, calls, text) \
	__asm__(".pushsection .rodata\n.balign 2\ncase_" #name ":\n" text "\ncase_" #name "_end:\n.popsection\n");
S390X_CASES(EMIT)

/* Decoded only: qemu has no transactional-execution facility. */
__asm__(".pushsection .rodata\n.balign 2\ncase_ntstg:\nntstg %r1,8(%r2)\n.popsection\n");
extern const uint8_t case_ntstg[];

#define DECLARE(name, regs, calls, text) extern const uint8_t case_##name[], case_##name##_end[];
S390X_CASES(DECLARE)

struct tcase {
	const char *name, *regs, *calls, *text;
	const uint8_t *start, *end;
};

#define ENTRY(name, regs, calls, text) { #name, regs, calls, text, case_##name, case_##name##_end },
static const struct tcase cases[] = { S390X_CASES(ENTRY) };

#define ITERATIONS 48

static bool covered[512];

static void set_regs(const struct tcase *t, struct cpu *c)
{
	char spec[128];
	strncpy(spec, t->regs, sizeof spec - 1);
	spec[sizeof spec - 1] = 0;
	for (char *tok = strtok(spec, " "); tok; tok = strtok(NULL, " ")) {
		int r = atoi(tok + 1);
		char *v = strchr(tok, '=') + 1;
		uint64_t base = 0;
		if (*v == 'D')
			base = (uintptr_t)env.dev;
		else if (*v == 'M')
			base = (uintptr_t)env.mem;
		else if (*v == 'T')
			base = tail_address();
		if (*v == '#')
			c->g[r] = strtoull(v + 1, NULL, 0);
		else
			c->g[r] = base + (uint64_t)strtoll(v + 1, NULL, 0);
	}
}

/* "R4 W4": the device calls made. */
static void device_calls(char *buf, size_t cap)
{
	size_t n = 0;
	buf[0] = 0;
	for (int i = 0; i < env.fio.n && i < IO_MAX; i++) {
		if (!env.fio.call[i].dev)
			continue;
		n += (size_t)snprintf(buf + n, cap - n, "%s%c%zu", n ? " " : "", env.fio.call[i].dir,
				      env.fio.call[i].len);
		if (n >= cap)
			break;
	}
}

static void check_decode(const struct tcase *t)
{
	struct s390x_decoded x;
	const struct s390x_row *row = s390x_decode_bytes(t->start, (size_t)(t->end - t->start), &x);
	char mnemonic[16] = "";
	sscanf(t->text, "%15s", mnemonic);

	CHECK(row, "%s: the table does not decode `%s`", t->name, t->text);
	if (!row)
		return;
	covered[row - s390x_rows] = true;
	CHECK(!strcmp(row->mnemonic, mnemonic), "%s: `%s` decodes as %s", t->name, t->text, row->mnemonic);
	CHECK(x.len == s390x_ilen(t->start[0]), "%s: length", t->name);

	struct insn in;
	int err = arch_decode(env.cs, env.scratch, t->start, x.len, (uintptr_t)t->start, &in);
	CHECK(!err && !in.refuse && in.len == x.len, "%s: arch_decode %d refuse %d", t->name, err, in.refuse);
	/* capstone, where it can decode, names the same instruction */
	const uint8_t *p = t->start;
	size_t left = x.len;
	uint64_t addr = (uintptr_t)t->start;
	if (cs_disasm_iter(env.cs, &p, &left, &addr, env.scratch))
		CHECK(!strncmp(env.scratch->mnemonic, row->mnemonic, strlen(row->mnemonic)),
		      "%s: capstone says %s, the table %s", t->name, env.scratch->mnemonic, row->mnemonic);
}

/* QEMU's TCG (7.2 at least) has op_stmh shift the register left, not
 * right, by 32 and so stores zeros: check STMH against the Principles of
 * Operation (bits 0-31 of each register, in register order) instead. */
static void qemu_deviation(const struct tcase *t, const struct cpu *in, uint8_t *dev_native)
{
	static bool said;
	if (strcmp(t->name, "stmh"))
		return;
	if (!said)
		printf("note: stmh checked against the architected result (QEMU's TCG stores zeros)\n");
	said = true;
	uint8_t *p = dev_native + (in->g[2] - (uintptr_t)env.dev) + 8;
	for (int r = 3; r <= 4; r++, p += 4)
		for (int k = 0; k < 4; k++)
			p[k] = (uint8_t)(in->g[r] >> (56 - 8 * k));
}

static bool is_vector(const struct tcase *t)
{
	return t->text[0] == 'v';
}

static void run_case(const struct tcase *t, unsigned *cc_seen)
{
	size_t len = s390x_ilen(t->start[0]);
	const uint8_t *tail = t->start + len;
	size_t tail_len = (size_t)(t->end - tail);
	static uint8_t dev0[PAGE], mem0[PAGE], dev_native[PAGE], mem_native[PAGE];

	for (int it = 0; it < ITERATIONS; it++) {
		struct cpu in, native, emulated;
		for (int i = 0; i < 16; i++)
			in.g[i] = rnd_value();
		in.cc = (unsigned)rnd() & 3;
		for (int i = 0; i < 32; i++)
			for (int k = 0; k < 16; k++)
				in.v[i][k] = (uint8_t)rnd();
		set_regs(t, &in);
		fill_random(dev0, PAGE);
		fill_random(mem0, PAGE);

		native = in;
		memcpy(env.dev, dev0, PAGE);
		memcpy(env.mem, mem0, PAGE);
		if (run_insn(t->start, len, tail, tail_len, &native, false)) {
			CHECK(0, "%s: native run faulted", t->name);
			return;
		}
		memcpy(dev_native, env.dev, PAGE);
		memcpy(mem_native, env.mem, PAGE);
		qemu_deviation(t, &in, dev_native);

		emulated = in;
		memcpy(env.shadow, dev0, PAGE);
		memset(env.dev, 0, PAGE);
		memcpy(env.mem, mem0, PAGE);
		fio_reset();
		env.last_data_address = 0;
		if (run_insn(t->start, len, tail, tail_len, &emulated, true)) {
			CHECK(0, "%s (%s): the handler could not emulate: %s", t->name, t->text, err_text(env.err));
			return;
		}
		cc_seen[native.cc]++;

		char what[200];
		snprintf(what, sizeof what, "%s `%s` iteration %d", t->name, t->text, it);
		for (int i = 0; i < 16; i++)
			CHECK(native.g[i] == emulated.g[i], "%s: r%d native %016llx emulated %016llx (in %016llx)", what, i,
			      (unsigned long long)native.g[i], (unsigned long long)emulated.g[i],
			      (unsigned long long)in.g[i]);
		CHECK(native.cc == emulated.cc, "%s: cc native %u emulated %u (in %u)", what, native.cc, emulated.cc, in.cc);
		if (env.vx)
			for (int i = 0; i < 32; i++)
				CHECK(!memcmp(native.v[i], emulated.v[i], 16), "%s: v%d differs", what, i);
		CHECK(!memcmp(dev_native, env.shadow, PAGE), "%s: the device's contents differ", what);
		CHECK(!memcmp(mem_native, env.mem, PAGE), "%s: memory differs", what);

		char calls[512];
		device_calls(calls, sizeof calls);
		if (strcmp(t->calls, "*")) {
			CHECK(!strcmp(calls, t->calls), "%s: device calls `%s`, expected `%s`", what, calls, t->calls);
			CHECK(env.traps == (t->calls[0] ? 1 : 0), "%s: %d traps", what, env.traps);
		}
		/* the exact data address: one of the accesses made (the first, but
		 * for a storage-to-storage instruction: its first operand) */
		if (env.traps && env.fio.n) {
			bool found = false;
			for (int i = 0; i < env.fio.n && i < IO_MAX; i++)
				found |= env.fio.call[i].addr == env.last_data_address;
			CHECK(found, "%s: arch_data_address %llx is none of the accesses", what,
			      (unsigned long long)env.last_data_address);
		}
	}
}

/* Two tests: "base" (every case that is not a vector instruction, and the
 * decoding and coverage checks of all) and "vector" (the vector cases,
 * which need the vector facility: without it they did not run, exit 77,
 * never a pass). */
int main(int argc, char **argv)
{
	bool vector = argc == 2 && !strcmp(argv[1], "vector");

	if (argc != 2 || (!vector && strcmp(argv[1], "base"))) {
		fprintf(stderr, "usage: %s base|vector\n", argv[0]);
		return 2;
	}
	env_init();
	if (vector && !env.vx) {
		printf("SKIP: no vector facility: the vector cases did not run\n");
		return 77;
	}
	int ran = 0;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct tcase *t = &cases[i];
		unsigned cc_seen[4] = { 0 };
		check_decode(t);
		if (is_vector(t) != vector)
			continue;
		run_case(t, cc_seen);
		ran++;
		printf("%-10s %-34s cc seen %u/%u/%u/%u\n", t->name, t->text, cc_seen[0], cc_seen[1], cc_seen[2], cc_seen[3]);
	}

	/* NTSTG: decoded only */
	struct s390x_decoded x;
	const struct s390x_row *row = s390x_decode_bytes(case_ntstg, 6, &x);
	CHECK(row && !strcmp(row->mnemonic, "ntstg") && x.r1 == 1 && x.m[0].b == 2 && x.m[0].d == 8, "ntstg");
	if (row)
		covered[row - s390x_rows] = true;

	for (unsigned i = 0; i < s390x_row_count; i++)
		CHECK(covered[i] || s390x_rows[i].op == S390X_OP_REFUSE, "row %s has no case", s390x_rows[i].mnemonic);
	printf("%d %s cases run, %d failures\n", ran, argv[1], failures);
	return failures ? 1 : 0;
}
