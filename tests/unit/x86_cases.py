#!/usr/bin/env python3
"""The instruction cases of x86_emulate_test.c, one line each: a name, the
instruction in AT&T syntax (assembled at build time by the compiler's
assembler), the registers it needs pinned (rdi=D16: device + 16, M: the
ordinary memory buffer, F/G: device relative to the fs/gs base, /N: divided
by N, ^: garbage in bits 63..32, a number: that value; every other register
is random), the io calls it must make, and what the CPU must have.

Prints the X-macro list to stdout (the build writes it to x86_cases.h)."""
cases = []
def c(name, asm, pins="rdi=D16", io=None, need="0"):
    cases.append((name, asm, pins, io, need))

D = "rdi=D16"
# plain loads, every width and register class
for n, a, io in [
    ("ld8_al", "movb (%rdi), %al", "R1@D16"), ("ld8_ah", "movb (%rdi), %ah", "R1@D16"),
    ("ld8_bh", "movb (%rdi), %bh", "R1@D16"), ("ld8_ch", "movb (%rdi), %ch", "R1@D16"),
    ("ld8_dh", "movb (%rdi), %dh", "R1@D16"),
    ("ld8_sil", "movb (%rdi), %sil", "R1@D16"), ("ld8_r9b", "movb (%rdi), %r9b", "R1@D16"),
    ("ld16_ax", "movw (%rdi), %ax", "R2@D16"), ("ld16_r10w", "movw (%rdi), %r10w", "R2@D16"),
    ("ld32_eax", "movl (%rdi), %eax", "R4@D16"), ("ld32_r11d", "movl (%rdi), %r11d", "R4@D16"),
    ("ld64_rax", "movq (%rdi), %rax", "R8@D16"), ("ld64_r15", "movq (%rdi), %r15", "R8@D16"),
    ("ld64_rdi_self", "movq (%rdi), %rdi", "R8@D16"),
]:
    c(n, a, D, io)
c("ld32_sib", "movl 8(%rdi,%rcx,4), %edx", "rdi=D0 rcx=2", "R4@D16")
c("ld32_sib_r8", "movl -4(%rdi,%r8,8), %esi", "rdi=D8 r8=1", "R4@D12")
c("ld16_index_only", "movw 0x10(,%rbx,2), %r12w", "rbx=D0/2", "R2@D16")
c("ld32_r13_base", "movl 12(%r13), %eax", "r13=D4", "R4@D16")
c("ld32_rip", "1: movl 1b+4096+16(%rip), %eax", "", "R4@D16")
c("ld64_rip", "1: movq 1b+4096+24(%rip), %r9", "", "R8@D24")
c("ld32_ds_override", "movl %ds:(%rdi), %eax", D, "R4@D16")
c("ld32_fs", "movl %fs:(%rdi), %eax", "rdi=F16", "R4@D16")
c("st64_fs", "movq %rax, %fs:8(%rdi)", "rdi=F8", "W8@D16")
c("ld32_gs", "movl %gs:(%rdi), %eax", "rdi=G16", "R4@D16")
c("ld32_addr32", "movl (%edi), %eax", "rdi=D16^", "R4@D16")
c("ld8_addr32_sib", "movb 4(%esi,%ecx,2), %bl", "rsi=D8^ rcx=2^", "R1@D16")
c("ld32_moffs", "movabsl 0x1122334455667788, %eax", "", "R4@D16", "PATCH_ABS")
c("st8_moffs", "movabsb %al, 0x1122334455667788", "", "W1@D16", "PATCH_ABS")
c("ld64_moffs", "movabsq 0x1122334455667788, %rax", "", "R8@D16", "PATCH_ABS")
# plain stores
for n, a, io in [
    ("st8_al", "movb %al, (%rdi)", "W1@D16"), ("st8_ah", "movb %ah, (%rdi)", "W1@D16"),
    ("st8_bh", "movb %bh, (%rdi)", "W1@D16"), ("st8_dil", "movb %dil, (%rdi)", "W1@D16"),
    ("st8_r8b", "movb %r8b, (%rdi)", "W1@D16"),
    ("st16_ax", "movw %ax, (%rdi)", "W2@D16"), ("st16_r9w", "movw %r9w, (%rdi)", "W2@D16"),
    ("st32_eax", "movl %eax, (%rdi)", "W4@D16"), ("st32_r12d", "movl %r12d, (%rdi)", "W4@D16"),
    ("st64_rax", "movq %rax, (%rdi)", "W8@D16"), ("st64_r13", "movq %r13, (%rdi)", "W8@D16"),
    ("st8_imm", "movb $0x80, (%rdi)", "W1@D16"), ("st16_imm", "movw $0x1234, (%rdi)", "W2@D16"),
    ("st16_imm_neg", "movw $-2, (%rdi)", "W2@D16"),
    ("st32_imm", "movl $0xdeadbeef, (%rdi)", "W4@D16"), ("st64_imm_neg", "movq $-2, (%rdi)", "W8@D16"),
    ("st64_imm_pos", "movq $0x7fffffff, (%rdi)", "W8@D16"),
    ("movnti32", "movnti %eax, (%rdi)", "W4@D16"), ("movnti64", "movnti %r10, (%rdi)", "W8@D16"),
]:
    c(n, a, D, io)
