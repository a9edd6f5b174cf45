"""Households for tests: the worked example and variants of it under other heads and quantities."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from calculator.engine.case import Case, case_from_dict
from calculator.core.jsonfile import parse_json

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


def fill_project(store, project_id: int) -> list:
    """Five computed households 0001–0005 (0002 signed, 0003 paid) and 0099 registered without a case.

    Returns the engine's results in 户号 order."""
    from calculator.engine.compensation import compute
    results = []
    for index in range(5):
        household = store.add_household(project_id, f"{index + 1:04d}")
        result = compute(variant(index))
        store.save_computed(household.id, result)
        results.append(result)
    store.sign(store.find_household(project_id, "0002").id)
    paid = store.find_household(project_id, "0003").id
    store.sign(paid)
    store.pay([paid], batch="第1批")
    store.add_household(project_id, "0099", "未测算户")
    return results


def break_a_page_link(path: Path) -> None:
    """Damage a project file made by `fill_project` as a failing disk would: the link from one page of 0004's
    stored case to the next (PRAGMA quick_check finds it; the 台账's own reads do not pass it)."""
    data = bytearray(path.read_bytes())
    page = (data.index(b'"case_id":"BZ-2023-0320"') // 4096 + 1) * 4096
    data[page:page + 4] = b"\xff" * 4
    path.write_bytes(bytes(data))
