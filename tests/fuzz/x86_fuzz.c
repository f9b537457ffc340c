/* Fuzz target of the x86_64 decoder and emulator: instruction bytes and a
 * register file from the input. An instruction the decoder accepts is run
 * natively on a RAM page holding the device's bytes and emulated against
 * the fake device from the same state (tests/unit's differential run):
 * registers, flags, vector registers, memory and the device must agree,
 * and the device must have seen exactly the accesses the instruction
 * makes. Refusals are fine; a crash, a sanitizer report or a difference
 * is a finding.
 *
 * Input: byte 0 gives the instruction's length (1 + byte % 15), the next
 * bytes are the instruction (missing ones are nop), the rest seeds the
 * register file.
 *
 * The driver around it (libFuzzer, or replay and run): fuzz_main.c. */
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "x86_harness.h"

#define STATES 4	/* register files per input */

unsigned long fuzz_accepted;
const char fuzz_name[] = "x86_fuzz";

void fuzz_setup(void)
{
	env_init();
}

int fuzz_one(const uint8_t *data, size_t size)
{
	uint8_t bytes[15];
	struct insn in;
	cs_insn *ci = NULL;
	int finding = 0;

	if (size < 2)
		return 0;
	size_t len = 1 + data[0] % 15, have = size - 1 < len ? size - 1 : len;
	memset(bytes, 0x90, sizeof bytes);
	memcpy(bytes, data + 1, have);
	if (decode_bytes(bytes, len, &in) || in.refuse)
		return 0;
	/* the operand must be placeable on the device; capstone's view of it */
	if (cs_disasm(env.cs, bytes, in.len, (uint64_t)env.code, 1, &ci) != 1)
		return 0;
	rnd_seed(fuzz_hash(data + 1 + have, size - 1 - have) ^ fuzz_hash(bytes, in.len));
	for (int i = 0; i < STATES && !finding; i++) {
		struct cpu c;
		cpu_random(&c);
		if (!operand_at_device(ci, &in, &c))
			break;
		if (i == 0)
			fuzz_accepted++;
		char what[sizeof(ci->mnemonic) + sizeof(ci->op_str) + 2];
		snprintf(what, sizeof what, "%s %s", ci->mnemonic, ci->op_str);
		int before = failures;
		if (!differential(what, bytes, &in, &c) || failures != before)
			finding = 1;
	}
	cs_free(ci, 1);
	return finding;
}