c("st16_imm_sib", "movw $-1, 8(%rdi,%rcx,4)", "rdi=D0 rcx=2", "W2@D16")
# extensions
for n, a, w in [
    ("movzbl", "movzbl (%rdi), %eax", 1), ("movzbw", "movzbw (%rdi), %ax", 1),
    ("movzbq", "movzbq (%rdi), %rax", 1), ("movzwl", "movzwl (%rdi), %eax", 2),
    ("movzwq", "movzwq (%rdi), %r9", 2), ("movzbl_r14d", "movzbl (%rdi), %r14d", 1),
    ("movsbl", "movsbl (%rdi), %eax", 1), ("movsbw", "movsbw (%rdi), %ax", 1),
    ("movsbq", "movsbq (%rdi), %rax", 1), ("movswl", "movswl (%rdi), %eax", 2),
    ("movswq", "movswq (%rdi), %rdx", 2), ("movslq", "movslq (%rdi), %rax", 4),
    ("movslq_r14", "movslq (%rdi), %r14", 4), ("movsxd_32", ".byte 0x63, 0x07", 4),
]:
    c(n, a, D, "R%d@D16" % w)
for n, a, w, io in [
    ("movbe_ld16", "movbe (%rdi), %ax", 2, "R2@D16"), ("movbe_ld32", "movbe (%rdi), %eax", 4, "R4@D16"),
    ("movbe_ld64", "movbe (%rdi), %rax", 8, "R8@D16"), ("movbe_st16", "movbe %ax, (%rdi)", 2, "W2@D16"),
    ("movbe_st32", "movbe %esi, (%rdi)", 4, "W4@D16"), ("movbe_st64", "movbe %r9, (%rdi)", 8, "W8@D16"),
]:
    c(n, a, D, io, "NEED_MOVBE")
# read-modify-write with a memory destination
for op in ["add", "or", "adc", "sbb", "and", "sub", "xor"]:
    for sfx, reg, w in [("b", "%al", 1), ("w", "%ax", 2), ("l", "%eax", 4), ("q", "%rax", 8)]:
        c("%s%s_reg_mem" % (op, sfx), "%s%s %s, (%%rdi)" % (op, sfx, reg), D, "R%d@D16 W%d@D16" % (w, w))
    c(op + "b_ah_mem", op + "b %ah, (%rdi)", D, "R1@D16 W1@D16")
    c(op + "b_imm_mem", op + "b $0x7f, (%rdi)", D, "R1@D16 W1@D16")
    c(op + "w_imm_mem", op + "w $0x8000, (%rdi)", D, "R2@D16 W2@D16")
    c(op + "w_imm8_mem", op + "w $-3, (%rdi)", D, "R2@D16 W2@D16")
    c(op + "l_imm8_mem", op + "l $1, (%rdi)", D, "R4@D16 W4@D16")
    c(op + "l_imm32_mem", op + "l $0x80000000, (%rdi)", D, "R4@D16 W4@D16")
    c(op + "q_imm8_mem", op + "q $-5, (%rdi)", D, "R8@D16 W8@D16")
    c(op + "q_imm32_mem", op + "q $0x12345678, (%rdi)", D, "R8@D16 W8@D16")
for op in ["inc", "dec", "not", "neg"]:
    for sfx, w in [("b", 1), ("w", 2), ("l", 4), ("q", 8)]:
        c(op + sfx + "_mem", "%s%s (%%rdi)" % (op, sfx), D, "R%d@D16 W%d@D16" % (w, w))
for op in ["shl", "shr", "sar", "rol", "ror", "rcl", "rcr"]:
    for sfx, w in [("b", 1), ("w", 2), ("l", 4), ("q", 8)]:
        io = "R%d@D16 W%d@D16" % (w, w)
        c(op + sfx + "_imm_mem", "%s%s $3, (%%rdi)" % (op, sfx), D, io)
        c(op + sfx + "_cl_mem", "%s%s %%cl, (%%rdi)" % (op, sfx), D, io)
        c(op + sfx + "_one_mem", "%s%s (%%rdi)" % (op, sfx), D, io)
# arithmetic with a memory source
for op in ["add", "or", "adc", "sbb", "and", "sub", "xor"]:
    for sfx, reg, w in [("b", "%cl", 1), ("b", "%bh", 1), ("w", "%si", 2), ("l", "%r9d", 4), ("q", "%rdx", 8)]:
        c("%s%s_mem_%s" % (op, sfx, reg[1:]), "%s%s (%%rdi), %s" % (op, sfx, reg), D, "R%d@D16" % w)
