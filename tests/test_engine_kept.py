"""Lines kept between evaluations of the app's open case (KeptLines): an edit changes exactly what a
fresh pricing would, and nothing kept outlives the raw fields, the host's rate or the schedule it was
priced under."""
from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import tables
from calculator.engine.case import Case
from calculator.engine.compensation import KeptLines, evaluate
from calculator.engine.schedules import load_schedule, read_schedule

SCHEDULE = load_schedule()


def house() -> Case:
    return Case(items=[
        {"item": "附属平房/砖混结构", "quantity": "10", "rate": "760"},  # 7,600.00
        {"item": "歇厦、雨搭", "quantity": "4", "attached_to": "附属平房/砖混结构"},  # 4 × 760 × 50% = 1,520.00
        {"item": "围墙/砖围墙", "quantity": "20", "rate": "65"},  # 1,300.00
    ])


def amounts(result) -> list[Decimal]:
    return [line.amount for line in result.lines]


def test_an_edit_reprices_its_line_and_keeps_the_others() -> None:
    case, kept = house(), KeptLines()
    first = evaluate(case, SCHEDULE, kept)
    assert amounts(first) == [Decimal("7600.00"), Decimal("1520.00"), Decimal("1300.00")]
    case.items[2]["quantity"] = "30"  # the app edits the raw line in place
    second = evaluate(case, SCHEDULE, kept)
    assert amounts(second) == [Decimal("7600.00"), Decimal("1520.00"), Decimal("1950.00")]  # 30 × 65
    assert second.total == Decimal("11070.00")
    assert second.lines[0] is first.lines[0]  # the unchanged house was not priced again
    assert second.lines == evaluate(case, SCHEDULE).lines  # the same as pricing from nothing


def test_an_attached_structure_follows_its_hosts_new_rate() -> None:
    case, kept = house(), KeptLines()
    evaluate(case, SCHEDULE, kept)
    case.items[0]["rate"] = "800"
    result = evaluate(case, SCHEDULE, kept)
    assert amounts(result)[:2] == [Decimal("8000.00"), Decimal("1600.00")]  # 4 × 800 × 50%


def test_a_value_equal_to_the_kept_one_but_of_another_type_is_read_again() -> None:
    case, kept = house(), KeptLines()
    case.items[2]["disputed"] = True
    assert evaluate(case, SCHEDULE, kept).disputed_total == Decimal("1300.00")
    case.items[2]["disputed"] = 1  # 1 == True, but a flag must be true or false
    result = evaluate(case, SCHEDULE, kept)
    assert [error.where for error in result.problems] == ["items[2](第3行)「围墙/砖围墙」"]
    assert result.disputed_total == Decimal("0.00") and len(result.lines) == 2


def test_nothing_kept_under_one_schedule_is_used_under_another(tmp_path: Path) -> None:
    for name in ("baozi-2023.toml", "baozi-2023-catalog-keys.txt"):
        shutil.copy(tables.HERE / name, tmp_path / name)
    path = tmp_path / "baozi-2023.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('unit = "m²"\nrange = ["50", "70"]', 'unit = "m²"\nrange = ["60", "70"]', 1),
                    encoding="utf-8")
    revised = read_schedule(path)
    case, kept = house(), KeptLines()
    case.items[2]["rate"] = "55"
    assert amounts(evaluate(case, SCHEDULE, kept))[2] == Decimal("1100.00")  # 55 is within 50–70
    result = evaluate(case, revised, kept)
    assert [error.where for error in result.problems] == ["items[2](第3行)「围墙/砖围墙」"]  # 55 is below 60–70
