"""Engine speed: the loaders, a 300-line household, the 16-cell land grid, against bare Decimal.

Run by hand (not a test):  .venv/bin/python benchmarks/engine_bench.py [--profile]

Each figure is the median of repeated timeit runs. The target: pricing a 300-line household with
`evaluate` after one line was edited (what the app does per keystroke) takes no more than 10× the
bare Decimal multiply-and-quantize of its 300 lines; the same with nothing kept from before is shown too.
`--profile` adds a cProfile of the household, hottest functions first.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import pstats
import statistics
import sys
import timeit
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import tables  # noqa: E402
from calculator.case import case_from_dict  # noqa: E402
from calculator import compensation  # noqa: E402
from calculator.compensation import evaluate  # noqa: E402
from calculator.landprice import parcel_from_dict, price_parcel  # noqa: E402
from calculator.schedules import load_land_table, load_schedule, read_land_table, read_schedule  # noqa: E402

TARGET_RATIO = 10
LINES = 300
CENT = Decimal("0.01")

# One template per kind of line an assessor types (every rule kind but area replacement).
TEMPLATES = [
    {"item": "附属平房/砖混结构", "rate": "760"},  # unit_rate, range, chosen rate
    {"item": "附属平房/砖木结构(含混合结构)"},  # unit_rate, fixed
    {"item": "窑洞/砖石窑洞"},  # unit_rate, range, midpoint
    {"item": "大门/普通装修", "rate": "4500", "override_reason": "带门楼"},  # R1 override
    {"item": "基础/石基础", "height_m": "0.6"},  # prorated_rate
    {"item": "室外台阶或楼梯/砖台阶", "rate": "55", "decoration_pct": "30"},  # decorated_rate
    {"item": "歇厦、雨搭", "attached_to": "附属平房/砖混结构"},  # share_of_host
    {"item": "菜窖/砖石", "depth_m": "1.6"},  # bracket
    {"item": "养殖临时安置补助", "area_m2": "45"},  # bracket with times and factor
    {"item": "果树/核桃树", "diameter_cm": "12"},  # bracket
    {"item": "用材树/杨树", "diameter_cm": "12.6"},  # bracket_increment
    {"item": "机井/钢管机井", "depth_m": "215"},  # per_metre
    {"item": "葡萄", "stage": "盛果期"},  # staged
    {"item": "评估项/其他", "amount": "8600", "basis": "评估报告"},  # assessed
    {"item": "不予补偿/废弃枯井"},  # not_compensated
    {"item": "杂棚", "disputed": True},  # disputed
]


def household_case():
    """A 300-line household cycling through the templates, with relocation and replacement."""
    items = []
    for index in range(LINES):
        line = dict(TEMPLATES[index % len(TEMPLATES)])
        if line["item"] != "评估项/其他":
            line["quantity"] = f"{1 + index % 97}.{index % 100:02d}"
        items.append(line)
    return case_from_dict({
        "items": items,
        "relocation": {"building_area_m2": "153", "sole_housing_hardship": True, "extra_months": "6",
                       "signed_on": "2023-06-20", "paid_on": "2023-06-28", "moved_on": "2023-08-05"},
        "replacement": {"main_house_area_m2": "110.40", "main_house_footprint_m2": "96",
                        "homestead_certificate_area_m2": "280"},
    })


def bare_pairs() -> list[tuple[Decimal, Decimal]]:
    """The same 300 quantities with a plain rate each: what a spreadsheet would multiply."""
    return [(Decimal(f"{1 + i % 97}.{i % 100:02d}"), Decimal(700 + i % 300)) for i in range(LINES)]


def bare_baseline(pairs) -> Decimal:
    return sum(((q * r).quantize(CENT, rounding=ROUND_HALF_UP) for q, r in pairs), Decimal(0))


def land_grid(table) -> list:
    return [price_parcel(parcel_from_dict({"grade": grade, "parts": [{"use": use, "area_m2": "1000"}]}), table)
            for use in table.uses for grade in table.grades]


def median_seconds(call, number: int, repeat: int) -> float:
    """Median wall time of one call over `repeat` runs of `number` calls."""
    return statistics.median(timeit.repeat(call, number=number, repeat=repeat)) / number


def fmt(seconds: float) -> str:
    return f"{seconds * 1e3:9.3f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:9.1f} µs"


_TYPED = itertools.count(1)


def keystroke(case, schedule) -> None:
    """What the app does after a keystroke: one line's quantity changed (to a value never seen), the whole
    case priced."""
    case.items[LINES // 2]["quantity"] = f"{next(_TYPED)}.5"
    evaluate(case, schedule)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="cProfile the 300-line household")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)

    schedule = load_schedule()
    land = load_land_table()
    case = household_case()
    pairs = bare_pairs()
    result = evaluate(case, schedule)
    assert not result.problems, result.problems
    assert len(result.lines) == LINES

    loaders = median_seconds(lambda: (read_schedule(tables.HERE / tables.SCHEDULES["baozi-2023"]),
                                      read_land_table(tables.HERE / tables.LAND_TABLES["wutai-2022"])),
                             number=1, repeat=args.repeat)
    house = median_seconds(lambda: keystroke(case, schedule), number=5, repeat=args.repeat)
    fresh = median_seconds(lambda: (compensation._PRICED.clear(), evaluate(case, schedule)), number=5,
                           repeat=args.repeat)
    grid = median_seconds(lambda: land_grid(land), number=20, repeat=args.repeat)
    bare = median_seconds(lambda: bare_baseline(pairs), number=200, repeat=args.repeat)
    ratio = house / bare

    print(f"Python {sys.version.split()[0]}, median of {args.repeat} runs")
    print(f"  loaders, fresh (read_schedule + read_land_table) {fmt(loaders)}")
    print(f"  household, {LINES} lines, one line edited     {fmt(house)}   ({fmt(house / LINES).strip()} per line)")
    print(f"  household, {LINES} lines, nothing kept         {fmt(fresh)}   ({fresh / bare:.1f}× bare)")
    print(f"  land grid, 16 cells (parse + price)             {fmt(grid)}   ({fmt(grid / 16).strip()} per cell)")
    print(f"  bare Decimal multiply + quantize, {LINES} lines   {fmt(bare)}")
    print(f"  household / bare = {ratio:.1f}×  (target ≤ {TARGET_RATIO}×): {'met' if ratio <= TARGET_RATIO else 'MISSED'}")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(20):
            evaluate(case, schedule)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(15)
        stats.sort_stats("cumulative").print_stats(25)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