for n, a, w in [
    ("imulw_mem", "imulw (%rdi), %ax", 2), ("imull_mem", "imull (%rdi), %eax", 4),
    ("imulq_mem", "imulq (%rdi), %r11", 8), ("imulw_imm8", "imulw $-3, (%rdi), %dx", 2),
    ("imulw_imm16", "imulw $0x1234, (%rdi), %dx", 2), ("imull_imm8", "imull $7, (%rdi), %esi", 4),
    ("imull_imm32", "imull $0x12345678, (%rdi), %eax", 4), ("imulq_imm8", "imulq $-3, (%rdi), %r8", 8),
    ("imulq_imm32", "imulq $-0x789abcd, (%rdi), %rax", 8),
]:
    c(n, a, D, "R%d@D16" % w)
# compare and test
for n, a, w in [
    ("cmpb_imm", "cmpb $-1, (%rdi)", 1), ("cmpw_imm", "cmpw $0x1234, (%rdi)", 2),
    ("cmpl_imm8", "cmpl $5, (%rdi)", 4), ("cmpq_imm32", "cmpq $0x7fffffff, (%rdi)", 8),
    ("cmpq_imm8", "cmpq $-1, (%rdi)", 8),
    ("cmpb_mem_reg", "cmpb %ah, (%rdi)", 1), ("cmpw_mem_reg", "cmpw %ax, (%rdi)", 2),
    ("cmpl_mem_reg", "cmpl %esi, (%rdi)", 4), ("cmpq_mem_reg", "cmpq %r9, (%rdi)", 8),
    ("cmpb_reg_mem", "cmpb (%rdi), %dl", 1), ("cmpw_reg_mem", "cmpw (%rdi), %r8w", 2),
    ("cmpl_reg_mem", "cmpl (%rdi), %eax", 4), ("cmpq_reg_mem", "cmpq (%rdi), %rax", 8),
    ("testb_imm", "testb $1, (%rdi)", 1), ("testw_imm", "testw $0x8001, (%rdi)", 2),
    ("testl_imm", "testl $0x80000000, (%rdi)", 4), ("testq_imm", "testq $-16, (%rdi)", 8),
    ("testb_reg", "testb %ch, (%rdi)", 1), ("testw_reg", "testw %ax, (%rdi)", 2),
    ("testl_reg", "testl %eax, (%rdi)", 4), ("testq_reg", "testq %r15, (%rdi)", 8),
]:
    c(n, a, D, "R%d@D16" % w)
# cmov and setcc: every condition
for cc in ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"]:
    c("cmov%sl" % cc, "cmov%sl (%%rdi), %%eax" % cc, D, "R4@D16")
    c("set%s" % cc, "set%s (%%rdi)" % cc, D, "W1@D16")
c("cmovnew", "cmovnew (%rdi), %r9w", D, "R2@D16")
c("cmovbq", "cmovbq (%rdi), %rax", D, "R8@D16")
# SSE
for n, a, w, io in [
    ("movd_ld", "movd (%rdi), %xmm1", 4, "R4"), ("movd_st", "movd %xmm1, (%rdi)", 4, "W4"),
    ("movq_ld", "movq (%rdi), %xmm2", 8, "R8"), ("movq_st", "movq %xmm2, (%rdi)", 8, "W8"),
    ("movq_ld_rexw", ".byte 0x66, 0x48, 0x0f, 0x6e, 0x17", 8, "R8"),
    ("movq_st_rexw", ".byte 0x66, 0x48, 0x0f, 0x7e, 0x17", 8, "W8"),
    ("movss_ld", "movss (%rdi), %xmm3", 4, "R4"), ("movss_st", "movss %xmm3, (%rdi)", 4, "W4"),
    ("movsd_ld", "movsd (%rdi), %xmm4", 8, "R8"), ("movsd_st", "movsd %xmm4, (%rdi)", 8, "W8"),
    ("movdqu_ld", "movdqu (%rdi), %xmm5", 16, "R16"), ("movdqu_st", "movdqu %xmm5, (%rdi)", 16, "W16"),
    ("movdqa_ld", "movdqa (%rdi), %xmm14", 16, "R16"), ("movdqa_st", "movdqa %xmm6, (%rdi)", 16, "W16"),
    ("movups_ld", "movups (%rdi), %xmm15", 16, "R16"), ("movups_st", "movups %xmm8, (%rdi)", 16, "W16"),
    ("movaps_ld", "movaps (%rdi), %xmm0", 16, "R16"), ("movaps_st", "movaps %xmm9, (%rdi)", 16, "W16"),
    ("movupd_ld", "movupd (%rdi), %xmm7", 16, "R16"), ("movupd_st", "movupd %xmm7, (%rdi)", 16, "W16"),
    ("movapd_ld", "movapd (%rdi), %xmm10", 16, "R16"), ("movapd_st", "movapd %xmm11, (%rdi)", 16, "W16"),
    ("movntdq_st", "movntdq %xmm12, (%rdi)", 16, "W16"), ("movntps_st", "movntps %xmm13, (%rdi)", 16, "W16"),
    ("movntpd_st", "movntpd %xmm1, (%rdi)", 16, "W16"),
    ("movlps_ld", "movlps (%rdi), %xmm1", 8, "R8"), ("movlps_st", "movlps %xmm1, (%rdi)", 8, "W8"),
    ("movhps_ld", "movhps (%rdi), %xmm2", 8, "R8"), ("movhps_st", "movhps %xmm2, (%rdi)", 8, "W8"),
    ("movlpd_ld", "movlpd (%rdi), %xmm3", 8, "R8"), ("movlpd_st", "movlpd %xmm3, (%rdi)", 8, "W8"),
    ("movhpd_ld", "movhpd (%rdi), %xmm4", 8, "R8"), ("movhpd_st", "movhpd %xmm4, (%rdi)", 8, "W8"),
]:
    c(n, a, "rdi=D32", io + "@D32")
