"""The one list of the ways rvvnn's objdump-style text differs from
riscv64-linux-gnu-objdump 2.40 (Debian 12), and how tests compare the
two. Every isa test that reads objdump output goes through objdump_text(),
ours() and known_difference(); nothing else normalises text."""
import re

# objdump 2.40 orders binutils' "add rd, rs, imm"-style convenience aliases
# before the real immediate instructions, so it prints them without their
# trailing i (addi a0,a1,1 -> add a0,a1,1; slliw -> sllw; csrrwi -> csrrw).
# rvvnn prints the instruction's own mnemonic.
DROPPED_I = {"addi": "add", "addiw": "addw", "xori": "xor", "ori": "or", "andi": "and",
             "slli": "sll", "srli": "srl", "srai": "sra", "slliw": "sllw", "srliw": "srlw",
             "sraiw": "sraw", "csrrwi": "csrrw", "csrrsi": "csrrs", "csrrci": "csrrc",
             "csrwi": "csrw", "csrsi": "csrs", "csrci": "csrc"}

DIFFERENCES = [
    "immediate forms: objdump 2.40 drops the trailing i (" + ", ".join(
        "%s -> %s" % kv for kv in sorted(DROPPED_I.items())) + "); rvvnn prints the real mnemonic",
    "annotations: objdump appends ' <symbol+offset>' to branch targets and '# address' after "
    "auipc/lui pairs; rvvnn's instruction text has neither (rvvnn disasm adds <symbol> itself)",
    "compressed HINT encodings (rd x0, c.addi/c.slli/c.srli/c.srai of 0, c.mv/c.add to x0): objdump "
    "prints c.nop/c.li/c.lui/c.mv/c.add/c.slli/c.slli64/c.srli64/c.srai64 (or add rd,rd,0); rvvnn "
    "prints the instruction the HINT expands to",
    "words objdump 2.40 cannot decode: it prints its vmsge.vx macro entry for them (reserved "
    "encodings, and 16-bit parcels such as c.unimp in objects whose arch has no C), decodes "
    "c.addi16sp with immediate 0 as add sp,sp,0 and prints reserved rounding modes 5 and 6 as "
    "'unknown'; rvvnn prints .4byte/.2byte, or the compressed instruction",
    "zero runs: objdump -d collapses runs of zero bytes into '...'; rvvnn disasm prints every "
    "parcel, as objdump -d -z does",
    "CSR names: rvvnn names the user, vector and common supervisor/machine CSRs; objdump knows "
    "more (hpmcounterN, pmpcfgN, ...) which rvvnn prints as hex",
]


def ours(text):
    """rvvnn's objdump-syntax text, in objdump 2.40's spelling."""
    m, _, ops = text.partition("\t")
    if m in DROPPED_I:
        m = DROPPED_I[m]
    return m + ("\t" + ops if ops else "")


def objdump_text(text, keep_symbols=False):
    """objdump's instruction text without its annotations ('# address'
    comments, and ' <symbol>' after targets unless keep_symbols)."""
    text = re.sub(r"\s*#.*$", "", text)
    return (text if keep_symbols else re.sub(r" <[^>]*>", "", text)).rstrip()


def known_difference(hexword, mine, theirs):
    """Which of DIFFERENCES explains mine != theirs for this word, or None."""
    m_mn, _, m_ops = mine.partition("\t")
    t_mn, _, t_ops = theirs.partition("\t")
    if len(hexword) == 4 and (t_mn.startswith("c.") or (
            m_mn == "mv" and t_mn == "add" and t_ops == "%s,%s,0" % tuple(m_ops.split(",")))):
        return "compressed HINT"
    if t_mn == "vmsge.vx" or (m_mn.startswith(".") and (theirs == "add\tsp,sp,0" or t_ops.endswith(",unknown"))):
        return "reserved encoding"
    if m_mn == t_mn:
        a, b = m_ops.split(","), t_ops.split(",")
        if len(a) == len(b) and all(x == y or (x.startswith("0x") and not y.startswith("0x")) for x, y in zip(a, b)):
            return "CSR name"
    return None
