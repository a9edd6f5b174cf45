"""Engine speed: the loaders, households priced fresh and after a keystroke, the land grid, against bare Decimal.

Run by hand (not a test):  .venv/bin/python benchmarks/engine_bench.py [--profile]

Each figure is a median of repeated runs in CPU time of this process (the machine is shared: time
spent waiting for a core is not the engine's). Two targets, each against its floor measured in the
same run — a bare Decimal multiply-and-quantize over the same lines:
- office scale: 1,000 households × 40 lines (store_bench's, with relocation and replacement) priced
  with `evaluate`, nothing kept from one case to the next (see office_batch): ≤ 10× the floor;
- a keystroke: a 300-line household priced after one line was edited (what the app does per key),
  the other lines kept from before: ≤ 10× the floor.
The office-scale run is also set, with no target, against the floor with each number first read from its text
(the floor takes its numbers ready-made, while a case holds text: how much of the rest is reading), and against
the least any Python engine does per line (least_engine: no checks, rules, remarks or warnings).
`--profile` adds a cProfile of the office-scale run, hottest functions first.
`--instructions` counts the office-scale run and its floor in instructions instead (benchmarks/instructions.py:
CPU time here swings by 2× within an hour, an instruction count not at all): three processes build the same
batch of 250 households and price a few others first; one stops there, one runs the floor over the batch's
lines, one prices the batch. What the second and third run beyond the first, per line, is compared.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import pstats
import statistics
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import tables  # noqa: E402
from calculator.core.limits import counted  # noqa: E402
from calculator.engine.case import case_from_dict, parse_json  # noqa: E402
from calculator.engine.compensation import KeptLines, evaluate  # noqa: E402
from calculator.engine.landprice import parcel_from_dict, price_parcel  # noqa: E402
from calculator.engine.schedules import load_land_table, load_schedule, read_land_table, read_schedule  # noqa: E402
from instructions import instructions  # noqa: E402
from store_bench import household_case as office_household  # noqa: E402

TARGET_RATIO = 10
LINES = 300
HOUSEHOLDS = 1000
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


_BATCHES = itertools.count()


def office_batch(template: dict, schedule, households: int = HOUSEHOLDS) -> list:
    """`households` of store_bench's 40-line households, each measured quantity and assessed amount one this
    process has not seen at its place in a case before (a count of trees or wells is whole, as an assessor
    counts it, and changes every 100 households). `evaluate` without KeptLines keeps nothing from one case
    to the next, so every line is read and priced afresh."""
    first = next(_BATCHES) * households
    cases = []
    for index in range(first, first + households):
        case = office_household(template, index)
        for place, line in enumerate(case.items):
            if "amount" in line:
                line["amount"] = f"{index // 100 + 1 + place}.{index % 100:02d}"
            elif counted(schedule.items[line["item"]].unit):
                line["quantity"] = f"{index // 100 + 1 + place}"
            else:
                line["quantity"] = f"{index // 100 + 1 + place}.{index % 100:02d}"
        cases.append(case)
    return cases


def floor_pairs(cases) -> list[tuple[Decimal, Decimal]]:
    """The same lines as bare Decimals: each line's quantity (or amount) with a plain rate."""
    return [(Decimal(line.get("quantity") or line["amount"]), Decimal(700 + place))
            for case in cases for place, line in enumerate(case.items)]


def bare_baseline(pairs) -> Decimal:
    return sum(((q * r).quantize(CENT, rounding=ROUND_HALF_UP) for q, r in pairs), Decimal(0))


def floor_texts(cases) -> list[tuple[str, str]]:
    """The same lines as the texts a case holds: each line's quantity (or amount) and its rate as typed, else a
    plain rate."""
    return [(str(line.get("quantity") or line["amount"]), str(line.get("rate") or 700 + place))
            for case in cases for place, line in enumerate(case.items)]


def read_baseline(texts) -> Decimal:
    """The floor with each number read from its text first: what no pricing of a case file can avoid."""
    return sum(((Decimal(q) * Decimal(r)).quantize(CENT, rounding=ROUND_HALF_UP) for q, r in texts), Decimal(0))


def least_plans(schedule) -> dict[str, tuple[Decimal, str]]:
    """Each item with one plain rate and its section: all `least_engine` knows of the schedule."""
    return {key: (Decimal(700 + place), item.section) for place, (key, item) in enumerate(schedule.items.items())}


