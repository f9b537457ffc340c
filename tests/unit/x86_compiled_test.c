/* The instructions gcc and clang really emit for volatile accesses: every
 * memory instruction in x86_access.c's functions, as each compiler built
 * them at each optimisation level, must decode without refusal and
 * emulate exactly like native execution (registers, flags, vector
 * registers, device contents, io log). Stack and rip-relative accesses
 * (locals, globals) are ordinary memory a driver never traps on and are
 * left out. */
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x86_harness.h"
#include "x86_access.h"

#ifndef X86_VARIANTS
#error "X86_VARIANTS (the compiler/level variants built) must be defined"
#endif

#define DECLARE(v, f) extern const uint8_t v##_##f[];
#define V(v) X86_ACCESS(DECLARE, v)
X86_VARIANTS
#undef V

struct fn {
	const char *variant, *name;
	const uint8_t *code;
};

#define ENTRY(v, f) { #v, #f, v##_##f },
#define V(v) X86_ACCESS(ENTRY, v)
static const struct fn fns[] = { X86_VARIANTS };
#undef V

#define ITERATIONS 20

/* Can this CPU run what the variant was compiled for? */
static bool runnable(const char *variant)
{
	if (strstr(variant, "_v4"))
		return env.avx512vl;
	if (strstr(variant, "_v3"))
		return env.avx2 && env.movbe;
	return true;
}

/* Check one memory instruction; returns false if it is not one we check. */
static bool check_insn(const struct fn *f, const cs_insn *ci)
{
	struct cpu probe = { 0 };

	if (!operand_at_device(ci, NULL, &probe))
		return false;	/* no memory operand: stack, rip-relative, absolute */
	char what[256];
	snprintf(what, sizeof what, "%s %s: %s %s", f->variant, f->name, ci->mnemonic, ci->op_str);
	struct insn in;
	int rc = decode_bytes(ci->bytes, ci->size, &in);
	CHECK(rc == 0 && in.refuse == 0, "%s: refused: %s", what, err_text(rc ? rc : in.refuse));
	if (rc || in.refuse)
		return true;
	if (getenv("X86_VERBOSE"))
		printf("%s\n", what);

	for (int i = 0; i < ITERATIONS; i++) {
		struct cpu c;
		cpu_random(&c);
		if (!operand_at_device(ci, &in, &c))
			continue;
		if (!differential(what, ci->bytes, &in, &c))
			break;
	}
	return true;
}

/* Which variants: "base" (-O0 .. -Os), "v3" (x86-64-v3: AVX2, MOVBE) or
 * "v4" (x86-64-v4: AVX-512), one test each. A group the CPU cannot run
 * did not run: exit 77 with the reason, never a pass. X86_CPU_LACKS=v3|v4
 * makes the CPU lack it (the skip's own check). */
static const char *group_of(const char *variant)
{
	return strstr(variant, "_v4") ? "v4" : strstr(variant, "_v3") ? "v3" : "base";
}

int main(int argc, char **argv)
{
	int checked = 0, nfns = 0;
	cs_insn *ci;
	const char *group = argc == 2 ? argv[1] : "", *lacks = getenv("X86_CPU_LACKS");

	if (strcmp(group, "base") && strcmp(group, "v3") && strcmp(group, "v4")) {
		fprintf(stderr, "usage: %s base|v3|v4\n", argv[0]);
		return 2;
	}
	env_init();
	const char *probe = !strcmp(group, "v4") ? "x_v4" : !strcmp(group, "v3") ? "x_v3" : "x";
	if (!runnable(probe) || (lacks && !strcmp(lacks, group))) {
		printf("SKIP: the CPU cannot run x86-64-%s code: those variants did not run\n", group);
		return 77;
	}
	ci = cs_malloc(env.cs);
	for (size_t k = 0; k < sizeof fns / sizeof fns[0]; k++) {
		const struct fn *f = &fns[k];
		Dl_info info;
		const ElfW(Sym) *sym = NULL;

		if (strcmp(group_of(f->variant), group))
			continue;
		nfns++;
		if (!dladdr1(f->code, &info, (void **)&sym, RTLD_DL_SYMENT) || !sym || !sym->st_size) {
			fprintf(stderr, "no symbol size for %s_%s\n", f->variant, f->name);
			return 1;
		}
		const uint8_t *p = f->code;
		size_t left = sym->st_size;
		uint64_t addr = (uint64_t)f->code;
		int found = 0;
		while (left && cs_disasm_iter(env.cs, &p, &left, &addr, ci))
			found += check_insn(f, ci);
		CHECK(found > 0, "%s %s: no device access found", f->variant, f->name);
		checked += found;
	}
	printf("%d compiler-emitted accesses checked in %d %s functions, %d failures\n", checked, nfns, group,
	       failures);
	CHECK(nfns > 0, "no %s variant was built", group);
	cs_free(ci, 1);
	return failures ? 1 : 0;
}