c("movntdqa_ld", "movntdqa (%rdi), %xmm9", "rdi=D32", "R16@D32", "NEED_SSE41")
# AVX (VEX)
for n, a, io in [
    ("vmovd_ld", "vmovd (%rdi), %xmm1", "R4"), ("vmovd_st", "vmovd %xmm1, (%rdi)", "W4"),
    ("vmovq_ld", "vmovq (%rdi), %xmm10", "R8"), ("vmovq_st", "vmovq %xmm10, (%rdi)", "W8"),
    ("vmovss_ld", "vmovss (%rdi), %xmm2", "R4"), ("vmovsd_st", "vmovsd %xmm2, (%rdi)", "W8"),
    ("vmovsd_ld", "vmovsd (%rdi), %xmm3", "R8"),
    ("vmovdqu_ld128", "vmovdqu (%rdi), %xmm3", "R16"), ("vmovdqu_ld256", "vmovdqu (%rdi), %ymm3", "R32"),
    ("vmovdqu_st128", "vmovdqu %xmm12, (%rdi)", "W16"), ("vmovdqu_st256", "vmovdqu %ymm12, (%rdi)", "W32"),
    ("vmovdqa_ld256", "vmovdqa (%rdi), %ymm4", "R32"), ("vmovdqa_st256", "vmovdqa %ymm4, (%rdi)", "W32"),
    ("vmovdqa_ld128", "vmovdqa (%rdi), %xmm15", "R16"),
    ("vmovups_ld256", "vmovups (%rdi), %ymm5", "R32"), ("vmovups_st128", "vmovups %xmm5, (%rdi)", "W16"),
    ("vmovaps_ld128", "vmovaps (%rdi), %xmm6", "R16"), ("vmovaps_st256", "vmovaps %ymm6, (%rdi)", "W32"),
    ("vmovupd_ld256", "vmovupd (%rdi), %ymm7", "R32"), ("vmovapd_st128", "vmovapd %xmm7, (%rdi)", "W16"),
    ("vmovntdq_st256", "vmovntdq %ymm8, (%rdi)", "W32"), ("vmovntdq_st128", "vmovntdq %xmm8, (%rdi)", "W16"),
    ("vmovntps_st256", "vmovntps %ymm9, (%rdi)", "W32"), ("vmovntdqa_ld128", "vmovntdqa (%rdi), %xmm11", "R16"),
    ("vmovlps_st", "vmovlps %xmm1, (%rdi)", "W8"), ("vmovhps_st", "vmovhps %xmm1, (%rdi)", "W8"),
    ("vmovlpd_st", "vmovlpd %xmm13, (%rdi)", "W8"), ("vmovhpd_st", "vmovhpd %xmm13, (%rdi)", "W8"),
]:
    c(n, a, "rdi=D64", io + "@D64", "NEED_AVX")
