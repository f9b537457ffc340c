/* Volatile accesses written the way drivers write them, compiled by gcc and
 * clang at several levels and -march values (meson.build);
 * s390x_compiled_test runs each natively and trapped. Every function has
 * the same signature (pointer, value, index) so the test calls them alike.
 * No headers: clang cross-compiles it without a sysroot. */
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define F(n) CAT(PREFIX, n)
#define FN(n) u64 F(n)(u64 p, u64 v, u64 i)

typedef __UINT8_TYPE__ u8;
typedef __UINT16_TYPE__ u16;
typedef __UINT32_TYPE__ u32;
typedef __UINT64_TYPE__ u64;
typedef __INT8_TYPE__ s8;
typedef __INT16_TYPE__ s16;
typedef __INT32_TYPE__ s32;
typedef __INT64_TYPE__ s64;

#define V8(a) (*(volatile u8 *)(a))
#define V16(a) (*(volatile u16 *)(a))
#define V32(a) (*(volatile u32 *)(a))
#define V64(a) (*(volatile u64 *)(a))

void *memcpy(void *, const void *, unsigned long);
void *memset(void *, int, unsigned long);
void *memmove(void *, const void *, unsigned long);

struct regs { u64 cap; u32 vs, intms, intmc, cc, rsvd, csts; };

