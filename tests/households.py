"""Households for tests: the worked example and variants of it under other heads and quantities."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from calculator.case import Case, case_from_dict, parse_json

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "household.json"
HEADS = ("王建国", "李秀英", "张德胜", "赵桂兰", "刘福生", "陈玉梅")


def variant(index: int) -> Case:
    """The example household (index 0 is the example itself) under another head, address and case id,
    its measured quantities scaled by (10 + index) / 10."""
    data = parse_json(EXAMPLE.read_text(encoding="utf-8"))
    data["household"]["head"] = HEADS[index % len(HEADS)] + ("" if index < len(HEADS) else str(index))
    data["household"]["address"] = f"文水县凤城镇堡子村东街{17 + index}号"
    data["case_id"] = f"BZ-2023-{317 + index:04d}"
    factor = Decimal(10 + index) / 10
    for line in data["items"][:index and None]:
        if isinstance(line.get("quantity"), str) and "attached_to" not in line:
            line["quantity"] = str((Decimal(line["quantity"]) * factor).quantize(Decimal("0.01")))
    return case_from_dict(data)
