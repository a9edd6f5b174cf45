"""The 备注 of a priced line as printed: its flags in words, then the rule's remarks and note."""
from __future__ import annotations

from calculator.engine.lines import DISPUTED, PricedLine
from calculator.core.rates import MIDPOINT, OVERRIDE


def line_remarks(priced: PricedLine) -> list[str]:
    """按区间中值, 超标准(理由…), 有争议(不计入合计), then the rule's remarks (评估项(依据…), 不予补偿 …) and the note."""
    words = []
    if MIDPOINT in priced.flags:
        words.append("按区间中值")
    if OVERRIDE in priced.flags:
        words.append(f"超标准(理由:{priced.line.override_reason})")
    if DISPUTED in priced.flags:
        words.append("有争议(不计入合计)")
    words += priced.remarks
    if priced.line.note:
        words.append(priced.line.note)
    return words
