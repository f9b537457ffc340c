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
# strings
c("movsb_mem_dev", "movsb", "rsi=M8 rdi=D16", "R1@M8 W1@D16")
c("movsl_dev_mem", "movsl", "rsi=D16 rdi=M8", "R4@D16 W4@M8")
c("movsq_dev_dev", "movsq", "rsi=D16 rdi=D64", "R8@D16 W8@D64")
c("movsw", "movsw", "rsi=M0 rdi=D0", "R2@M0 W2@D0")
c("rep_movsb_mem_dev", "rep movsb", "rsi=M8 rdi=D16 rcx=37", "R37@M8 W37@D16")
c("rep_movsw_mem_dev", "rep movsw", "rsi=M2 rdi=D2 rcx=9", "R18@M2 W18@D2")
c("rep_movsl_dev_mem", "rep movsl", "rsi=D16 rdi=M0 rcx=11", "R44@D16 W44@M0")
c("rep_movsq_dev_dev", "rep movsq", "rsi=D0 rdi=D512 rcx=20", "R160@D0 W160@D512")
c("rep_movsb_chunks", "rep movsb", "rsi=M0 rdi=D0 rcx=3000",
  "R1024@M0 W1024@D0 R1024@M1024 W1024@D1024 R952@M2048 W952@D2048")
c("rep_movsb_overlap", "rep movsb", "rsi=D0 rdi=D3 rcx=10", "R3@D0 W3@D3 R3@D3 W3@D6 R3@D6 W3@D9 R1@D9 W1@D12")
c("rep_movsb_zero_count", "rep movsb", "rsi=M0 rdi=D0 rcx=0", "")
c("repne_movsb", "repne movsb", "rsi=M0 rdi=D0 rcx=5", "R5@M0 W5@D0")
c("stosb", "stosb", "rdi=D16", "W1@D16")
c("stosw", "stosw", "rdi=D16", "W2@D16")
c("stosl", "stosl", "rdi=D16", "W4@D16")
c("stosq", "stosq", "rdi=D16", "W8@D16")
c("rep_stosb", "rep stosb", "rdi=D16 rcx=100", "W100@D16")
c("rep_stosl", "rep stosl", "rdi=D16 rcx=300", "W1024@D16 W176@D1040")
c("rep_stosq", "rep stosq", "rdi=D8 rcx=7", "W56@D8")
c("rep_stosw_mem", "rep stosw", "rdi=M8 rcx=7", "W14@M8")

out = []
for (name, asm, pins, io, need) in cases:
    out.append('\tX(%s, "%s", "%s", "%s", %s) \\' % (name, asm, pins, io, need))
print("#define X86_CASES(X) \\")
print("\n".join(out))
print()
