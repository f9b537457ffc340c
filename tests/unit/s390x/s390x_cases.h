/* Every instruction the s390x emulator supports, as the assembler encodes
 * it (not as our table would): X(name, registers, device calls, text).
 *
 * registers: "rN=D+off" (device page), "rN=M+off" (ordinary memory),
 * "rN=T" (the EXECUTE target), "rN=#value"; the others are random.
 * device calls: the io calls to the device page, in order ("R4 W4"), "" for
 * none, "*" when it depends on the condition code (LOC, STOC).
 * text: the instruction; for EX and EXRL a second line is the target. */
#define S390X_CASES(X) \
	X(l,       "r2=D+16 r3=#8",  "R4", "l %r1,4(%r3,%r2)") \
	X(l_r0,    "r2=D+8",         "R4", "l %r1,20(%r2,%r0)") \
	X(l_abs0,  "r3=D+24",        "R4", "l %r4,0(%r3)") \
	X(ly,      "r2=D+64",        "R4", "ly %r1,-8(%r2)") \
	X(ly_far,  "r2=D-70000",     "R4", "ly %r5,70008(%r2)") \
	X(lg,      "r2=D+8",         "R8", "lg %r3,8(%r2)") \
	X(lgf,     "r5=D",           "R4", "lgf %r4,12(%r5)") \
	X(llgf,    "r5=D",           "R4", "llgf %r4,12(%r5)") \
	X(llgt,    "r5=D",           "R4", "llgt %r4,12(%r5)") \
	X(lh,      "r2=D",           "R2", "lh %r1,6(%r2)") \
	X(lhy,     "r2=D",           "R2", "lhy %r1,6(%r2)") \
	X(lgh,     "r2=D",           "R2", "lgh %r1,6(%r2)") \
	X(llh,     "r2=D",           "R2", "llh %r1,6(%r2)") \
	X(llgh,    "r2=D",           "R2", "llgh %r1,6(%r2)") \
	X(lb,      "r2=D",           "R1", "lb %r1,7(%r2)") \
	X(lgb,     "r2=D",           "R1", "lgb %r1,7(%r2)") \
	X(llc,     "r2=D",           "R1", "llc %r1,7(%r2)") \
	X(llgc,    "r2=D",           "R1", "llgc %r1,7(%r2)") \
	X(ic,      "r2=D",           "R1", "ic %r1,7(%r2)") \
	X(icy,     "r2=D",           "R1", "icy %r1,7(%r2)") \
	X(icm15,   "r2=D",           "R4", "icm %r1,15,8(%r2)") \
	X(icm5,    "r2=D",           "R2", "icm %r1,5,8(%r2)") \
	X(icm8,    "r2=D",           "R1", "icm %r1,8,9(%r2)") \
	X(icmy,    "r2=D",           "R2", "icmy %r1,3,8(%r2)") \
	X(icmh,    "r2=D",           "R4", "icmh %r1,15,8(%r2)") \
	X(lt,      "r2=D",           "R4", "lt %r1,8(%r2)") \
	X(ltg,     "r2=D",           "R8", "ltg %r1,8(%r2)") \
	X(ltgf,    "r2=D",           "R4", "ltgf %r1,8(%r2)") \
	X(lrv,     "r2=D",           "R4", "lrv %r1,8(%r2)") \
	X(lrvg,    "r2=D",           "R8", "lrvg %r1,8(%r2)") \
	X(lrvh,    "r2=D",           "R2", "lrvh %r1,8(%r2)") \
	X(lfh,     "r2=D",           "R4", "lfh %r1,8(%r2)") \
	X(lhh,     "r2=D",           "R2", "lhh %r1,8(%r2)") \
	X(llhh,    "r2=D",           "R2", "llhh %r1,8(%r2)") \
	X(lbh,     "r2=D",           "R1", "lbh %r1,8(%r2)") \
	X(llch,    "r2=D",           "R1", "llch %r1,8(%r2)") \
	X(le,      "r2=D",           "R4", "le %f1,8(%r2)") \
	X(ley,     "r2=D+64",        "R4", "ley %f15,-8(%r2)") \
	X(ld,      "r2=D",           "R8", "ld %f2,8(%r2)") \
	X(ldy,     "r2=D",           "R8", "ldy %f8,8(%r2)") \
	X(ste,     "r2=D",           "W4", "ste %f1,8(%r2)") \
	X(stey,    "r2=D",           "W4", "stey %f3,8(%r2)") \
	X(std,     "r2=D",           "W8", "std %f0,8(%r2)") \
	X(stdy,    "r2=D",           "W8", "stdy %f9,8(%r2)") \
	X(st,      "r2=D+16 r3=#8",  "W4", "st %r1,4(%r3,%r2)") \
	X(sty,     "r2=D+64",        "W4", "sty %r1,-8(%r2)") \
	X(stg,     "r2=D",           "W8", "stg %r1,8(%r2)") \
	X(sth,     "r2=D",           "W2", "sth %r1,6(%r2)") \
	X(sthy,    "r2=D",           "W2", "sthy %r1,6(%r2)") \
	X(stc,     "r2=D",           "W1", "stc %r1,7(%r2)") \
	X(stcy,    "r2=D",           "W1", "stcy %r1,7(%r2)") \
	X(strv,    "r2=D",           "W4", "strv %r1,8(%r2)") \
	X(strvg,   "r2=D",           "W8", "strvg %r1,8(%r2)") \
	X(strvh,   "r2=D",           "W2", "strvh %r1,8(%r2)") \
	X(stfh,    "r2=D",           "W4", "stfh %r1,8(%r2)") \
	X(sthh,    "r2=D",           "W2", "sthh %r1,8(%r2)") \
	X(stch,    "r2=D",           "W1", "stch %r1,8(%r2)") \
	X(stcm15,  "r2=D",           "W4", "stcm %r1,15,8(%r2)") \
	X(stcm6,   "r2=D",           "W2", "stcm %r1,6,8(%r2)") \
	X(stcmy,   "r2=D",           "W1", "stcmy %r1,1,8(%r2)") \
	X(stcmh,   "r2=D",           "W3", "stcmh %r1,13,8(%r2)") \
	X(mvi,     "r2=D",           "W1", "mvi 5(%r2),0xa5") \
	X(mviy,    "r2=D+64",        "W1", "mviy -5(%r2),0x5a") \
	X(mvhhi,   "r2=D",           "W2", "mvhhi 6(%r2),-2") \
	X(mvhi,    "r2=D",           "W4", "mvhi 8(%r2),-32768") \
	X(mvghi,   "r2=D",           "W8", "mvghi 8(%r2),-3") \
	X(a,       "r2=D",           "R4", "a %r1,8(%r2)") \
	X(ay,      "r2=D",           "R4", "ay %r1,8(%r2)") \
	X(ah,      "r2=D",           "R2", "ah %r1,8(%r2)") \
	X(ahy,     "r2=D",           "R2", "ahy %r1,8(%r2)") \
	X(ag,      "r2=D",           "R8", "ag %r1,8(%r2)") \
	X(agf,     "r2=D",           "R4", "agf %r1,8(%r2)") \
	X(agh,     "r2=D",           "R2", "agh %r1,8(%r2)") \
	X(al,      "r2=D",           "R4", "al %r1,8(%r2)") \
	X(aly,     "r2=D",           "R4", "aly %r1,8(%r2)") \
	X(alg,     "r2=D",           "R8", "alg %r1,8(%r2)") \
	X(algf,    "r2=D",           "R4", "algf %r1,8(%r2)") \
	X(alc,     "r2=D",           "R4", "alc %r1,8(%r2)") \
	X(alcg,    "r2=D",           "R8", "alcg %r1,8(%r2)") \
	X(s,       "r2=D",           "R4", "s %r1,8(%r2)") \
	X(sy,      "r2=D",           "R4", "sy %r1,8(%r2)") \
	X(sh,      "r2=D",           "R2", "sh %r1,8(%r2)") \
	X(shy,     "r2=D",           "R2", "shy %r1,8(%r2)") \
	X(sg,      "r2=D",           "R8", "sg %r1,8(%r2)") \
	X(sgf,     "r2=D",           "R4", "sgf %r1,8(%r2)") \
	X(sgh,     "r2=D",           "R2", "sgh %r1,8(%r2)") \
	X(sl,      "r2=D",           "R4", "sl %r1,8(%r2)") \
	X(sly,     "r2=D",           "R4", "sly %r1,8(%r2)") \
	X(slg,     "r2=D",           "R8", "slg %r1,8(%r2)") \
	X(slgf,    "r2=D",           "R4", "slgf %r1,8(%r2)") \
	X(slb,     "r2=D",           "R4", "slb %r1,8(%r2)") \
	X(slbg,    "r2=D",           "R8", "slbg %r1,8(%r2)") \
	X(n,       "r2=D",           "R4", "n %r1,8(%r2)") \
	X(ny,      "r2=D",           "R4", "ny %r1,8(%r2)") \
	X(ng,      "r2=D",           "R8", "ng %r1,8(%r2)") \
	X(o,       "r2=D",           "R4", "o %r1,8(%r2)") \
	X(oy,      "r2=D",           "R4", "oy %r1,8(%r2)") \
	X(og,      "r2=D",           "R8", "og %r1,8(%r2)") \
	X(x,       "r2=D",           "R4", "x %r1,8(%r2)") \
	X(xy,      "r2=D",           "R4", "xy %r1,8(%r2)") \
	X(xg,      "r2=D",           "R8", "xg %r1,8(%r2)") \
	X(ms,      "r2=D",           "R4", "ms %r1,8(%r2)") \
	X(msy,     "r2=D",           "R4", "msy %r1,8(%r2)") \
	X(msg,     "r2=D",           "R8", "msg %r1,8(%r2)") \
	X(msgf,    "r2=D",           "R4", "msgf %r1,8(%r2)") \
	X(mh,      "r2=D",           "R2", "mh %r1,8(%r2)") \
	X(mhy,     "r2=D",           "R2", "mhy %r1,8(%r2)") \
	X(mgh,     "r2=D",           "R2", "mgh %r1,8(%r2)") \
	X(c,       "r2=D",           "R4", "c %r1,8(%r2)") \
	X(cy,      "r2=D",           "R4", "cy %r1,8(%r2)") \
	X(cg,      "r2=D",           "R8", "cg %r1,8(%r2)") \
	X(cgf,     "r2=D",           "R4", "cgf %r1,8(%r2)") \
	X(ch,      "r2=D",           "R2", "ch %r1,8(%r2)") \
	X(chy,     "r2=D",           "R2", "chy %r1,8(%r2)") \
	X(cgh,     "r2=D",           "R2", "cgh %r1,8(%r2)") \
	X(chf,     "r2=D",           "R4", "chf %r1,8(%r2)") \
	X(cl,      "r2=D",           "R4", "cl %r1,8(%r2)") \
	X(cly,     "r2=D",           "R4", "cly %r1,8(%r2)") \
	X(clg,     "r2=D",           "R8", "clg %r1,8(%r2)") \
	X(clgf,    "r2=D",           "R4", "clgf %r1,8(%r2)") \
	X(clhf,    "r2=D",           "R4", "clhf %r1,8(%r2)") \
	X(cli,     "r2=D",           "R1", "cli 8(%r2),0x80") \
	X(cli0,    "r2=D",           "R1", "cli 8(%r2),0") \
	X(cliy,    "r2=D",           "R1", "cliy 8(%r2),0xff") \
	X(chhsi,   "r2=D",           "R2", "chhsi 8(%r2),-1") \
	X(chsi,    "r2=D",           "R4", "chsi 8(%r2),0") \
	X(cghsi,   "r2=D",           "R8", "cghsi 8(%r2),-1") \
	X(clhhsi,  "r2=D",           "R2", "clhhsi 8(%r2),0xffff") \
	X(clfhsi,  "r2=D",           "R4", "clfhsi 8(%r2),0x8000") \
	X(clghsi,  "r2=D",           "R8", "clghsi 8(%r2),1") \
	X(tm,      "r2=D",           "R1", "tm 8(%r2),0x81") \
	X(tmy,     "r2=D",           "R1", "tmy 8(%r2),0xff") \
	X(tm0,     "r2=D",           "R1", "tm 8(%r2),0") \
	X(ni,      "r2=D",           "R1 W1", "ni 8(%r2),0x7e") \
	X(niy,     "r2=D",           "R1 W1", "niy 8(%r2),0x01") \
	X(oi,      "r2=D",           "R1 W1", "oi 8(%r2),0x10") \
	X(oiy,     "r2=D",           "R1 W1", "oiy 8(%r2),0") \
	X(xi,      "r2=D",           "R1 W1", "xi 8(%r2),0xff") \
	X(xiy,     "r2=D",           "R1 W1", "xiy 8(%r2),0x80") \
	X(asi,     "r2=D",           "R4 W4", "asi 8(%r2),-1") \
	X(asi1,    "r2=D",           "R4 W4", "asi 8(%r2),1") \
	X(agsi,    "r2=D",           "R8 W8", "agsi 8(%r2),-128") \
	X(alsi,    "r2=D",           "R4 W4", "alsi 8(%r2),1") \
	X(alsi_n,  "r2=D",           "R4 W4", "alsi 8(%r2),-3") \
	X(algsi,   "r2=D",           "R8 W8", "algsi 8(%r2),127") \
	X(algsi_n, "r2=D",           "R8 W8", "algsi 8(%r2),-1") \
	X(lm,      "r2=D",           "R4 R4 R4 R4", "lm %r4,%r7,8(%r2)") \
	X(lm_wrap, "r2=D",           "R4 R4 R4 R4", "lm %r14,%r1,8(%r2)") \
	X(lm_base, "r2=D",           "R4 R4 R4", "lm %r1,%r3,8(%r2)") \
	X(lmy,     "r2=D+64",        "R4 R4", "lmy %r4,%r5,-8(%r2)") \
	X(lmg,     "r2=D",           "R8 R8 R8", "lmg %r3,%r5,8(%r2)") \
	X(lmh,     "r2=D",           "R4 R4", "lmh %r3,%r4,8(%r2)") \
	X(stm,     "r2=D",           "W4 W4 W4 W4", "stm %r4,%r7,8(%r2)") \
	X(stm_wrap, "r2=D",          "W4 W4 W4", "stm %r15,%r1,8(%r2)") \
	X(stmy,    "r2=D+64",        "W4 W4", "stmy %r4,%r5,-8(%r2)") \
	X(stmg,    "r2=D",           "W8 W8 W8", "stmg %r1,%r3,8(%r2)") \
	X(stmh,    "r2=D",           "W4 W4", "stmh %r3,%r4,8(%r2)") \
	X(loc,     "r2=D",           "*", "loc %r1,8(%r2),8") \
	X(loc_ne,  "r2=D",           "*", "loc %r1,8(%r2),7") \
	X(locg,    "r2=D",           "*", "locg %r1,8(%r2),2") \
	X(locfh,   "r2=D",           "*", "locfh %r1,8(%r2),4") \
	X(stoc,    "r2=D",           "*", "stoc %r1,8(%r2),8") \
	X(stocg,   "r2=D",           "*", "stocg %r1,8(%r2),6") \
	X(stocfh,  "r2=D",           "*", "stocfh %r1,8(%r2),1") \
	X(mvc_to,  "r2=D+32 r3=M+8", "W16", "mvc 0(16,%r2),0(%r3)") \
	X(mvc_from, "r2=M+32 r3=D+8", "R16", "mvc 0(16,%r2),0(%r3)") \
	X(mvc_dd,  "r2=D+32 r3=D+8", "R16 W16", "mvc 0(16,%r2),0(%r3)") \
	X(mvc_256, "r2=D+512 r3=M",  "W256", "mvc 0(256,%r2),0(%r3)") \
	X(mvc_1,   "r2=D+3 r3=M",    "W1", "mvc 0(1,%r2),0(%r3)") \
	X(mvc_fill, "r2=D+16",       "R1 W1 R1 W1 R1 W1 R1 W1", "mvc 1(4,%r2),0(%r2)") \
	X(mvc_down, "r2=D+16",       "R8 W8", "mvc 0(8,%r2),2(%r2)") \
	X(clc,     "r2=D+32 r3=M+8", "R16", "clc 0(16,%r2),0(%r3)") \
	X(clc_m,   "r2=M+32 r3=D+8", "R4", "clc 0(4,%r2),0(%r3)") \
	X(nc,      "r2=D+32 r3=M+8", "R8 W8", "nc 0(8,%r2),0(%r3)") \
	X(oc,      "r2=D+32 r3=M+8", "R8 W8", "oc 0(8,%r2),0(%r3)") \
	X(xc,      "r2=D+32 r3=M+8", "R8 W8", "xc 0(8,%r2),0(%r3)") \
	X(xc_zero, "r2=D+32",        "R16 W16", "xc 0(16,%r2),0(%r2)") \
	X(mvcrl,   "r0=#15 r2=D+32 r3=M", "W16", "mvcrl 0(%r2),0(%r3)") \
	X(mvcrl_up, "r0=#3 r2=D+32", "R1 W1 R1 W1 R1 W1 R1 W1", "mvcrl 0(%r2),1(%r2)") \
	X(ex_mvc,  "r4=#0x0f r5=T r2=D+8 r3=M", "W16", "ex %r4,0(%r5)\n mvc 0(1,%r2),0(%r3)") \
	X(ex_l,    "r5=T r2=D+8",   "R4", "ex %r0,0(%r5)\n l %r1,0(%r2)") \
	X(ex_cli,  "r4=#0x5a r5=T r2=D+8", "R1", "ex %r4,0(%r5)\n cli 0(%r2),0x80") \
	X(exrl,    "r4=#0x07 r2=M r3=D+16", "R8", "exrl %r4,.+6\n mvc 0(1,%r2),0(%r3)") \
	X(exrl_set, "r4=#0x02 r1=D+32", "R1 W1 R1 W1 R1 W1", "exrl %r4,.+6\n mvc 1(1,%r1),0(%r1)") \
	X(mvcle,   "r2=D+16 r3=#40 r4=M r5=#40", "W40", "mvcle %r2,%r4,0xa5") \
	X(mvcle_from, "r2=M r3=#16 r4=D+8 r5=#16", "R16", "mvcle %r2,%r4,0") \
	X(mvcle_short, "r2=D r3=#4 r4=M r5=#100", "W4", "mvcle %r2,%r4,0(%r7)") \
	X(mvcle_zero, "r2=D r3=#0 r4=M r5=#0", "", "mvcle %r2,%r4,0") \
	X(lde,     "r2=D",           "R4", "lde %f4,8(%r2)") \
	X(vl,      "r2=D+16",        "R16", "vl %v17,0(%r2)") \
	X(vleb,    "r2=D+16",        "R1", "vleb %v17,3(%r2),15") \
	X(vleh,    "r2=D+16",        "R2", "vleh %v2,4(%r2),3") \
	X(vlef,    "r2=D+16",        "R4", "vlef %v20,4(%r2),2") \
	X(vleg,    "r2=D+16",        "R8", "vleg %v5,8(%r2),1") \
	X(vlrepb,  "r2=D+16",        "R1", "vlrep %v17,3(%r2),0") \
	X(vlrepf,  "r2=D+16",        "R4", "vlrep %v1,4(%r2),2") \
	X(vlrepg,  "r2=D+16",        "R8", "vlrep %v24,8(%r2),3") \
	X(vsteb,   "r2=D+16",        "W1", "vsteb %v0,3(%r2),7") \
	X(vsteh,   "r2=D+16",        "W2", "vsteh %v31,4(%r2),0") \
	X(vstef,   "r2=D+16",        "W4", "vstef %v6,4(%r2),3") \
	X(vsteg,   "r2=D+16",        "W8", "vsteg %v16,8(%r2),1") \
	X(vl_x,    "r2=D+16 r4=#16", "R16", "vl %v3,16(%r4,%r2)") \
	X(vst,     "r2=D+16",        "W16", "vst %v30,0(%r2)") \
	X(vst_lo,  "r2=D+16",        "W16", "vst %v1,0(%r2)") \
	X(vll,     "r2=D+16 r3=#5",  "R6", "vll %v18,%r3,0(%r2)") \
	X(vll_big, "r2=D+16 r3=#0x1234", "R16", "vll %v2,%r3,0(%r2)") \
	X(vstl,    "r2=D+16 r3=#2",  "W3", "vstl %v19,%r3,0(%r2)") \
	X(vstl_lo, "r2=D+16 r3=#0xffffffff00000000", "W1", "vstl %v4,%r3,0(%r2)")