c("vmovntdqa_ld256", "vmovntdqa (%rdi), %ymm11", "rdi=D64", "R32@D64", "NEED_AVX2")
# EVEX without masking (glibc's evex memcpy/memset use ymm16..31)
for n, a, io in [
    ("evex_vmovdqu64_st256", "vmovdqu64 %ymm16, (%rdi)", "W32"),
    ("evex_vmovdqu64_ld256", "vmovdqu64 (%rdi), %ymm17", "R32"),
    ("evex_vmovdqu8_ld128", "vmovdqu8 (%rdi), %xmm20", "R16"),
    ("evex_vmovdqa64_st128", "vmovdqa64 %xmm31, (%rdi)", "W16"),
    ("evex_vmovdqu32_ld_low", "vmovdqu32 (%rdi), %ymm1", "R32"),
    ("evex_vmovdqu16_st_low", "vmovdqu16 %xmm2, (%rdi)", "W16"),
    ("evex_vmovd_st", "vmovd %xmm16, (%rdi)", "W4"), ("evex_vmovq_ld", "vmovq (%rdi), %xmm17", "R8"),
    ("evex_vmovq_st", "vmovq %xmm30, (%rdi)", "W8"),
    ("evex_vmovups_st256", "vmovups %ymm18, (%rdi)", "W32"),
    ("evex_vmovntdq_st256", "vmovntdq %ymm19, (%rdi)", "W32"),
    ("evex_vmovaps_ld128", "vmovaps (%rdi), %xmm21", "R16"),
]:
    c(n, a, "rdi=D64", io + "@D64", "NEED_EVEX")
# 512-bit moves: one io call of 64 bytes (glibc's memcpy for large copies)
c("zmm_vmovdqu64_st_r8", "vmovdqu64 %zmm16, (%r8)", "r8=D64", "W64@D64", "NEED_EVEX")
c("zmm_vmovups_st_disp", "vmovups %zmm0, 0xb000(%rax)", "rax=D-0xafc0", "W64@D64", "NEED_EVEX")
for n, a, io in [
    ("zmm_vmovdqu8_ld", "vmovdqu8 (%rdi), %zmm16", "R64"), ("zmm_vmovdqu8_st", "vmovdqu8 %zmm1, (%rdi)", "W64"),
    ("zmm_vmovdqu16_ld", "vmovdqu16 (%rdi), %zmm31", "R64"), ("zmm_vmovdqu16_st", "vmovdqu16 %zmm14, (%rdi)", "W64"),
    ("zmm_vmovdqu32_ld", "vmovdqu32 (%rdi), %zmm2", "R64"), ("zmm_vmovdqu32_st", "vmovdqu32 %zmm18, (%rdi)", "W64"),
    ("zmm_vmovdqu64_ld", "vmovdqu64 (%rdi), %zmm17", "R64"), ("zmm_vmovdqu64_st", "vmovdqu64 %zmm3, (%rdi)", "W64"),
    ("zmm_vmovdqa32_ld", "vmovdqa32 (%rdi), %zmm8", "R64"), ("zmm_vmovdqa32_st", "vmovdqa32 %zmm24, (%rdi)", "W64"),
    ("zmm_vmovdqa64_ld", "vmovdqa64 (%rdi), %zmm31", "R64"), ("zmm_vmovdqa64_st", "vmovdqa64 %zmm15, (%rdi)", "W64"),
    ("zmm_vmovups_ld", "vmovups (%rdi), %zmm20", "R64"), ("zmm_vmovups_st", "vmovups %zmm5, (%rdi)", "W64"),
    ("zmm_vmovaps_ld", "vmovaps (%rdi), %zmm6", "R64"), ("zmm_vmovaps_st", "vmovaps %zmm9, (%rdi)", "W64"),
    ("zmm_vmovupd_ld", "vmovupd (%rdi), %zmm3", "R64"), ("zmm_vmovupd_st", "vmovupd %zmm26, (%rdi)", "W64"),
    ("zmm_vmovapd_ld", "vmovapd (%rdi), %zmm27", "R64"), ("zmm_vmovapd_st", "vmovapd %zmm25, (%rdi)", "W64"),
    ("zmm_vmovntdq_st", "vmovntdq %zmm7, (%rdi)", "W64"), ("zmm_vmovntdq_st_hi", "vmovntdq %zmm30, (%rdi)", "W64"),
    ("zmm_vmovntps_st", "vmovntps %zmm11, (%rdi)", "W64"), ("zmm_vmovntpd_st", "vmovntpd %zmm19, (%rdi)", "W64"),
    ("zmm_vmovntdqa_ld", "vmovntdqa (%rdi), %zmm12", "R64"), ("zmm_vmovntdqa_ld_hi", "vmovntdqa (%rdi), %zmm28", "R64"),
]:
    c(n, a, "rdi=D64", io + "@D64", "NEED_EVEX")