def least_engine(cases, plans) -> list[tuple]:
    """The least any Python engine must do per line, with none of this one's checks, rules, remarks or warnings:
    find the line's item, read its number from the text, refuse a nought, multiply, round, keep the priced line
    and add it to its section. What the engine costs beyond this is its checks, its rules and what it says."""
    priced = []
    for case in cases:
        subtotals: dict[str, Decimal] = {}
        for index, raw in enumerate(case.items):
            plan = plans.get(raw.get("item"))
            if plan is None:
                raise KeyError(raw.get("item"))
            rate, section = plan
            number = Decimal(raw.get("quantity") or raw["amount"])
            if number <= 0:
                raise ValueError(number)
            amount = (number * rate).quantize(CENT, rounding=ROUND_HALF_UP)
            priced.append((index, raw, number, rate, amount))
            subtotals[section] = subtotals.get(section, Decimal(0)) + amount
    return priced


def land_grid(table) -> list:
    return [price_parcel(parcel_from_dict({"grade": grade, "parts": [{"use": use, "area_m2": "1000"}]}), table)
            for use in table.uses for grade in table.grades]


def cpu_seconds(call, number: int = 1) -> float:
    """CPU time of this process for one call, averaged over `number` calls."""
    start = time.process_time()
    for _ in range(number):
        call()
    return (time.process_time() - start) / number


def median_seconds(call, number: int, repeat: int) -> float:
    """Median CPU time of one call over `repeat` runs of `number` calls."""
    return statistics.median(cpu_seconds(call, number) for _ in range(repeat))


def fmt(seconds: float) -> str:
    return f"{seconds * 1e3:9.3f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:9.1f} µs"


def verdict(ratio: float) -> str:
    return f"(target ≤ {TARGET_RATIO}×): {'met' if ratio <= TARGET_RATIO else 'MISSED'}"


_TYPED = itertools.count(1)


