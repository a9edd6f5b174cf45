"""Time what the project store makes a user wait for, at survey scale: N households × 40 lines (default 5,000).

    .venv/bin/python benchmarks/store_bench.py [--households N] [--keep PATH] [--signed S]

Measures: saving every household (compute + save, one transaction each, as an assessor saves),
the check of every household that the 台账 of a large project runs in the background (正在核验),
the rows the Excel ledger and the batch of sheets read (the whole ledger, checked first), signing
S households one by one and paying them as one batch (each checked and recomputed by the engine),
and reopening the file (part of opening the 台账; a large file's quick_check runs with the check
of every household, above). The 台账's own waits (first paint, scrolling, filters, sorting) are
ledger_bench.py's.
"""
from __future__ import annotations

import argparse
import copy
import datetime as dt
import os
import sys
import tempfile
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from calculator.core import idcard  # noqa: E402
from calculator.engine.case import case_from_dict, parse_json  # noqa: E402
from calculator.core.limits import counted  # noqa: E402
from calculator.engine.compensation import compute  # noqa: E402
from calculator.engine.schedules import load_schedule  # noqa: E402
from calculator.store import SqliteStore, Status, ledger_totals  # noqa: E402
from calculator.store.checking import scan_project  # noqa: E402

EXTRA_LINES = (  # five more lines to make the example's 35 up to 40
    {"item": "用材树/杨树", "quantity": 4, "diameter_cm": "18"},
    {"item": "用材树/国槐", "quantity": 2, "diameter_cm": "9"},
    {"item": "果树/核桃树", "quantity": 2, "diameter_cm": "20"},
    {"item": "围墙/砖围墙", "quantity": "18.00", "rate": "65"},
    {"item": "月台或院内铺砌/混凝土或混凝土砖砌", "quantity": "30.00", "rate": "40"},
)


def id_number(index: int) -> str:
    """A valid 身份证号 of its own for household `index`: the example's area code, a birth date counted on from
    1950-01-01 and its check digit (households sharing one would be listed by the summary as registered twice)."""
    body = f"142329{dt.date(1950, 1, 1) + dt.timedelta(days=index):%Y%m%d}{index % 1000:03d}"
    return body + idcard.calc_check_digit(body)


def household_case(template: dict, index: int):
    """The example with 40 lines, another head and quantities scaled by 0.6 … 1.5 (a count of trees, wells or
    households stays whole, at least 1, as an assessor counts it: 1.2 株 is priced with a warning to check it)."""
    units = {key: item.unit for key, item in load_schedule().items.items()}
    data = copy.deepcopy(template)
    data["items"] += [dict(line) for line in EXTRA_LINES]
    data["household"]["head"] = f"户主{index:05d}"
    data["household"]["id_number"] = id_number(index)
    data["household"]["address"] = f"文水县凤城镇堡子村{index // 100 + 1}巷{index % 100 + 1}号"
    data["case_id"] = f"BZ-{index:05d}"
    factor = Decimal(6 + index % 10) / 10
    for line in data["items"]:
        if isinstance(line.get("quantity"), str) and "attached_to" not in line:
            step = Decimal(1) if counted(units[line["item"]]) else Decimal("0.01")
            line["quantity"] = str(max((Decimal(line["quantity"]) * factor).quantize(step, ROUND_HALF_UP), step))
    data["relocation"]["building_area_m2"] = str((Decimal("153.00") * factor).quantize(Decimal("0.01")))
    return case_from_dict(data)


def timed(label: str, action):
    start = time.perf_counter()
    value = action()
    elapsed = time.perf_counter() - start
    print(f"{label:<48} {elapsed:9.3f} s")
    return value, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--keep", help="write the project file here instead of a temporary folder")
    parser.add_argument("--signed", type=int, default=500, help="how many households to sign and pay")
    args = parser.parse_args()
    template = parse_json((ROOT / "examples" / "household.json").read_text(encoding="utf-8"))
    folder = tempfile.TemporaryDirectory()
    path = args.keep or os.path.join(folder.name, "bench.landcomp")
    n, signed = args.households, min(args.signed, args.households)
    print(f"{n} households × {len(template['items']) + len(EXTRA_LINES)} lines → {path}")
    cases = [household_case(template, index) for index in range(n)]

    with SqliteStore(path, actor="bench") as store:
        project = store.create_project("堡子片区(基准测试)")

        def insert_all():
            for index, case in enumerate(cases):
                household = store.add_household(project.id, f"{index + 1:05d}", case.household["head"])
                store.save_computed(household.id, compute(case))

        _, insert = timed(f"save {n} (add + compute + save, 1 txn each)", insert_all)
        found, _ = timed("check every household (the 台账's 正在核验)", lambda: scan_project(path))
        rows, _ = timed("the workbook's rows (whole ledger, checked first)", lambda: store.ledger(project.id))
        ids = [row.household_id for row in rows[:signed]]

        def sign_all():
            for household_id in ids:
                store.sign(household_id)

        timed(f"sign {signed} one by one (each checked, recomputed)", sign_all)
        paid, _ = timed(f"pay those {signed} as one batch (each recomputed)",
                        lambda: store.pay(ids, batch="第1批"))
        assert not found and len(rows) == n and len(paid) == signed
        assert all(household.status is Status.PAID for household in paid)
    timed("reopen (a large file: quick_check with the check)", lambda: SqliteStore(path).close())
    print(f"file size {os.path.getsize(path) / 1e6:.1f} MB; ledger total {ledger_totals(rows).total} 元; "
          f"save {insert / n * 1000:.2f} ms per household")
    folder.cleanup()


if __name__ == "__main__":
    main()
