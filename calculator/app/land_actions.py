"""The land workspace's actions, without Qt: a parcel being edited, its file form, and its price.

A `ParcelDraft` is what the officer has typed so far (text, possibly invalid); `price_draft`
prices the parts that are complete and names each part it left out, and why. Files and the CLI
stay all or nothing (`landprice.price_parcel`); only the screen shows a parcel half entered.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from calculator.core.errors import CalculationError, InputError
from calculator.core.files import atomic_write_text
from calculator.core.jsonfile import read_json
from calculator.engine.landprice import (
    CORRECTION_FACTORS, TERM, ParcelPrice, check_grade, parcel_from_dict, part_from_dict, price_parcel, price_part)
from calculator.core.limits import PARCEL_FILE_MAX_BYTES, check_text
from calculator.core.money import round_money, to_decimal
from calculator.engine.schedules import load_land_table

M2 = "m²"
MU = "亩"
M2_PER_MU = Fraction(10000, 15)
# How an area's unit is written when it is typed after the number instead of chosen in the unit column.
UNIT_WORDS = (MU, M2, "m2", "㎡", "平方米", "平米", "公顷")
UNIT_FIELDS = {M2: "area_m2", MU: "area_mu"}
CORRECTION_FIELDS = ("reduction_rate", *CORRECTION_FACTORS)  # parcel-wide; the term is each part's own
CORRECTION_DEFAULTS = {"reduction_rate": "", "date_factor": "1", "factor_pct": "0", "other_factor": "1",
                       "development_adjustment": "0"}
USE, AREA = "use", "area"  # the part's field a problem is marked on (besides TERM)
SHOWN_PLACES = {M2: 2, MU: 4}


@dataclass(frozen=True)
class PartDraft:
    """One part as typed: the text in its unit, the exact m² area once a unit switch fixed it, and its
    使用年期 ("" for the use's statutory maximum)."""

    use: str = "住宅用地"
    text: str = ""
    unit: str = M2
    exact_m2: Fraction | None = None
    term: str = ""

    @property
    def blank(self) -> bool:
        """No area typed yet."""
        return not self.text and self.exact_m2 is None

    def area_m2(self) -> Fraction:
        """The exact area in m²; raises InputError for text that is not a number."""
        if self.exact_m2 is not None:
            return self.exact_m2
        if self.text.strip().endswith(UNIT_WORDS):   # 120.5亩: the unit typed into the number
            raise InputError(f"面积只填数字,单位请在「单位」列选择(m² 或 亩),不是「{self.text}」",
                             f"type the area as a number and choose its unit (m² or 亩) in the unit column, not "
                             f"{self.text!r}")
        value = Fraction(to_decimal(self.text, f"面积/area ({self.unit})"))
        return value * M2_PER_MU if self.unit == MU else value

    def shown(self) -> str:
        """The area as the table shows it: m² to 2 decimals, 亩 to 4; typed text as typed."""
        if self.exact_m2 is None:
            return self.text
        return f"{round_money(area_in(self.exact_m2, self.unit), SHOWN_PLACES[self.unit])}"


@dataclass(frozen=True)
class ParcelDraft:
    grade: int = 2
    parts: tuple[PartDraft, ...] = (PartDraft(),)
    corrections: dict[str, str] | None = None
    bases: dict[str, str] = field(default_factory=dict)
    cost_floor_total: str = ""
    reference: str = ""
    location: str = ""
    table: str = "wutai-2022"


def area_in(area_m2: Fraction, unit: str) -> Fraction:
    """An exact m² area expressed in `unit`."""
    return area_m2 / M2_PER_MU if unit == MU else area_m2


def switch_unit(part: PartDraft, unit: str) -> PartDraft:
    """The same area shown in another unit: converted exactly, never reinterpreted."""
    if unit not in UNIT_FIELDS:
        raise InputError(f"未知面积单位「{unit}」", f"unknown area unit {unit!r}")
    if unit == part.unit:
        return part
    try:
        exact = part.area_m2()
    except InputError:
        return replace(part, unit=unit)  # nothing valid to convert; keep the text for the user to fix
    return replace(part, unit=unit, exact_m2=exact)


def set_area_text(part: PartDraft, text: str) -> PartDraft:
    """The part with newly typed area text (any exact value from a unit switch is dropped)."""
    return replace(part, text=text.strip(), exact_m2=None)


def _terminating(value: Fraction) -> Decimal | None:
    """`value` as a Decimal when it has a finite decimal expansion, else None."""
    d = value.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    if d != 1:
        return None
    places = 0
    while (value * 10**places).denominator != 1:
        places += 1
    return Decimal(value.numerator * 10**places // value.denominator).scaleb(-places)


def _part_dict(part: PartDraft, with_term: bool) -> dict[str, str]:
    """The part's file object; its term only with corrections on (a term is a correction, K年期)."""
    term = {TERM: part.term} if with_term and part.term.strip() else {}
    return {"use": part.use, **_area_dict(part), **term}


def _area_dict(part: PartDraft) -> dict[str, str]:
    if part.exact_m2 is None:
        return {UNIT_FIELDS[part.unit]: part.text}
    # Write the unit in which the exact area is a finite decimal: the shown unit if possible.
    for unit in (part.unit, MU if part.unit == M2 else M2):
        exact = _terminating(area_in(part.exact_m2, unit))
        if exact is not None:
            return {UNIT_FIELDS[unit]: format(exact.normalize(), "f")}
    return {UNIT_FIELDS[part.unit]: part.shown()}


def parcel_dict(draft: ParcelDraft) -> dict[str, Any]:
    """The parcel file object of interfaces.md, numbers as strings."""
    data: dict[str, Any] = {"table": draft.table}
    if draft.reference:
        data["reference"] = draft.reference
    if draft.location:
        data["location"] = draft.location
    data["grade"] = draft.grade
    data["parts"] = [_part_dict(p, draft.corrections is not None) for p in draft.parts]
    if draft.corrections is not None:
        corrections: dict[str, Any] = {k: v for k, v in draft.corrections.items() if v.strip()}
        bases = {k: v for k, v in draft.bases.items() if v.strip()}
        if bases:
            corrections["basis"] = bases
        data["corrections"] = corrections
    if draft.cost_floor_total.strip():
        data["cost_floor_total"] = draft.cost_floor_total.strip()
    return data


def _text(value: Any) -> str:
    return "" if value is None else format(value, "f") if isinstance(value, Decimal) else str(value)


def draft_from_dict(data: Any) -> ParcelDraft:
    """A parcel file object (checked by the engine first) as an editable draft."""
    parcel = parcel_from_dict(data)
    # A parcel-wide term (files before per-part terms) becomes the term of each part without its own.
    parcel_wide = parcel.corrections.term_years if parcel.corrections else None
    parts = tuple(PartDraft(p.use, _text(p.entered), p.unit, term=_text(parcel_wide if p.term_years is None else p.term_years))
                  for p in parcel.parts)
    corrections = bases = None
    raw = data.get("corrections")
    if raw is not None:
        corrections = {name: _text(raw.get(name, CORRECTION_DEFAULTS[name] or None)) for name in CORRECTION_FIELDS}
        bases = dict(raw.get("basis", {}))
    return ParcelDraft(grade=parcel.grade, parts=parts, corrections=corrections, bases=bases or {},
                       cost_floor_total=_text(data.get("cost_floor_total")), reference=parcel.reference,
                       location=parcel.location, table=parcel.table)


@dataclass(frozen=True)
class PartProblem:
    """A part left out of the price: its row, the field to mark (USE, AREA or TERM) and why."""

    row: int
    field: str
    error: CalculationError

    @property
    def note(self) -> str:
        """The line the screen shows for it, e.g. 第2部分未填面积,未计入."""
        return f"第{self.row + 1}部分{self.error.zh},未计入"


@dataclass(frozen=True)
class DraftPrice:
    """What a draft prices to: its complete parts (`rows` of the draft), and the parts left out."""

    price: ParcelPrice | None = None
    rows: tuple[int, ...] = ()
    left_out: tuple[PartProblem, ...] = ()
    # wrong for the whole parcel: nothing is priced for a sheet; `price` is then the benchmark without what is wrong
    # (a coefficient, the cost sum), for the screen
    error: CalculationError | None = None

    @property
    def blank(self) -> bool:
        """Nothing typed yet: not an error, nothing to show."""
        return self.price is None and self.error is None and not self.left_out

    def whole(self) -> ParcelPrice:
        """The price of every part (for a sheet); InputError while a part is left out or input is wrong."""
        if self.error is not None:
            raise self.error
        if self.left_out or self.price is None:
            notes = ";".join(p.note for p in self.left_out) or "没有填写面积"
            raise InputError(f"{notes}。请改正这些部分(或删除)后再打印或导出",
                             "some parts are left out of the price; correct (or remove) them first")
        return self.price


def price_draft(draft: ParcelDraft) -> DraftPrice:
    """Price the parts that are complete; a part without a valid area or term is left out and named."""
    if all(part.blank for part in draft.parts):
        return DraftPrice()
    data = parcel_dict(draft)
    left_out, complete = [], []
    for row, raw in enumerate(data["parts"]):
        try:
            part_from_dict(raw)
            complete.append(row)
        except CalculationError as error:
            left_out.append(_problem(row, error))
    if not complete:
        return DraftPrice(left_out=tuple(left_out))
    try:
        parcel = parcel_from_dict({**data, "parts": [data["parts"][row] for row in complete]})
        table = load_land_table(parcel.table)
        check_grade(table, parcel.grade)   # 级别 5 from a file: the parcel's, not said of each part as it was
    except CalculationError as error:
        without = _without(draft, error)
        if without is not None:   # r = abc blanked the benchmark, the range and the floor too, which do not read it
            return replace(price_draft(without), error=error)
        return DraftPrice(left_out=tuple(left_out), error=error)
    priced = []
    for row, part in zip(complete, parcel.parts):
        try:
            price_part(table, parcel, part)
            priced.append((row, part))
        except CalculationError as error:
            left_out.append(_problem(row, error))
    left_out.sort(key=lambda problem: problem.row)
    if not priced:
        return DraftPrice(left_out=tuple(left_out))
    try:
        price = price_parcel(replace(parcel, parts=tuple(part for _, part in priced)), table)
    except CalculationError as error:
        return DraftPrice(left_out=tuple(left_out), error=error)
    return DraftPrice(price, tuple(row for row, _ in priced), tuple(left_out))


def _without(draft: ParcelDraft, error: CalculationError) -> ParcelDraft | None:
    """The draft without the input `error` is of, when that is the corrections or the cost sum (its benchmark needs
    neither); else None."""
    if error.where.startswith("corrections") and draft.corrections is not None:
        return replace(draft, corrections=None)
    if error.where == "cost_floor_total" and draft.cost_floor_total:
        return replace(draft, cost_floor_total="")
    return None


def _problem(row: int, error: CalculationError) -> PartProblem:
    """The error's `where` is the part's field as the engine reads it (use, term_years, an area)."""
    field = error.where if error.where in (USE, TERM) else AREA
    return PartProblem(row, field, error)


def draft_record(draft: ParcelDraft) -> dict[str, Any]:
    """The draft as typed, every field kept whether the engine would read it or not (a parcel file holds only a
    parcel it can price): what the crash-recovery file keeps of an unsaved parcel. An exact area is n/d."""
    record = asdict(draft)
    record["parts"] = [{**asdict(part), "exact_m2": None if part.exact_m2 is None else str(part.exact_m2)}
                       for part in draft.parts]
    return record


def draft_from_record(record: Any) -> ParcelDraft:
    """A draft from its `draft_record`; InputError for anything else (a record damaged, or of another version)."""
    def texts(value: Any) -> dict[str, str]:
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise InputError("恢复文件中的地块不完整", "the recovered parcel is damaged")
        return dict(value)

    try:
        parts = tuple(PartDraft(part["use"], part["text"], part["unit"],
                                None if part["exact_m2"] is None else Fraction(part["exact_m2"]), part["term"])
                      for part in record["parts"])
        grade = record["grade"]   # a JSON number: read back as a Decimal
        if isinstance(grade, bool) or not isinstance(grade, (int, Decimal)) or grade != int(grade):
            raise TypeError(grade)
        draft = ParcelDraft(int(grade), parts, None if record["corrections"] is None else texts(record["corrections"]),
                            texts(record["bases"]), record["cost_floor_total"], record["reference"],
                            record["location"], record["table"])
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        raise InputError("恢复文件中的地块不完整", "the recovered parcel is damaged") from None
    strings = (draft.cost_floor_total, draft.reference, draft.location, draft.table,
               *(text for part in parts for text in (part.use, part.text, part.unit, part.term)))
    if not parts or not all(isinstance(text, str) for text in strings) \
            or any(part.unit not in UNIT_FIELDS for part in parts):
        raise InputError("恢复文件中的地块不完整", "the recovered parcel is damaged")
    return draft


def save_parcel(draft: ParcelDraft, path: Path) -> None:
    """Write the parcel file atomically (UTF-8 JSON, numbers as strings); a text no parcel file may hold
    (a control or lone surrogate character, or one past its field's length), or a parcel its reader refuses (a part
    with no area yet, 成本之和 abc), is refused and nothing is written: saved, it said 已保存 and never opened again,
    every part and 依据 in it out of reach."""
    data = parcel_dict(draft)
    _check_texts(data, "", "")
    try:
        parcel_from_dict(data)   # as open_parcel reads it back
    except CalculationError as error:
        place = f"{error.where}: " if error.where else ""
        raise InputError(f"地块信息有误,未保存(改正后再保存):{place}{error.zh}",
                         f"the parcel has an error and was not saved (correct it, then save): {place}{error.en}") \
            from None
    atomic_write_text(Path(path), json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _check_texts(value: Any, field: str, where: str) -> None:
    """Each text in a parcel file's object checked as the file's reader checks it (a basis by the basis's limit)."""
    if isinstance(value, str):
        check_text(value, field, where)
    elif isinstance(value, dict):
        for key, inner in value.items():
            _check_texts(inner, field if field == "basis" else key, f"{where}.{key}" if where else key)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            _check_texts(inner, field, f"{where}[{index}]")


def open_parcel(path: Path) -> ParcelDraft:
    """Read a parcel file into a draft; unreadable or invalid files raise InputError."""
    try:
        return draft_from_dict(read_json(Path(path), PARCEL_FILE_MAX_BYTES, "地块文件"))
    except CalculationError as error:
        raise error.in_file(path) from None
