/* Volatile accesses written the way drivers write them. Compiled by every
 * available compiler at several optimisation levels (tests/unit/meson.build);
 * x86_compiled_test finds the memory instructions the compilers emitted and
 * checks each one. */
#include <stdint.h>

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define F(n) CAT(PREFIX, n)

typedef long long v2di __attribute__((vector_size(16)));
typedef long long v4di __attribute__((vector_size(32)));
typedef long long v8di __attribute__((vector_size(64)));

struct regs {
	uint64_t cap;
	uint32_t vs, intms, intmc, cc, rsvd, csts;
};

volatile uint32_t *F(g_bar);

uint8_t F(ld8)(volatile uint8_t *p) { return *p; }
uint16_t F(ld16)(volatile uint16_t *p) { return *p; }
uint32_t F(ld32)(volatile uint32_t *p) { return *p; }
uint64_t F(ld64)(volatile uint64_t *p) { return *p; }
uint32_t F(ld32_off)(volatile uint32_t *p) { return p[5]; }
uint32_t F(ld32_idx)(volatile uint32_t *p, long i) { return p[i]; }
int32_t F(lds8)(volatile int8_t *p) { return *p; }
int32_t F(lds16)(volatile int16_t *p) { return *p; }
int64_t F(lds32_64)(volatile int32_t *p) { return *p; }
int64_t F(lds8_64)(volatile int8_t *p) { return *p; }
uint64_t F(ldz16_64)(volatile uint16_t *p) { return *p; }
uint64_t F(ldz32_64)(volatile uint32_t *p) { return *p; }
void F(st8)(volatile uint8_t *p, uint8_t v) { *p = v; }
void F(st16)(volatile uint16_t *p, uint16_t v) { *p = v; }
void F(st32)(volatile uint32_t *p, uint32_t v) { *p = v; }
void F(st64)(volatile uint64_t *p, uint64_t v) { *p = v; }
void F(st8_imm)(volatile uint8_t *p) { *p = 0xa5; }
void F(st16_imm)(volatile uint16_t *p) { *p = 0xbeef; }
void F(st32_imm)(volatile uint32_t *p) { *p = 0xdeadbeef; }
void F(st64_imm)(volatile uint64_t *p) { *p = 0x1122334455667788ull; }
void F(st64_imm_small)(volatile uint64_t *p) { *p = 42; }
void F(st32_idx)(volatile uint32_t *p, long i, uint32_t v) { p[i] = v; }
void F(st32_doorbell)(volatile uint32_t *db, unsigned q, uint32_t v) { db[q * 2 + 1] = v; }
void F(or32)(volatile uint32_t *p) { *p |= 0x10; }
void F(and8)(volatile uint8_t *p) { *p &= 0x7f; }
void F(xor16)(volatile uint16_t *p) { *p ^= 0x8001; }
void F(add64)(volatile uint64_t *p, uint64_t v) { *p += v; }
void F(sub32)(volatile uint32_t *p) { *p -= 3; }
void F(inc32)(volatile uint32_t *p) { (*p)++; }
void F(dec8)(volatile uint8_t *p) { (*p)--; }
void F(not32)(volatile uint32_t *p) { *p = ~*p; }
void F(neg64)(volatile uint64_t *p) { *p = -*p; }
void F(shl32)(volatile uint32_t *p) { *p <<= 3; }
void F(shr16)(volatile uint16_t *p) { *p >>= 1; }
void F(clear_bit)(volatile uint32_t *p, int b) { *p &= ~(1u << b); }
uint32_t F(add_ld)(volatile uint32_t *p, uint32_t x) { return x + *p; }
uint64_t F(sub_ld)(volatile uint64_t *p, uint64_t x) { return x - *p; }
uint32_t F(and_ld)(volatile uint32_t *p, uint32_t x) { return x & *p; }
uint32_t F(or_ld)(volatile uint32_t *p, uint32_t x) { return x | *p; }
uint8_t F(xor_ld8)(volatile uint8_t *p, uint8_t x) { return x ^ *p; }
uint32_t F(mul_ld)(volatile uint32_t *p, uint32_t x) { return x * *p; }
uint64_t F(mul_imm)(volatile uint64_t *p) { return *p * 1000; }
uint16_t F(ld16_add)(volatile uint16_t *p) { return (uint16_t)(*p + 1); }
int F(eq5)(volatile uint32_t *p) { return *p == 5; }
int F(lt_reg)(volatile uint64_t *p, uint64_t v) { return *p < v; }
int F(bit2)(volatile uint32_t *p) { return (*p & 4) != 0; }
int F(bit31)(volatile uint32_t *p) { return (*p >> 31) & 1; }
int F(ready)(volatile uint8_t *p) { return *p & 0x80 ? 1 : 2; }
int F(lds8_neg)(volatile int8_t *p) { return *p < 0; }
void F(flag)(volatile uint8_t *p, int a, int b) { *p = a < b; }
uint32_t F(ld_select)(volatile uint32_t *p, int c, uint32_t v) { uint32_t x = *p; return c ? x : v; }
void F(copy4)(volatile uint32_t *d, const uint32_t *s) { for (int i = 0; i < 4; i++) d[i] = s[i]; }
void F(read4)(uint32_t *d, volatile const uint32_t *s) { for (int i = 0; i < 4; i++) d[i] = s[i]; }
void F(fill8)(volatile uint64_t *d) { for (int i = 0; i < 8; i++) d[i] = 0; }
float F(ldf)(volatile float *p) { return *p; }
void F(stf)(volatile float *p, float v) { *p = v; }
double F(ldd)(volatile double *p) { return *p; }
void F(std)(volatile double *p, double v) { *p = v; }
void F(stv128)(volatile v2di *p, v2di v) { *p = v; }
v2di F(ldv128)(volatile v2di *p) { return *p; }
void F(cpv256)(volatile v4di *d, const v4di *s) { *d = *s; }
void F(ldv256)(v4di *d, volatile v4di *s) { *d = *s; }
uint32_t F(bswap_ld)(volatile uint32_t *p) { return __builtin_bswap32(*p); }
void F(bswap_st)(volatile uint32_t *p, uint32_t v) { *p = __builtin_bswap32(v); }
uint32_t F(poll)(volatile uint32_t *p) { uint32_t v; do v = *p; while (!(v & 1)); return v; }
uint32_t F(struct_ld)(volatile struct regs *r) { return r->csts; }
void F(struct_st)(volatile struct regs *r, uint32_t v) { r->cc = v; }
uint32_t F(via_global)(void) { return F(g_bar)[3]; }
int F(bit32)(volatile uint64_t *p) { if (*p & (1ull << 32)) return 3; return 5; }
int F(bit40_off)(volatile uint64_t *p) { return (p[2] >> 40) & 1; }
v2di F(xor_ldv)(volatile v2di *p, v2di x) { return x ^ p[3]; }
v2di F(and_ldv)(volatile v2di *p, v2di x) { return x & *p; }
void F(or_ldv256)(v4di *d, volatile v4di *p) { *d = *d | *p; }
void F(cpv512)(volatile v8di *d, const v8di *s) { *d = *s; }
void F(ldv512)(v8di *d, volatile v8di *s) { *d = *s; }
