"""Worked cases as data (tables/cases/<schedule>/*.toml), read by one parametrized test.

Each file holds cases worked by hand from the source rows of one schedule version: priced lines and
bracket edges, the relocation allowances and the replacement area of baozi-2023, parcels of
wutai-2022 (the format is in tables/cases/README.md). The tests after the runner check that the data
reaches every rule kind, every bound of every bracketed row and every cell of the land tables.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from calculator.engine.case import case_from_dict
from calculator.engine.compensation import compute
from calculator.engine.landprice import parcel_from_dict, price_parcel
from calculator.engine.results import parcel_json
from calculator.rules import KINDS
from calculator.engine.schedules import load_land_table, load_schedule

CASES = Path(__file__).resolve().parent.parent / "tables" / "cases"
FEN = Decimal("0.01")
# Each entry's keys: (required, optional). `edges` entries are read as one case per value of `at`.
ENTRIES = {
    "line": ({"line", "rate", "amount", "worked"}, {"name", "context", "flags"}),
    "edges": ({"item", "at", "worked"}, set()),
    "relocation": ({"name", "relocation", "expect", "worked"}, set()),
    "replacement": ({"name", "replacement", "area", "worked"}, set()),
    "parcel": ({"name", "parcel", "expect", "worked"}, {"absent"}),
}
RELOCATION_FIGURES = {"moving", "temporary_per_month", "months", "temporary", "days", "incentive"}


@dataclass(frozen=True)
class Worked:
    """One worked case: its file, the table it is written against (id and version), its kind and data."""

    file: str
    table: str
    version: str
    kind: str
    data: dict[str, Any]

    @property
    def id(self) -> str:
        data = self.data
        name = data.get("name") or (f"{data['item']} {data['value']}" if self.kind == "edge" else data["line"]["item"])
        return f"{self.file}: {name}"


def read_cases(path: Path) -> list[Worked]:
    """The cases of one file; an unknown or missing key is an error naming the file and the entry."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    file = f"{path.parent.name}/{path.stem}"
    unknown = set(data) - set(ENTRIES) - {"version"}
    if unknown or not isinstance(data.get("version"), str):
        raise ValueError(f"{file}: unknown sections {sorted(unknown)} or no version")
    cases = []
    for kind, (required, optional) in ENTRIES.items():
        for number, entry in enumerate(data.get(kind, []), 1):
            wrong = (required - set(entry)) | (set(entry) - required - optional)
            if wrong or not entry["worked"].strip():
                raise ValueError(f"{file} [[{kind}]] #{number}: missing or unknown {sorted(wrong)}, or no working")
            if kind == "edges":
                cases += [Worked(file, path.parent.name, data["version"], "edge",
                                 {"item": entry["item"], "value": value, "amount": amount})
                          for value, amount in entry["at"]]
            else:
                cases.append(Worked(file, path.parent.name, data["version"], kind, entry))
    return cases


WORKED = [case for path in sorted(CASES.glob("*/*.toml")) for case in read_cases(path)]


def of_kind(kind: str) -> list[Worked]:
    return [case for case in WORKED if case.kind == kind]


def computed(case: Worked, items: list[dict], **blocks):
    """The engine's result for a case of these lines and blocks, under the case file's schedule version."""
    schedule = load_schedule(case.table)
    assert schedule.version == case.version, f"{case.file} was worked under {case.version}, not {schedule.version}"
    return compute(case_from_dict({"schedule": case.table, "items": items, **blocks}))


def check_line(case: Worked) -> None:
    data = case.data
    line = computed(case, [data["line"], *data.get("context", [])]).lines[0]
    assert (line.rate, line.amount, line.flags) == (
        Decimal(data["rate"]), Decimal(data["amount"]), tuple(data.get("flags", ()))), data["worked"]
    assert line.amount.as_tuple().exponent == -2


def check_edge(case: Worked) -> None:
    """One unit priced at the value: the first parameter of the row's rule is the measured one."""
    data = case.data
    item = load_schedule(case.table).items[data["item"]]
    measured = item.rule.params(item.spec)[0].name
    amount = computed(case, [{"item": item.key, "quantity": "1", measured: data["value"]}]).lines[0].amount
    assert amount == Decimal(data["amount"]) and amount.as_tuple().exponent == -2


def check_relocation(case: Worked) -> None:
    data = case.data
    result = computed(case, [], relocation=data["relocation"]).relocation
    assert set(data["expect"]) <= RELOCATION_FIGURES
    for name, expected in data["expect"].items():
        assert getattr(result, name) == (Decimal(expected) if isinstance(expected, str) else expected), name
    assert all(money == money.quantize(FEN) for money in (result.moving, result.temporary, result.incentive))
    assert result.total == result.moving + result.temporary + result.incentive


