/* The functions of x86_access.c, compiled once per compiler and
 * optimisation level with PREFIX=<variant>_. */
#define X86_ACCESS(X, v) \
	X(v, ld8) X(v, ld16) X(v, ld32) X(v, ld64) X(v, ld32_off) X(v, ld32_idx) \
	X(v, lds8) X(v, lds16) X(v, lds32_64) X(v, lds8_64) X(v, ldz16_64) X(v, ldz32_64) \
	X(v, st8) X(v, st16) X(v, st32) X(v, st64) X(v, st8_imm) X(v, st16_imm) X(v, st32_imm) \
	X(v, st64_imm) X(v, st64_imm_small) X(v, st32_idx) X(v, st32_doorbell) \
	X(v, or32) X(v, and8) X(v, xor16) X(v, add64) X(v, sub32) X(v, inc32) X(v, dec8) \
	X(v, not32) X(v, neg64) X(v, shl32) X(v, shr16) X(v, clear_bit) \
	X(v, add_ld) X(v, sub_ld) X(v, and_ld) X(v, or_ld) X(v, xor_ld8) X(v, mul_ld) X(v, mul_imm) \
	X(v, ld16_add) X(v, eq5) X(v, lt_reg) X(v, bit2) X(v, bit31) X(v, ready) X(v, lds8_neg) \
	X(v, flag) X(v, ld_select) X(v, copy4) X(v, read4) X(v, fill8) \
	X(v, ldf) X(v, stf) X(v, ldd) X(v, std) X(v, stv128) X(v, ldv128) X(v, cpv256) X(v, ldv256) \
	X(v, bswap_ld) X(v, bswap_st) X(v, poll) X(v, struct_ld) X(v, struct_st) X(v, via_global) \
	X(v, bit32) X(v, bit40_off) X(v, xor_ldv) X(v, and_ldv) X(v, or_ldv256) X(v, cpv512) X(v, ldv512)
