"""The SQL side of the checks in `integrity` (the same SQL on SQLite and PostgreSQL): reading entries and
versions, appending to the chain, judging a household, and recomputing a version with the engine.

`judge` is the one verdict; `scan` feeds it every household of the file at once (the ledger),
`check_one` one household (an action on it).
"""
from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from typing import Any, Iterator

from calculator.engine.compensation import CompensationResult, evaluate
from calculator.core.errors import CalculationError
from calculator.core.money import fmt_money, fmt_quantity
from calculator.engine.results import compensation_json
from calculator.store.base import Anomaly, CaseVersion, LedgerRow, Status, StoreError
from calculator.store.integrity import (
    CHANGES, ENTRY_FIELDS, GENESIS, SAVE_ACTIONS, VERSION_FIELDS, broken_links, entry_hash, replay, version_digest,
)
from calculator.store.schema import rows_as_dicts

_ENTRY_SELECT = f"SELECT {', '.join(ENTRY_FIELDS)}, hash FROM audit"
_VERSION_SELECT = f"SELECT id, {', '.join(VERSION_FIELDS)} FROM case_versions"
_HOUSEHOLD_SELECT = ("SELECT id, project_id, number, head, address, status, current_version_id, signed_version_id "
                     "FROM households")
# The parts of a stored result that are money or area: what the engine must reproduce exactly.
_MONEY_KEYS = ("schedule_version", "fingerprint", "subtotals", "relocation", "disputed_total", "total",
               "replacement_area_m2")
Verdict = tuple[str, str]  # (zh, en)
_CHUNK = 500  # ids per IN (…) list: well below either backend's limit on parameters
# A project whose audit log is longer is checked in the background when the 台账 shows it (see checking.py):
# `scan` costs about 0.2 ms per entry and digested version, so this is a check of a few tenths of a second.
CHECKED_AT_ONCE = 2000


def lenient_text(data: bytes) -> str:
    """TEXT as read from the file: damaged bytes become U+FFFD (the digest then fails), never a decode error."""
    return data.decode("utf-8", "replace")


# --- the chain -------------------------------------------------------------------------------------------

def append_entry(conn: sqlite3.Connection, at: str, actor: str, action: str, *, project_id: int | None = None,
                 household_id: int | None = None, version_id: int | None = None,
                 detail: dict[str, Any] | None = None, version_digest: str | None = None) -> int:
    """Add an audit entry chained to the last one (inside the caller's write transaction); returns its id."""
    last = conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    entry = {"id": last[0] + 1 if last else 1, "at": at, "actor": actor, "action": action, "project_id": project_id,
             "household_id": household_id, "version_id": version_id,
             "detail": json.dumps(detail or {}, ensure_ascii=False, default=str), "version_digest": version_digest}
    entry["hash"] = entry_hash((last[1] or GENESIS) if last else GENESIS, entry)
    conn.execute(f"INSERT INTO audit ({', '.join(entry)}) VALUES ({', '.join('?' * len(entry))})",
                 tuple(entry.values()))
    return entry["id"]


def chain_head(conn: sqlite3.Connection) -> tuple[int, str] | None:
    """The last audit entry's id and hash (None: an empty log)."""
    row = conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    return None if row is None else (row[0], row[1])


def read_entries(conn: sqlite3.Connection, where: str = "", args: tuple = ()) -> list[dict[str, Any]]:
    """Audit entries with their hash, oldest first; the details replay reads are parsed."""
    entries = rows_as_dicts(conn.execute(f"{_ENTRY_SELECT} {where} ORDER BY id", args))
    for entry in entries:
        if entry["action"] in ("pay", "add_household", "edit_household") or "restored_over" in str(entry["detail"]):
            entry["parsed_detail"] = parse_detail(entry["detail"])
    return entries


def parse_detail(text: Any) -> dict[str, Any]:
    """An entry's detail; damaged text gives {"damaged": text} rather than an error."""
    try:
        detail = json.loads(text)
    except (TypeError, ValueError):
        return {"damaged": str(text)}
    return detail if isinstance(detail, dict) else {"damaged": str(text)}


# --- one verdict -----------------------------------------------------------------------------------------