# EVEX masked moves: one io call per contiguous run of selected elements;
# loads merge ({k}) or zero ({k}{z}) the others
for n, a, pins, io in [
    ("mask_vmovdqu8_st_3", "vmovdqu8 %zmm16, (%rax){%k1}", "rax=D65 k1=0x7", "W3@D65"),
    ("mask_vmovdqu8_st_16", "vmovdqu8 %zmm16, (%rax){%k1}", "rax=D48 k1=0xffff", "W16@D48"),
    ("mask_vmovdqu8_st_63", "vmovdqu8 %zmm16, (%rax){%k1}", "rax=D64 k1=0x7fffffffffffffff", "W63@D64"),
    ("mask_vmovdqu8_st_all", "vmovdqu8 %zmm2, (%rax){%k1}", "rax=D64 k1=-1", "W64@D64"),
    ("mask_vmovdqu8_st_none", "vmovdqu8 %zmm2, (%rax){%k1}", "rax=D64 k1=0", ""),
    ("mask_vmovdqu8_st_two_runs", "vmovdqu8 %zmm2, (%rax){%k1}", "rax=D64 k1=0xf00f", "W4@D64 W4@D76"),
    ("mask_vmovdqu8_st_ymm_bits_above", "vmovdqu8 %ymm17, (%rax){%k2}", "rax=D64 k2=-1", "W32@D64"),
    ("mask_vmovdqu8_st_xmm", "vmovdqu8 %xmm3, (%rax){%k3}", "rax=D67 k3=0x1f", "W5@D67"),
    ("mask_vmovdqu16_st_xmm", "vmovdqu16 %xmm2, (%rax){%k2}", "rax=D64 k2=0x3c", "W8@D68"),
    ("mask_vmovdqu32_st_zmm", "vmovdqu32 %zmm5, (%rax){%k3}", "rax=D64 k3=0x8001", "W4@D64 W4@D124"),
    ("mask_vmovdqu64_st_ymm", "vmovdqu64 %ymm30, (%rax){%k7}", "rax=D64 k7=0x6", "W16@D72"),
    ("mask_vmovups_st_zmm", "vmovups %zmm4, (%rax){%k4}", "rax=D64 k4=0xfff0", "W48@D80"),
    ("mask_vmovupd_st_xmm", "vmovupd %xmm21, (%rax){%k5}", "rax=D64 k5=0x1", "W8@D64"),
    ("mask_vmovaps_st_ymm", "vmovaps %ymm6, (%rax){%k6}", "rax=D64 k6=0x3", "W8@D64"),
    ("mask_vmovapd_st_zmm", "vmovapd %zmm22, (%rax){%k1}", "rax=D64 k1=0xa5", "W8@D64 W8@D80 W8@D104 W8@D120"),
    ("mask_vmovdqa32_st_ymm", "vmovdqa32 %ymm7, (%rax){%k2}", "rax=D64 k2=0xf0", "W16@D80"),
    ("mask_vmovdqa64_st_zmm", "vmovdqa64 %zmm8, (%rax){%k3}", "rax=D64 k3=0x7f", "W56@D64"),
    ("mask_vmovdqu8_ld_merge", "vmovdqu8 (%rax), %zmm16{%k1}", "rax=D65 k1=0x7", "R3@D65"),
    ("mask_vmovdqu8_ld_zero", "vmovdqu8 (%rax), %zmm16{%k1}{z}", "rax=D65 k1=0x7", "R3@D65"),
    ("mask_vmovdqu8_ld_ymm_zero", "vmovdqu8 (%rax), %ymm2{%k2}{z}", "rax=D64 k2=0xff00ff00", "R8@D72 R8@D88"),
    ("mask_vmovdqu8_ld_xmm_none", "vmovdqu8 (%rax), %xmm3{%k3}", "rax=D64 k3=0", ""),
    ("mask_vmovdqu8_ld_xmm_none_zero", "vmovdqu8 (%rax), %xmm3{%k3}{z}", "rax=D64 k3=0xffff0000", ""),
    ("mask_vmovdqu16_ld_ymm_merge", "vmovdqu16 (%rax), %ymm3{%k2}", "rax=D64 k2=0xf0", "R8@D72"),
    ("mask_vmovdqu32_ld_zmm_merge", "vmovdqu32 (%rax), %zmm31{%k4}", "rax=D64 k4=0xfffe", "R60@D68"),
    ("mask_vmovdqu64_ld_xmm_zero", "vmovdqu64 (%rax), %xmm1{%k1}{z}", "rax=D64 k1=0x2", "R8@D72"),
    ("mask_vmovups_ld_zmm_zero", "vmovups (%rax), %zmm1{%k1}{z}", "rax=D64 k1=0x1", "R4@D64"),
    ("mask_vmovupd_ld_ymm_merge", "vmovupd (%rax), %ymm20{%k5}", "rax=D64 k5=0xc", "R16@D80"),
    ("mask_vmovaps_ld_xmm_merge", "vmovaps (%rax), %xmm7{%k6}", "rax=D64 k6=0x9", "R4@D64 R4@D76"),
    ("mask_vmovapd_ld_zmm_zero", "vmovapd (%rax), %zmm9{%k7}{z}", "rax=D64 k7=0xf0", "R32@D96"),
    ("mask_vmovdqa32_ld_ymm_zero", "vmovdqa32 (%rax), %ymm10{%k1}{z}", "rax=D64 k1=0xf", "R16@D64"),
    ("mask_vmovdqa64_ld_zmm_merge", "vmovdqa64 (%rax), %zmm11{%k2}", "rax=D64 k2=0x81", "R8@D64 R8@D120"),
    # random opmasks: the harness derives the runs from the mask
    ("mask_rand_vmovdqu8_st_zmm", "vmovdqu8 %zmm16, (%rax){%k1}", "rax=D64", "?"),
    ("mask_rand_vmovdqu8_ld_zmm_zero", "vmovdqu8 (%rax), %zmm17{%k2}{z}", "rax=D64", "?"),
    ("mask_rand_vmovdqu8_ld_xmm_merge", "vmovdqu8 (%rax), %xmm4{%k7}", "rax=D64", "?"),
    ("mask_rand_vmovdqu16_ld_ymm_merge", "vmovdqu16 (%rax), %ymm5{%k3}", "rax=D64", "?"),
    ("mask_rand_vmovdqu32_st_xmm", "vmovdqu32 %xmm6, (%rax){%k4}", "rax=D64", "?"),
    ("mask_rand_vmovdqu64_ld_zmm_merge", "vmovdqu64 (%rax), %zmm20{%k5}", "rax=D64", "?"),
    ("mask_rand_vmovdqu64_st_zmm", "vmovdqu64 %zmm21, (%rax){%k6}", "rax=D64", "?"),
]:
    c(n, a, pins, io, "NEED_EVEX")
