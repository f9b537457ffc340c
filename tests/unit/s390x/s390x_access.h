/* The functions of s390x_access.c, compiled once per variant with
 * PREFIX=<variant>_. */
#define S390X_ACCESS(X, v) \
	X(v, ld8) X(v, ld16) X(v, ld32) X(v, ld64) X(v, ld32_off) X(v, ld32_idx) X(v, lds8) \
	X(v, lds16) X(v, lds32_64) X(v, lds16_64) X(v, ld31) X(v, st8) X(v, st16) X(v, st32) \
	X(v, st64) X(v, st8_imm) X(v, st16_imm) X(v, st32_imm) X(v, st32_small) X(v, st64_imm) \
	X(v, st64_small) X(v, st32_idx) X(v, doorbell) X(v, or32) X(v, and8) X(v, or8) \
	X(v, xor16) X(v, add64) X(v, add32_imm) X(v, add64_imm) X(v, sub32) X(v, inc32) \
	X(v, dec8) X(v, not32) X(v, neg64) X(v, shl32) X(v, clear_bit) X(v, add_ld) \
	X(v, add_ld64) X(v, add_lds32) X(v, sub_ld) X(v, sub_ld32) X(v, and_ld) X(v, or_ld) \
	X(v, xor_ld64) X(v, mul_ld) X(v, mul_ld64) X(v, ld16_add) X(v, eq5) X(v, eq5_64) \
	X(v, lt_reg) X(v, ltu_reg64) X(v, eq8) X(v, eq16) X(v, bit2) X(v, bit31) X(v, nonzero) \
	X(v, ready) X(v, ld_select) X(v, copy4) X(v, read4) X(v, fill8) X(v, ldf) \
	X(v, ldf_bits) X(v, stf) X(v, ldd_bits) X(v, std_bits) X(v, bswap_ld) X(v, bswap_st) \
	X(v, bswap16_ld) X(v, bswap16_st) X(v, bswap64_ld) X(v, bswap64_st) X(v, struct_ld) \
	X(v, struct_st) X(v, memcpy_to) X(v, memcpy_from) X(v, memset_zero) X(v, memcpy_var) \
	X(v, memset_var) X(v, memmove_var)