def judge(household: dict[str, Any], entries: list[dict[str, Any]], unlinked: bool,
          versions: dict[int, dict[str, Any] | None], kept: set[int] | None, findings: bool = True) -> Verdict | None:
    """Why a household's stored data is not what the program wrote, or None when it is.

    `entries` are its audit entries (oldest first); `unlinked` says one of them breaks the chain;
    `versions` holds its current and signed versions by id (None: unreadable); `kept` the ids of every version the
    file holds of it (None: unreadable); without `findings`, a finding recorded before and standing is not itself a
    verdict (a re-check asks whether the data is sound now)."""
    if unlinked:
        return "变更记录被改动(校验链不连续)", "its change history was edited (the hash chain is broken)"
    try:
        status = Status(household["status"])
    except ValueError:
        status = Status.ABNORMAL
    if status is Status.ABNORMAL:
        return f"状态值「{household['status']}」无法识别", f"unknown stored status {household['status']!r}"
    implied = replay(entries)
    if implied.status is None:
        return "变更记录中没有此户的登记", "no change history records this household"
    if implied.changed_after_payment:
        return ("变更记录中此户支付后又有保存、签字或支付(已支付的户不再更改)",
                "its history saves, signs or pays it again after its payment (a paid case is never changed)")
    held = (status, household["current_version_id"], household["signed_version_id"])
    if status is not implied.status:
        return (f"状态「{status.label}」与变更记录(「{implied.status.label}」)不符",
                f"the stored status {status.value} is not what its history implies ({implied.status.value})")
    for stored, recorded, zh, en in ((held[1], implied.current_version_id, "当前版本", "current version"),
                                     (held[2], implied.signed_version_id, "签字版本", "signed version")):
        if stored != recorded:   # pointed back at an earlier version by hand: signed 与 signed was said not to match
            return (f"{zh}与变更记录中的不符(被改指为另一版本)", f"the stored {en} is not the one its history records")
    deleted = None if kept is None else _deleted_version(entries, kept)
    if deleted is not None:
        return deleted
    for version_id in dict.fromkeys(v for v in held[1:] if v is not None):
        version = versions.get(version_id)
        if version is None:
            return f"版本 {version_id} 缺失或无法读取(文件损坏)", f"version {version_id} is missing or unreadable"
        if version_digest(version) != implied.digest_of(version_id):
            return (f"第 {version['number']} 版保存后被改动(与变更记录中的校验值不符)",
                    f"version {version['number']} was changed after it was saved (its digest is not the recorded one)")
    return (_register_changed(household, implied, versions.get(held[1]) if held[1] is not None else None)
            or (standing_finding(entries) if findings else None))


# The household actions that end a standing finding: each writes (or vouches for, `recheck`) the household anew.
ENDS_A_FINDING = CHANGES | {"add_household", "edit_household", "recheck"}