# bt with a memory operand: bt reads; bts btr btc read and write back; the
# register forms address a bit string (operand-sized words, signed offset)
c("bt_clang_bit32", "btq $0x20, 0x10(%rax)", "rax=D0", "R8@D16")
for op in ["bt", "bts", "btr", "btc"]:
    rw = lambda w, at: ("R%d@%s" % (w, at)) + ("" if op == "bt" else " W%d@%s" % (w, at))
    for n, a, pins, w, at in [
        ("imm16", "%sw $15, (%%rdi)", D, 2, "D16"), ("imm16_mod", "%sw $0x13, (%%rdi)", D, 2, "D16"),
        ("imm32", "%sl $3, (%%rdi)", D, 4, "D16"), ("imm32_mod", "%sl $35, (%%rdi)", D, 4, "D16"),
        ("imm64", "%sq $63, (%%rdi)", D, 8, "D16"), ("imm64_0x80", "%sq $0x80, (%%rdi)", D, 8, "D16"),
        ("reg16_pos", "%sw %%si, (%%rdi)", "rdi=D16 rsi=0x11^", 2, "D18"),
        ("reg16_neg", "%sw %%r9w, (%%rdi)", "rdi=D16 r9=0xffef^", 2, "D12"),
        ("reg32_pos", "%sl %%eax, (%%rdi)", "rdi=D16 rax=37^", 4, "D20"),
        ("reg32_neg", "%sl %%ecx, (%%rdi)", "rdi=D16 rcx=0xffffffff^", 4, "D12"),
        ("reg32_in_word", "%sl %%edx, 8(%%rdi)", "rdi=D8 rdx=31^", 4, "D16"),
        ("reg64_pos", "%sq %%rcx, (%%rdi)", "rdi=D16 rcx=200", 8, "D40"),
        ("reg64_neg", "%sq %%rdx, (%%rdi)", "rdi=D64 rdx=-65", 8, "D48"),
        ("reg64_far", "%sq %%r11, (%%rdi)", "rdi=D16 r11=805", 8, "D112"),
    ]:
        c("%s_%s" % (op, n), a % op, pins, rw(w, at))
# vector logic and compares with a memory source (a folded load)
for i, op in enumerate(["pxor", "pand", "por", "pandn", "xorps", "andps", "orps", "andnps", "xorpd", "andpd",
                        "orpd", "andnpd", "pcmpeqb", "pcmpeqw", "pcmpeqd", "pminub", "pmaxub"]):
    c("sse_%s_mem" % op, "%s (%%rdi), %%xmm%d" % (op, (i * 5) % 16), "rdi=D64", "R16@D64")
c("vxorps_clang_os", "vxorps 0x30(%rcx), %xmm0, %xmm0", "rcx=D16", "R16@D64", "NEED_AVX")
for i, op in enumerate(["vpxor", "vpand", "vpor", "vpandn", "vxorps", "vandps", "vorps", "vandnps", "vxorpd",
                        "vandpd", "vorpd", "vandnpd", "vpcmpeqb", "vpcmpeqw", "vpcmpeqd", "vpminub", "vpmaxub"]):
    c("vex_%s_mem_xmm" % op, "%s (%%rdi), %%xmm%d, %%xmm%d" % (op, i % 16, (i * 7 + 3) % 16), "rdi=D64",
      "R16@D64", "NEED_AVX")
    fp = op[-2:] in ("ps", "pd")
    c("vex_%s_mem_ymm" % op, "%s (%%rdi), %%ymm%d, %%ymm%d" % (op, (i * 3) % 16, (i * 3) % 16), "rdi=D64",
      "R32@D64", "NEED_AVX" if fp else "NEED_AVX2")
