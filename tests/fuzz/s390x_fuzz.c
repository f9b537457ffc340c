/* Fuzz target of the s390x decoder and emulator, the s390x side of
 * x86_fuzz.c: an instruction the decoder accepts runs twice from the same
 * random registers, condition code, vector registers and storage
 * (tests/unit/s390x's harness): natively on readable memory, and with
 * the device page PROT_NONE and the fault emulated against a fake device.
 * Registers, condition code, vector registers, device and memory must
 * agree; a refusal is fine. On an x86_64 host it runs under qemu-s390x,
 * whose CPU is the native side.
 *
 * Input: the instruction's bytes (its length from the first byte's two
 * top bits; missing bytes are 0), the rest seeds the register file.
 * The driver: fuzz_main.c. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "s390x_harness.h"

#define STATES 4	/* register files per input */

unsigned long fuzz_accepted;
const char fuzz_name[] = "s390x_fuzz";

/* Put storage operand m at target: its base register holds target minus
 * the displacement, its index register 0. False when that cannot be (no
 * base, base and index the same, a register already placed). */
static bool place(const struct s390x_mem *m, uint64_t target, struct cpu *c, uint32_t *used)
{
	if (!m->b || m->b == m->x || (*used >> m->b & 1) || (m->x && (*used >> m->x & 1)))
		return false;
	c->g[m->b] = target - (uint64_t)(int64_t)m->d;
	*used |= 1u << m->b;
	if (m->x) {
		c->g[m->x] = 0;
		*used |= 1u << m->x;
	}
	return true;
}

void fuzz_setup(void)
{
	env_init();
}

int fuzz_one(const uint8_t *data, size_t size)
{
	static uint8_t dev0[PAGE], mem0[PAGE], dev_native[PAGE], mem_native[PAGE];
	uint8_t code[6] = { 0 };
	struct s390x_decoded x;
	struct insn in;
	int finding = 0;

	if (size < 2)
		return 0;
	size_t len = s390x_ilen(data[0]), have = size < len ? size : len;
	memcpy(code, data, have);
	const struct s390x_row *row = s390x_decode_bytes(code, len, &x);
	if (!row || arch_decode(env.cs, env.scratch, code, len, (uintptr_t)code, &in) || in.refuse)
		return 0;
	/* not checked here: EXECUTE (its target is another instruction),
	 * lengths in registers, and STMH, which QEMU's TCG gets wrong (see
	 * s390x_emulate_test.c) */
	if (row->op == S390X_OP_EX || row->op == S390X_OP_EXRL || row->op == S390X_OP_MVCLE ||
	    row->op == S390X_OP_MVCRL || !strcmp(row->mnemonic, "stmh") || x.nmem < 1)
		return 0;
	srandom((unsigned)fuzz_hash(data + have, size - have) ^ (unsigned)fuzz_hash(code, len));
	for (int it = 0; it < STATES && !finding; it++) {
		struct cpu c, native, emulated;
		uint32_t used = 0;
		for (int i = 0; i < 16; i++)
			c.g[i] = rnd_value();
		c.cc = (unsigned)rnd() & 3;
		for (int i = 0; i < 32; i++)
			for (int k = 0; k < 16; k++)
				c.v[i][k] = (uint8_t)rnd();
		if (!place(&x.m[0], (uintptr_t)env.dev + 64, &c, &used) ||
		    (x.nmem > 1 && !place(&x.m[1], (uintptr_t)env.mem + 64, &c, &used)))
			return 0;
		if (it == 0)
			fuzz_accepted++;
		fill_random(dev0, PAGE);
		fill_random(mem0, PAGE);

		native = c;
		memcpy(env.dev, dev0, PAGE);
		memcpy(env.mem, mem0, PAGE);
		if (run_insn(code, len, NULL, 0, &native, false))
			return 0;	/* the CPU refused it (or it reached other storage): nothing to compare */
		memcpy(dev_native, env.dev, PAGE);
		memcpy(mem_native, env.mem, PAGE);

		emulated = c;
		memcpy(env.shadow, dev0, PAGE);
		memset(env.dev, 0, PAGE);
		memcpy(env.mem, mem0, PAGE);
		fio_reset();
		if (run_insn(code, len, NULL, 0, &emulated, true))
			return 0;	/* refused while emulating: fine */

		char what[96];
		snprintf(what, sizeof what, "%s (%02x%02x%02x%02x%02x%02x) state %d", in.text, code[0], code[1],
			 code[2], code[3], code[4], code[5], it);
		int before = failures;
		for (int i = 0; i < 16; i++)
			CHECK(native.g[i] == emulated.g[i], "%s: r%d native %016llx emulated %016llx (in %016llx)", what,
			      i, (unsigned long long)native.g[i], (unsigned long long)emulated.g[i],
			      (unsigned long long)c.g[i]);
		CHECK(native.cc == emulated.cc, "%s: cc native %u emulated %u (in %u)", what, native.cc, emulated.cc,
		      c.cc);
		for (int i = 0; env.vx && i < 32; i++)
			CHECK(!memcmp(native.v[i], emulated.v[i], 16), "%s: v%d differs", what, i);
		CHECK(!memcmp(dev_native, env.shadow, PAGE), "%s: the device's contents differ", what);
		CHECK(!memcmp(mem_native, env.mem, PAGE), "%s: memory differs", what);
		finding = failures != before;
	}
	return finding;
}