def _findings_since(entries: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The details of the findings recorded since the household was last changed or re-checked (ENDS_A_FINDING),
    newest first: an entry of any other action, which the program never writes of a household, ends nothing (a
    member's hand-made 'note' entry ended a finding on a paid household)."""
    for entry in reversed(entries):
        if entry["action"] in ENDS_A_FINDING:
            return
        if entry["action"] == "abnormal":
            yield parse_detail(entry["detail"])


def noted_since(entries: list[dict[str, Any]], detail: dict[str, Any]) -> bool:
    """Whether the finding `detail` is recorded since the household was last changed or re-checked: recorded once while
    it stands, and again when it comes back (recorded once for good, a finding forged again after a re-check stood only
    in the session that found it)."""
    return detail in _findings_since(entries)


def standing_finding(entries: list[dict[str, Any]]) -> Verdict | None:
    """A finding the program recorded of the household (abnormal) with nothing done to it since: a check that recomputes
    found it (a result forged with its digest and chain remade), and the ledger's own checks, which do not recompute,
    passed it into every total again. Said in the finding's own words (so it is recorded once). A finding carried
    over a restore (restored_over) was of the file replaced, and stands no more."""
    for detail in _findings_since(entries):
        if "restored_over" not in detail and detail.get("reason"):
            return str(detail["reason"]), str(detail.get("en", detail["reason"]))
    return None


def _deleted_version(entries: list[dict[str, Any]], kept: set[int]) -> Verdict | None:
    """A version the household's history records saved that the file no longer holds (the program deletes none): an
    earlier, signed version deleted by hand, and a paper with its 校验码 could no longer be checked."""
    for entry in entries:
        if entry["action"] in SAVE_ACTIONS and entry["version_id"] is not None and entry["version_id"] not in kept \
                and not (entry.get("parsed_detail") or {}).get("restored_over"):   # (parsed when it says so)
            number = parse_detail(entry["detail"]).get("version", entry["version_id"])
            return (f"第 {number} 版已从项目中删除(变更记录中有其保存)",
                    f"version {number} was deleted from the project (its history records it saved)")
    return None


def _register_changed(household: dict[str, Any], implied, current: dict[str, Any] | None) -> Verdict | None:
    """户号 must be the one registered (or corrected); 户主 and 地址 those registered while there is no version,
    else those the current (verified) case names — a save takes them from its case when it names them."""
    if implied.register is None:
        return None  # a household of a file older than the register entries: nothing to compare
    number, head, address = implied.register
    if household["number"] != number:
        return (f"户号「{household['number']}」与登记时的「{number}」不符", "the stored 户号 is not the registered one")
    if current is not None:
        named = json.loads(current["case_json"]).get("household", {})
        head = str(named.get("head", "")).strip() or None
        address = str(named.get("address", "")).strip() or None
    for field, label, expected in (("head", "户主", head), ("address", "地址", address)):
        if expected is not None and household[field] != expected:
            return (f"{label}「{household[field]}」与登记或测算案例中的「{expected}」不符",
                    f"the stored {field} is not the registered one or the case's")
    return None


def _anomaly(household: dict[str, Any], verdict: Verdict) -> Anomaly:
    return Anomaly(household["id"], str(household["number"]), *verdict)


def scan(conn: sqlite3.Connection) -> dict[int, Anomaly]:
    """Every household of the file that fails `judge`, by id (the chain read once, whole)."""
    entries = read_entries(conn)
    unlinked = {entry["household_id"] for pair in broken_links(entries) for entry in pair if entry is not None}
    by_household: dict[int, list[dict[str, Any]]] = {}
    for entry in entries:
        by_household.setdefault(entry["household_id"], []).append(entry)
    households = rows_as_dicts(conn.execute(_HOUSEHOLD_SELECT))
    wanted = {v for h in households for v in (h["current_version_id"], h["signed_version_id"]) if v is not None}
    versions = _versions(conn, wanted)
    kept = _kept_versions(conn)
    found = {}
    for household in households:
        verdict = judge(household, by_household.get(household["id"], []), household["id"] in unlinked, versions,
                        None if kept is None else kept.get(household["id"], set()))
        if verdict is not None:
            found[household["id"]] = _anomaly(household, verdict)
    return found


def _kept_versions(conn: sqlite3.Connection, household_id: int | None = None) -> dict[int, set[int]] | None:
    """The ids of the versions the file holds, by household (of every household, or of one); None on a damaged page
    (the versions unreadable are said as such: _versions)."""
    where, args = ("", ()) if household_id is None else (" WHERE household_id = ?", (household_id,))
    kept: dict[int, set[int]] = {}
    try:
        for version_id, owner in conn.execute(f"SELECT id, household_id FROM case_versions{where}", args):
            kept.setdefault(owner, set()).add(version_id)
    except sqlite3.DatabaseError:
        return None
    return kept


def deleted_households(conn: sqlite3.Connection) -> list[LedgerRow]:
    """The households the audit log records that the file no longer holds (the program deletes none), as 数据异常
    rows named as registered: one deleted with an SQL tool took its paid money out of 已支付 with no word, and its
    户号 could be registered, signed and paid a second time."""
    missing = [row[0] for row in conn.execute(
        "SELECT DISTINCT household_id FROM audit WHERE household_id IS NOT NULL "
        "AND household_id NOT IN (SELECT id FROM households) ORDER BY household_id")]
    rows = []
    for household_id in missing:
        entries = read_entries(conn, "WHERE household_id = ?", (household_id,))
        implied = replay(entries)
        number, head, address = implied.register or (f"(编号 {household_id})", "", "")
        said = "登记和支付" if implied.status is Status.PAID else "登记"
        rows.append(LedgerRow(
            household_id, number, head, address, None, None, None, None, Status.ABNORMAL, "", entries[-1]["at"],
            entries[-1]["actor"], None, f"此户已从项目中删除(变更记录中有其{said}),数据已在程序之外被改动,请从备份恢复"))
    return rows


def check_one(conn: sqlite3.Connection, household_id: int, findings: bool = True) -> Anomaly | None:
    """`judge` for one household, reading only its rows and the chain links around its entries."""
    rows = rows_as_dicts(conn.execute(f"{_HOUSEHOLD_SELECT} WHERE id = ?", (household_id,)))
    if not rows:
        raise StoreError(f"没有编号为 {household_id} 的住户", f"no household {household_id}")
    household = rows[0]
    entries = read_entries(conn, "WHERE household_id = ?", (household_id,))
    unlinked = any(_link_broken(conn, entry) for entry in entries)
    wanted = {household["current_version_id"], household["signed_version_id"]} - {None}
    kept = _kept_versions(conn, household_id)
    verdict = judge(household, entries, unlinked, _versions(conn, wanted), None if kept is None else kept.get(
        household_id, set()), findings)
    return None if verdict is None else _anomaly(household, verdict)


def _link_broken(conn: sqlite3.Connection, entry: dict[str, Any]) -> bool:
    """The entry's hash does not follow from the one before it, or the next one's does not follow from it."""
    before = conn.execute("SELECT hash FROM audit WHERE id < ? ORDER BY id DESC LIMIT 1", (entry["id"],)).fetchone()
    if entry["hash"] != entry_hash(before[0] if before else GENESIS, entry):
        return True
    after = read_entries(conn, "WHERE id = (SELECT min(id) FROM audit WHERE id > ?)", (entry["id"],))
    return bool(after) and after[0]["hash"] != entry_hash(entry["hash"], after[0])


def _versions(conn: sqlite3.Connection, ids: set[int]) -> dict[int, dict[str, Any] | None]:
    """The versions by id; one on a damaged page is None (read one by one once the bulk read fails)."""
    try:
        found = {}
        wanted = sorted(ids)
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start:start + _CHUNK]
            found.update((row["id"], row) for row in rows_as_dicts(
                conn.execute(f"{_VERSION_SELECT} WHERE id IN ({', '.join('?' * len(chunk))})", tuple(chunk))))
        return found
    except sqlite3.DatabaseError:
        found: dict[int, dict[str, Any] | None] = {}
        for version_id in ids:
            try:
                found.update((row["id"], row) for row in rows_as_dicts(
                    conn.execute(f"{_VERSION_SELECT} WHERE id = ?", (version_id,))))
            except sqlite3.DatabaseError:
                found[version_id] = None
        return found


# --- the engine ------------------------------------------------------------------------------------------

def version_figures(result: CompensationResult, canonical: str | None = None) -> dict[str, Any]:
    """The columns a computed version stores from its result (`canonical`: its case's canonical JSON, if made)."""
    relocation, replacement = result.relocation, result.replacement
    figures = compensation_json(result, canonical)
    return {
        "result_json": json.dumps(figures, ensure_ascii=False, default=_exact),
        "schedule_version": result.schedule.version, "total": fmt_money(result.total),
        "incentive": fmt_money(relocation.incentive if relocation else Decimal(0)),
        "replacement_m2": None if replacement is None else fmt_money(replacement.total_m2),
        "building_area_m2": None if relocation is None else fmt_quantity(relocation.given.building_area_m2),
        "fingerprint": figures["fingerprint"],
    }


def recompute(version: CaseVersion) -> Verdict | None:
    """Why the engine does not give the version's stored result for its stored case, or None.

    A version saved under a schedule version other than the loaded one is refused (StoreError: it
    must be recomputed), not called abnormal."""
    from calculator.engine.schedules import load_schedule
    try:
        case = version.case()
        schedule = load_schedule(case.schedule)
    except CalculationError as error:
        return f"保存的案例无法读取({error.zh})", f"the stored case cannot be read ({error.en})"
    if version.schedule_version != schedule.version:
        raise StoreError(f"保存时的补偿标准版本({version.schedule_version})与现行版本({schedule.version})不同,"
                         "须重新测算", f"saved under schedule {version.schedule_version}, the loaded one is "
                         f"{schedule.version}; recompute the case first")
    result = evaluate(case, schedule)
    if result.problems:   # changed behind the program's back, or saved before a rule that now refuses it: said which
        first = result.problems[0]
        return (f"按现行规则重新测算有错误({first.shown}),与保存的结果不符",
                f"recomputing the stored case under the current rules gives errors ({first.message})")
    figures = version_figures(result)
    stored = {name: getattr(version, name) for name in figures if name != "result_json"}
    expected = {name: figures[name] if name in ("schedule_version", "fingerprint") or figures[name] is None
                else Decimal(figures[name]) for name in stored}
    if stored != expected or _money(version.result_json) != _money(figures["result_json"]):
        return (f"第 {version.number} 版保存的金额或校验码与重新测算的结果不符",
                f"the stored amounts or fingerprint of version {version.number} are not the engine's result")
    return None


def _money(result_json: str | None) -> Any:
    try:
        data = json.loads(result_json or "null")
        return ({key: data.get(key) for key in _MONEY_KEYS},
                [(line.get("item"), line.get("quantity"), line.get("amount")) for line in data.get("lines", [])])
    except (TypeError, ValueError, AttributeError):
        return None


def _exact(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(f"cannot store {type(value).__name__} in the result JSON")