def check_replacement(case: Worked) -> None:
    data = case.data
    result = computed(case, [], replacement=data["replacement"])
    area = result.replacement.total_m2
    assert area == Decimal(data["area"]) and area.as_tuple().exponent == -2
    assert result.total == Decimal("0.00")  # replacement is area, never money


def check_parcel(case: Worked) -> None:
    land = load_land_table(case.table)
    assert land.version == case.version, f"{case.file} was worked under {case.version}, not {land.version}"
    data = parcel_json(price_parcel(parcel_from_dict({"table": case.table, **case.data["parcel"]})))
    assert_within(case.data["expect"], data, "")
    assert [key for key in case.data.get("absent", ()) if key in data] == []


def assert_within(expected: Any, actual: Any, where: str) -> None:
    """`expected` is a part of `actual`: the keys it gives, lists element by element, values equal."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), where
        for key, value in expected.items():
            assert key in actual, f"{where}.{key} missing"
            assert_within(value, actual[key], f"{where}.{key}")
    elif isinstance(expected, list) and expected and isinstance(expected[0], dict):
        assert isinstance(actual, list) and len(actual) == len(expected), where
        for index, (want, got) in enumerate(zip(expected, actual)):
            assert_within(want, got, f"{where}[{index}]")
    else:
        assert actual == expected, f"{where}: {actual!r}, worked {expected!r}"


CHECKS = {"line": check_line, "edge": check_edge, "relocation": check_relocation,
          "replacement": check_replacement, "parcel": check_parcel}


@pytest.mark.parametrize("case", WORKED, ids=[case.id for case in WORKED])
def test_worked_case(case: Worked) -> None:
    CHECKS[case.kind](case)


# --- what the data reaches ------------------------------------------------------------------------------

SCHEDULE = load_schedule()
LAND = load_land_table()


def test_case_names_are_distinct() -> None:
    ids = [case.id for case in WORKED]
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    assert {path.parent.name for path in CASES.glob("*/*.toml")} == {SCHEDULE.id, LAND.id}


def test_every_rule_kind_has_worked_lines() -> None:
    keys = {case.data["line"]["item"] for case in of_kind("line")}
    kinds = {SCHEDULE.items[key].kind for key in keys}
    # 房屋面积置换 is refused as a line: its rows are worked through the replacement block
    assert kinds == set(KINDS) - {"area_replacement"} and of_kind("replacement")
    assert len(keys) >= 40


def brackets(item) -> tuple:
    """The brackets (or tiers) a bracketed row is priced by; () for other rows."""
    if item.kind == "bracket":
        return item.spec.brackets
    if item.kind == "bracket_increment":
        return item.spec.table.brackets
    return item.spec.tiers if item.kind == "per_metre" else ()


def test_edges_cover_every_bound_of_every_bracketed_row() -> None:
    tested: dict[str, set[Decimal]] = {}
    for case in of_kind("edge"):
        tested.setdefault(case.data["item"], set()).add(Decimal(case.data["value"]))
    bounded = {item.key: [b.upper for b in brackets(item) if b.upper is not None] for item in SCHEDULE.items.values()}
    bounded = {key: bounds for key, bounds in bounded.items() if bounds}
    assert set(tested) >= set(bounded), f"no edges for {sorted(set(bounded) - set(tested))}"
    for key, bounds in bounded.items():
        for bound in bounds:
            assert {bound - FEN, bound, bound + FEN} <= tested[key], f"{key} edge {bound}"


def test_relocation_cases_cover_every_bound() -> None:
    areas = {Decimal(case.data["relocation"]["building_area_m2"]) for case in of_kind("relocation")
             if {"moving", "temporary"} & set(case.data["expect"])}
    days = {case.data["expect"]["days"] for case in of_kind("relocation") if "days" in case.data["expect"]}
    rules = SCHEDULE.relocation
    for rule, values, step in ((rules.moving, areas, FEN), (rules.temporary, areas, FEN), (rules.incentive, days, 1)):
        for bound in (b.upper for b in rule.brackets if b.upper is not None):
            assert {bound - step, bound, bound + step} <= values, f"{rule.param} edge {bound}"


def test_every_land_cell_is_priced_by_the_m2_and_by_the_mu() -> None:
    priced = set()
    for case in of_kind("parcel"):
        parcel = case.data["parcel"]
        if len(parcel["parts"]) == 1 and "corrections" not in parcel:
            part = parcel["parts"][0]
            priced |= {(part["use"], parcel["grade"], unit) for unit in ("area_m2", "area_mu") if unit in part}
    assert priced >= {(use, grade, unit) for use, grade in LAND.rows for unit in ("area_m2", "area_mu")}