FN(ld8) { (void)v, (void)i; return V8(p); }
FN(ld16) { (void)v, (void)i; return V16(p); }
FN(ld32) { (void)v, (void)i; return V32(p); }
FN(ld64) { (void)v, (void)i; return V64(p); }
FN(ld32_off) { (void)v, (void)i; return V32(p + 20); }
FN(ld32_idx) { (void)v; return ((volatile u32 *)p)[i]; }
FN(lds8) { (void)v, (void)i; return (u64)(s64)(s32)*(volatile s8 *)p; }
FN(lds16) { (void)v, (void)i; return (u32)(s32)*(volatile s16 *)p; }
FN(lds32_64) { (void)v, (void)i; return (u64)(s64)*(volatile s32 *)p; }
FN(lds16_64) { (void)v, (void)i; return (u64)(s64)*(volatile s16 *)p; }
FN(ld31) { (void)v, (void)i; return V32(p) & 0x7fffffff; }
FN(st8) { (void)i; V8(p) = (u8)v; return 0; }
FN(st16) { (void)i; V16(p) = (u16)v; return 0; }
FN(st32) { (void)i; V32(p) = (u32)v; return 0; }
FN(st64) { (void)i; V64(p) = v; return 0; }
FN(st8_imm) { (void)v, (void)i; V8(p) = 0xa5; return 0; }
FN(st16_imm) { (void)v, (void)i; V16(p) = 0xbeef; return 0; }
FN(st32_imm) { (void)v, (void)i; V32(p) = 0xdeadbeef; return 0; }
FN(st32_small) { (void)v, (void)i; V32(p) = 7; return 0; }
FN(st64_imm) { (void)v, (void)i; V64(p) = 0x1122334455667788ull; return 0; }
FN(st64_small) { (void)v, (void)i; V64(p) = (u64)-42; return 0; }
FN(st32_idx) { ((volatile u32 *)p)[i] = (u32)v; return 0; }
FN(doorbell) { ((volatile u32 *)p)[i * 2 + 1] = (u32)v; return 0; }
FN(or32) { (void)v, (void)i; V32(p) |= 0x10; return 0; }
FN(and8) { (void)v, (void)i; V8(p) &= 0x7f; return 0; }
FN(or8) { (void)v, (void)i; V8(p) |= 0x81; return 0; }
FN(xor16) { (void)v, (void)i; V16(p) ^= 0x8001; return 0; }
FN(add64) { (void)i; V64(p) += v; return 0; }
FN(add32_imm) { (void)v, (void)i; V32(p) += 5; return 0; }
FN(add64_imm) { (void)v, (void)i; V64(p) -= 3; return 0; }
FN(sub32) { (void)v, (void)i; V32(p) -= 3; return 0; }
FN(inc32) { (void)v, (void)i; V32(p)++; return 0; }
FN(dec8) { (void)v, (void)i; V8(p)--; return 0; }
FN(not32) { (void)v, (void)i; V32(p) = ~V32(p); return 0; }
FN(neg64) { (void)v, (void)i; V64(p) = -V64(p); return 0; }
FN(shl32) { (void)v, (void)i; V32(p) <<= 3; return 0; }
FN(clear_bit) { (void)v; V32(p) &= ~(1u << (i & 31)); return 0; }
FN(add_ld) { (void)i; return (u32)((u32)v + V32(p)); }
FN(add_ld64) { (void)i; return v + V64(p); }
FN(add_lds32) { (void)i; return v + (u64)(s64)*(volatile s32 *)p; }
FN(sub_ld) { (void)i; return v - V64(p); }
FN(sub_ld32) { (void)i; return (u32)((u32)v - V32(p)); }
FN(and_ld) { (void)i; return (u32)v & V32(p); }
FN(or_ld) { (void)i; return (u32)v | V32(p); }
FN(xor_ld64) { (void)i; return v ^ V64(p); }
FN(mul_ld) { (void)i; return (u32)((u32)v * V32(p)); }
FN(mul_ld64) { (void)i; return v * V64(p); }
FN(ld16_add) { (void)i; return (u32)v + V16(p); }
FN(eq5) { (void)v, (void)i; return V32(p) == 5; }
FN(eq5_64) { (void)v, (void)i; return V64(p) == 5; }
FN(lt_reg) { (void)i; return (s32)V32(p) < (s32)v; }
FN(ltu_reg64) { (void)i; return V64(p) < v; }
FN(eq8) { (void)v, (void)i; return V8(p) == 0x80; }
FN(eq16) { (void)v, (void)i; return V16(p) == 0x1234; }
FN(bit2) { (void)v, (void)i; return (V8(p) & 4) != 0; }
FN(bit31) { (void)v, (void)i; return (V32(p) >> 31) & 1; }
FN(nonzero) { (void)v, (void)i; return V32(p) != 0; }
FN(ready) { (void)i; for (int k = 0; k < 4; k++) if (V32(p) & 1) return 1; return v; }
FN(ld_select) { (void)i; return v & 1 ? V32(p) : (u32)v; }
FN(copy4) { (void)v, (void)i; for (int k = 0; k < 4; k++) V32(p + 32 + 4 * k) = V32(p + 4 * k); return 0; }
FN(read4) { (void)v, (void)i; u64 s = 0; for (int k = 0; k < 4; k++) s += V32(p + 4 * k); return s; }
FN(fill8) { (void)i; for (int k = 0; k < 8; k++) V8(p + k) = (u8)v; return 0; }
FN(ldf) { (void)v, (void)i; float f = *(volatile float *)p; return (u64)(s64)(f * 0.0f); }
FN(ldf_bits) { (void)v, (void)i; union { float f; u32 u; } x; x.f = *(volatile float *)p; return x.u; }
FN(stf) { (void)i; union { float f; u32 u; } x; x.u = (u32)v; *(volatile float *)p = x.f; return 0; }
FN(ldd_bits) { (void)v, (void)i; union { double d; u64 u; } x; x.d = *(volatile double *)p; return x.u; }
FN(std_bits) { (void)i; union { double d; u64 u; } x; x.u = v; *(volatile double *)p = x.d; return 0; }
FN(bswap_ld) { (void)v, (void)i; return __builtin_bswap32(V32(p)); }
FN(bswap_st) { (void)i; V32(p) = __builtin_bswap32((u32)v); return 0; }
FN(bswap16_ld) { (void)v, (void)i; return __builtin_bswap16(V16(p)); }
FN(bswap16_st) { (void)i; V16(p) = __builtin_bswap16((u16)v); return 0; }
FN(bswap64_ld) { (void)v, (void)i; return __builtin_bswap64(V64(p)); }
FN(bswap64_st) { (void)i; V64(p) = __builtin_bswap64(v); return 0; }
FN(struct_ld) { (void)v, (void)i; volatile struct regs *r = (volatile struct regs *)p; return r->cap + r->csts + r->vs; }
FN(struct_st) { (void)i; volatile struct regs *r = (volatile struct regs *)p; r->cc = (u32)v; r->intms = 1; r->cap = v; return 0; }
FN(memcpy_to) { (void)v, (void)i; u64 src[4] = { 1, 2, 3, 4 }; memcpy((void *)p, src, sizeof src); return 0; }
FN(memcpy_from) { (void)v, (void)i; u64 dst[4]; memcpy(dst, (void *)p, sizeof dst); return dst[0] ^ dst[3]; }
FN(memset_zero) { (void)v, (void)i; memset((void *)p, 0, 32); return 0; }
FN(memcpy_var) { static u8 src[300] = { 1, 2, 3 }; memcpy((void *)p, src, (i % 300) + 1); return v; }
FN(memset_var) { memset((void *)p, (int)v, (i % 300) + 1); return 0; }
FN(memmove_var) { memmove((void *)(p + 1), (void *)p, (i % 64) + 1); return v; }