for n, a, io in [
    ("evex_vpxord_zmm", "vpxord (%rdi), %zmm1, %zmm2", "R64"),
    ("evex_vpxorq_ymm", "vpxorq (%rdi), %ymm17, %ymm18", "R32"),
    ("evex_vpxord_xmm_same", "vpxord (%rdi), %xmm30, %xmm30", "R16"),
    ("evex_vpandd_xmm", "vpandd (%rdi), %xmm20, %xmm3", "R16"),
    ("evex_vpandq_zmm", "vpandq (%rdi), %zmm31, %zmm16", "R64"),
    ("evex_vpord_ymm", "vpord (%rdi), %ymm4, %ymm21", "R32"),
    ("evex_vporq_zmm", "vporq (%rdi), %zmm30, %zmm30", "R64"),
    ("evex_vpandnd_zmm", "vpandnd (%rdi), %zmm5, %zmm6", "R64"),
    ("evex_vpandnq_xmm", "vpandnq (%rdi), %xmm16, %xmm17", "R16"),
    ("evex_vpminub_zmm", "vpminub (%rdi), %zmm18, %zmm19", "R64"),
    ("evex_vpmaxub_ymm", "vpmaxub (%rdi), %ymm19, %ymm20", "R32"),
]:
    c(n, a, "rdi=D64", io + "@D64", "NEED_EVEX")
# strings
c("movsb_mem_dev", "movsb", "rsi=M8 rdi=D16", "R1@M8 W1@D16")
c("movsl_dev_mem", "movsl", "rsi=D16 rdi=M8", "R4@D16 W4@M8")
c("movsq_dev_dev", "movsq", "rsi=D16 rdi=D64", "R8@D16 W8@D64")
c("movsw", "movsw", "rsi=M0 rdi=D0", "R2@M0 W2@D0")
# rep movs/stos: one access per element, of the element's width, in order;
# movs reads then writes each element. Long ones: "?" (the harness checks
# every element's call).


def elements(n, w, src, dst):
    """The io log of n elements of w bytes: src/dst like ('M', 8), src None
    for stos."""
    out = []
    for i in range(n):
        if src:
            out.append('R%d@%s%d' % (w, src[0], src[1] + i * w))
        out.append('W%d@%s%d' % (w, dst[0], dst[1] + i * w))
    return ' '.join(out)


c("rep_movsb_mem_dev", "rep movsb", "rsi=M8 rdi=D16 rcx=37", "?")
c("rep_movsw_mem_dev", "rep movsw", "rsi=M2 rdi=D2 rcx=9", elements(9, 2, ('M', 2), ('D', 2)))
c("rep_movsl_dev_mem", "rep movsl", "rsi=D16 rdi=M0 rcx=11", elements(11, 4, ('D', 16), ('M', 0)))
c("rep_movsq_dev_dev", "rep movsq", "rsi=D0 rdi=D512 rcx=20", elements(20, 8, ('D', 0), ('D', 512)))
c("rep_movsb_long", "rep movsb", "rsi=M0 rdi=D0 rcx=3000", "?")
# overlapping forward: each element reads what the one before it wrote
c("rep_movsb_overlap", "rep movsb", "rsi=D0 rdi=D3 rcx=10", elements(10, 1, ('D', 0), ('D', 3)))
c("rep_movsb_zero_count", "rep movsb", "rsi=M0 rdi=D0 rcx=0", "")
c("repne_movsb", "repne movsb", "rsi=M0 rdi=D0 rcx=5", elements(5, 1, ('M', 0), ('D', 0)))
c("stosb", "stosb", "rdi=D16", "W1@D16")
c("stosw", "stosw", "rdi=D16", "W2@D16")
c("stosl", "stosl", "rdi=D16", "W4@D16")
c("stosq", "stosq", "rdi=D16", "W8@D16")
c("rep_stosb", "rep stosb", "rdi=D16 rcx=100", "?")
c("rep_stosl", "rep stosl", "rdi=D16 rcx=300", "?")
c("rep_stosq", "rep stosq", "rdi=D8 rcx=7", elements(7, 8, None, ('D', 8)))
c("rep_stosw_mem", "rep stosw", "rdi=M8 rcx=7", elements(7, 2, None, ('M', 8)))

out = []
for (name, asm, pins, io, need) in cases:
    out.append('\tX(%s, "%s", "%s", "%s", %s) \\' % (name, asm, pins, io, need))
print("#define X86_CASES(X) \\")
print("\n".join(out))
print()