def keystroke(case, schedule, kept: KeptLines) -> None:
    """What the app does after a keystroke: one line's quantity changed (to a value never seen), the whole
    case priced with the lines kept from its previous pricing."""
    case.items[LINES // 2]["quantity"] = f"{next(_TYPED)}.5"
    evaluate(case, schedule, kept)


def office_scale(template: dict, schedule, repeat: int) -> tuple[float, float, float, float]:
    """Median CPU seconds of pricing a fresh batch of households, of the floor over its lines, of that floor
    reading each number from its text and of `least_engine` over the batch, measured in turns."""
    priced, floor, reading, least = [], [], [], []
    plans = least_plans(schedule)
    for _ in range(repeat):
        cases = office_batch(template, schedule)
        pairs, texts = floor_pairs(cases), floor_texts(cases)
        floor.append(cpu_seconds(lambda: bare_baseline(pairs), number=5))
        reading.append(cpu_seconds(lambda: read_baseline(texts), number=5))
        least.append(cpu_seconds(lambda: least_engine(cases, plans), number=2))
        priced.append(cpu_seconds(lambda: [evaluate(case, schedule) for case in cases]))
    return tuple(map(statistics.median, (priced, floor, reading, least)))


def keystrokes(case, schedule, repeat: int) -> tuple[float, float]:
    """Median CPU seconds of a keystroke's pricing and of the floor over the case's lines, in turns."""
    kept, pairs = KeptLines(), floor_pairs([case])
    evaluate(case, schedule, kept)
    priced, floor = [], []
    for _ in range(repeat):
        floor.append(cpu_seconds(lambda: bare_baseline(pairs), number=200))
        priced.append(cpu_seconds(lambda: keystroke(case, schedule, kept), number=5))
    return statistics.median(priced), statistics.median(floor)


COUNTED_HOUSEHOLDS = 250
COUNTED_PARTS = ("batch", "floor", "least", "engine")


def counted_part(part: str) -> None:
    """One process of `--instructions`: the batch built (after a few households priced, so that what is done
    once per process is done before), then the floor over its lines or its pricing, as `part` says."""
    schedule = load_schedule()
    template = parse_json((ROOT / "examples" / "household.json").read_text(encoding="utf-8"))
    warm_up = [evaluate(case, schedule) for case in office_batch(template, schedule, 20)]
    cases = office_batch(template, schedule, COUNTED_HOUSEHOLDS)
    pairs = floor_pairs(cases)
    if part == "floor":
        bare_baseline(pairs)
    elif part == "least":
        least_engine(cases, least_plans(schedule))
    elif part == "engine":
        priced = [evaluate(case, schedule) for case in cases]
        assert not any(result.problems for result in warm_up + priced)


def count_office_scale() -> None:
    """The office-scale run and its floor in instructions per line (`--instructions`)."""
    counts = {part: instructions([sys.executable, __file__, "--counted-part", part])[0] for part in COUNTED_PARTS}
    lines = COUNTED_HOUSEHOLDS * 40
    engine, floor, least = ((counts[part] - counts["batch"]) / lines for part in ("engine", "floor", "least"))
    print(f"instructions (cachegrind), {COUNTED_HOUSEHOLDS} households × 40 lines priced fresh, per line:")
    print(f"  evaluate                              {engine:9,.0f}")
    print(f"  bare Decimal multiply + quantize      {floor:9,.0f}")
    print(f"  the least a Python engine does        {least:9,.0f}   ({least / floor:.1f}× bare; no target)")
    print(f"  office scale / bare = {engine / floor:.1f}×  {verdict(engine / floor)}")
    print(f"  office scale / least = {engine / least:.1f}×  (for comparison: no target)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="cProfile the office-scale run")
    parser.add_argument("--instructions", action="store_true",
                        help="count the office-scale run and its floor in instructions (valgrind) instead of timing")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--counted-part", choices=COUNTED_PARTS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.counted_part:
        counted_part(args.counted_part)
        return 0
    if args.instructions:
        count_office_scale()
        return 0

    schedule = load_schedule()
    land = load_land_table()
    template = parse_json((ROOT / "examples" / "household.json").read_text(encoding="utf-8"))
    case = household_case()
    result = evaluate(case, schedule)
    assert not result.problems, result.problems
    assert len(result.lines) == LINES
    sample = [evaluate(office, schedule) for office in office_batch(template, schedule)[:50]]
    assert not any(priced.problems for priced in sample) and len(sample[0].lines) == 40, sample[0].problems

    loaders = median_seconds(lambda: (read_schedule(tables.HERE / tables.SCHEDULES["baozi-2023"]),
                                      read_land_table(tables.HERE / tables.LAND_TABLES["wutai-2022"])),
                             number=1, repeat=args.repeat)
    office, office_floor, office_reading, office_least = office_scale(template, schedule, args.repeat)
    house, bare = keystrokes(case, schedule, args.repeat)
    grid = median_seconds(lambda: land_grid(land), number=20, repeat=args.repeat)
    office_lines = HOUSEHOLDS * 40

    print(f"Python {sys.version.split()[0]}, median CPU time of {args.repeat} runs")
    print(f"  loaders, fresh (read_schedule + read_land_table)  {fmt(loaders)}")
    print(f"  {HOUSEHOLDS} households × 40 lines, priced fresh       {fmt(office)}   "
          f"({HOUSEHOLDS / office:,.0f} households/s, {fmt(office / office_lines).strip()} per line)")
    print(f"  bare Decimal multiply + quantize, same lines      {fmt(office_floor)}")
    print(f"  office scale / bare = {office / office_floor:.1f}×  {verdict(office / office_floor)}")
    print(f"  the same, each number read from its text first    {fmt(office_reading)}   "
          f"(office scale / that = {office / office_reading:.1f}×, for comparison: no target)")
    print(f"  the least a Python engine does (least_engine)     {fmt(office_least)}   "
          f"({office_least / office_floor:.1f}× bare; office scale / that = {office / office_least:.1f}×, no target)")
    print(f"  household, {LINES} lines, one line edited          {fmt(house)}   "
          f"({fmt(house / LINES).strip()} per line)")
    print(f"  bare Decimal multiply + quantize, {LINES} lines       {fmt(bare)}")
    print(f"  keystroke / bare = {house / bare:.1f}×  {verdict(house / bare)}")
    print(f"  land grid, 16 cells (parse + price)               {fmt(grid)}   ({fmt(grid / 16).strip()} per cell)")

    if args.profile:
        cases = office_batch(template, schedule)
        profiler = cProfile.Profile()
        profiler.enable()
        for office_case in cases:
            evaluate(office_case, schedule)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(20)
        stats.sort_stats("cumulative").print_stats(25)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
