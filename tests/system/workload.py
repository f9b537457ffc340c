#!/usr/bin/env python3
"""Random 4 KiB workloads for qemu-io and the check of the disk image.

  workload.py gen SEED COUNT BASE SPAN ARGS JSON
      COUNT random operations on 4 KiB blocks in [BASE, BASE+SPAN): a write
      of a pattern byte, or a read of a block written before that checks
      the last pattern written there (qemu-io verifies it). ARGS gets the
      qemu-io arguments (-c '...' ...), JSON the expected final content.
  workload.py check IMAGE JSON...
      compares IMAGE with what the workloads must have left in it: every
      written block holds its last pattern, every other block of each
      workload's range is still zero. One line per workload:
      "ok NAME: ..." or "bad NAME: ...", exit 1 if any is bad.
"""
import json
import random
import sys

BLK = 4096


def gen(seed, count, base, span, args_path, json_path):
    rnd = random.Random(seed)
    nblk = span // BLK
    last = {}
    cmds = []
    writes = reads = 0
    for i in range(count):
        if last and (i % 2 == 1):
            off = rnd.choice(sorted(last))
            cmds.append(f"read -P 0x{last[off]:02x} {off} {BLK}")
            reads += 1
        else:
            off = base + rnd.randrange(nblk) * BLK
            pat = rnd.randrange(1, 256)
            last[off] = pat
            cmds.append(f"write -P 0x{pat:02x} {off} {BLK}")
            writes += 1
    with open(args_path, "w") as f:
        f.write(" ".join(f"-c '{c}'" for c in cmds) + "\n")
    with open(json_path, "w") as f:
        json.dump({"base": base, "span": span, "writes": writes, "reads": reads,
                   "blocks": {str(k): v for k, v in last.items()}}, f)


def check(image, jsons):
    bad = 0
    with open(image, "rb") as img:
        for j in jsons:
            name = j.rsplit("/", 1)[-1].removesuffix(".json")
            w = json.load(open(j))
            blocks = {int(k): v for k, v in w["blocks"].items()}
            wrong = []
            for off in range(w["base"], w["base"] + w["span"], BLK):
                img.seek(off)
                data = img.read(BLK)
                want = bytes([blocks.get(off, 0)]) * BLK
                if data != want:
                    wrong.append(off)
            if wrong:
                bad += 1
                print(f"bad {name}: {len(wrong)} of {w['span'] // BLK} blocks differ from the expected data "
                      f"(first at offset {wrong[0]:#x})")
            else:
                print(f"ok {name}: {len(blocks)} blocks written by {w['writes']} writes, "
                      f"{w['span'] // BLK - len(blocks)} untouched blocks still zero")
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) == 8 and sys.argv[1] == "gen":
        gen(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]),
            sys.argv[6], sys.argv[7])
    elif len(sys.argv) >= 4 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2], sys.argv[3:]))
    else:
        sys.exit(__doc__)
