"""What a restore keeps of the project it replaces: its audit entries the backup lacks, and every payment.

The entries of the replaced file whose hash is not in the backup's chain are appended to the
restored file, each marked `restored_over`, so its history survives. A payment among them keeps
its household paid, on the version it was paid on — which must then be in the backup, the same
household and the same content; otherwise the restore is refused, since it would erase a payment.
A payment is one the replaced project holds: the household paid there, on that version. A `pay` entry alone
(one a member wrote by hand for a household never signed) is carried over as history, marked
`payment_not_kept`, and pays nothing.
"""
from __future__ import annotations

import sqlite3
from typing import Any, NamedTuple

from calculator.store.base import StoreError
from calculator.store.integrity import SAVE_ACTIONS, version_digest
from calculator.store.schema import rows_as_dicts
from calculator.store.verify import append_entry, deleted_households, parse_detail, read_entries, scan


class Replaced(NamedTuple):
    """The project a restore replaces: its audit entries, its 户号 by household id, and the version each paid
    household was paid on, by household id."""

    entries: list[dict[str, Any]]
    numbers: dict[int, str]
    paid: dict[int, int]

    def payment(self, entry: dict[str, Any]) -> bool:
        """The entry is a payment the project holds: a `pay` of a household paid there on that version (a member's
        hand-made `pay` entry for a household never signed kept it paid over a restore: 已支付, never paid)."""
        return (entry["action"] == "pay" and entry["version_id"] is not None
                and self.paid.get(entry["household_id"]) == entry["version_id"])


def refuse_lost_payments(conn: sqlite3.Connection, replaced: Replaced) -> None:
    """StoreError when restoring `conn` (the staged backup) over the `replaced` project would erase a payment: the
    backup must hold each paid version."""
    here, numbers = _numbers(conn), replaced.numbers
    digests = {entry["version_id"]: entry["version_digest"] for entry in replaced.entries
               if entry["action"] in SAVE_ACTIONS}
    lost_payments = [entry for entry in _lost(conn, replaced.entries) if replaced.payment(entry)
                     and not _paid_version_here(conn, entry, here, numbers, digests)]
    if lost_payments:
        named = "、".join(dict.fromkeys(numbers.get(e["household_id"], str(e["household_id"])) for e in lost_payments))
        raise StoreError(f"备份中没有户号 {named} 已支付的版本;恢复它会抹去这笔支付,未恢复。请选用支付之后的备份",
                         f"the backup lacks the paid version of household(s) {named}; restoring it would erase a "
                         "payment, so nothing was restored. Choose a backup made after the payment")


def refuse_new_anomalies(backup: sqlite3.Connection, here: Any) -> None:
    """StoreError when the backup (`backup`, staged) holds households whose stored figures fail their check
    (数据异常) unknown to it — its own audit log never recorded them — that are sound in the project it would
    replace (`here`): a backup edited or damaged since it was made would put the wrong figures back, and 已支付
    sums would change with no word. 数据异常 the project had, and its log recorded, when it was backed up is no
    reason to refuse (a project with one moves to a new PC or a server by backup and restore). Nor is a household
    its log records that the backup no longer holds (deleted behind the program's back), unless the project lacks it
    too."""
    deleted_here = {row.number for row in deleted_households(here)}
    lost = [row.number for row in deleted_households(backup) if row.number not in deleted_here]
    if lost:   # restored, its households' money would be gone from every total (paid ones too) with no word
        shown = "、".join(lost[:10]) + (f" 等 {len(lost)} 户" if len(lost) > 10 else "")
        raise StoreError(f"备份中户号 {shown} 已被删除(变更记录中有其登记),备份已在程序之外被改动;未恢复。请换一份备份",
                         f"the backup's household(s) {', '.join(lost[:10])} were deleted behind the program's back "
                         "(its history records them): nothing was restored. Use another backup")
    abnormal_here = {anomaly.number for anomaly in scan(here).values()}
    recorded = {row[0] for row in backup.execute("SELECT DISTINCT household_id FROM audit WHERE action = 'abnormal'")}
    new = sorted({anomaly.number for anomaly in scan(backup).values() if anomaly.household_id not in recorded}
                 - abnormal_here)
    if new:
        shown = "、".join(new[:10]) + (f" 等 {len(new)} 户" if len(new) > 10 else "")
        raise StoreError(f"备份中户号 {shown} 的数据与其校验不符(数据异常),备份已被改动或损坏;未恢复。请换一份备份",
                         f"the backup's household(s) {', '.join(new[:10])} fail their check (abnormal data): the "
                         "backup was changed or damaged since it was made, so nothing was restored. Use another backup")


def carry_over(conn: sqlite3.Connection, replaced: Replaced, *, at: str, actor: str) -> dict[str, Any]:
    """Append to the restored file (`conn`, in a write transaction) the entries of the `replaced` project it lacks
    and keep their payments (refused, as `refuse_lost_payments`, when one would be lost). Returns what was kept."""
    refuse_lost_payments(conn, replaced)
    lost, here, numbers = _lost(conn, replaced.entries), _numbers(conn), replaced.numbers
    payments = [entry for entry in lost if replaced.payment(entry)]
    for entry in lost:
        same = entry["household_id"] is not None and here.get(entry["household_id"]) == numbers.get(entry["household_id"])
        detail = {**parse_detail(entry["detail"]), "restored_over": at, "original_id": entry["id"]}
        if entry["action"] == "pay" and entry not in payments:
            detail["payment_not_kept"] = True
        if entry["household_id"] is not None and not same:
            detail["household_number"] = numbers.get(entry["household_id"], "")
        append_entry(conn, entry["at"], entry["actor"], entry["action"],
                     project_id=entry["project_id"] if _exists(conn, "projects", entry["project_id"]) else None,
                     household_id=entry["household_id"] if same else None,
                     version_id=entry["version_id"] if same and _exists(conn, "case_versions", entry["version_id"])
                     else None, detail=detail, version_digest=entry["version_digest"])
    for entry in payments:
        conn.execute("""UPDATE households SET status = 'paid', current_version_id = ?, signed_version_id = ?
                        WHERE id = ?""", (entry["version_id"], entry["version_id"], entry["household_id"]))
    return {"carried_over": len(lost),
            "kept_paid": sorted({numbers.get(entry["household_id"], "") for entry in payments})}


def _paid_version_here(conn: sqlite3.Connection, payment: dict[str, Any], here: dict[int, str],
                       numbers: dict[int, str], digests: dict[int, str]) -> bool:
    """The restored file holds the household and the very version it was paid on."""
    household_id, version_id = payment["household_id"], payment["version_id"]
    if household_id is None or here.get(household_id) != numbers.get(household_id) or version_id is None:
        return False
    rows = rows_as_dicts(conn.execute("SELECT * FROM case_versions WHERE id = ? AND household_id = ?",
                                      (version_id, household_id)))
    return bool(rows) and version_digest(rows[0]) == digests.get(version_id)


def _lost(conn: sqlite3.Connection, replaced: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The replaced project's entries the restored file's chain lacks."""
    kept = {row[0] for row in conn.execute("SELECT hash FROM audit")}
    return [entry for entry in replaced if entry["hash"] not in kept]


def _numbers(conn: sqlite3.Connection) -> dict[int, str]:
    """A file's 户号 by household id."""
    return {row["id"]: row["number"] for row in rows_as_dicts(conn.execute("SELECT id, number FROM households"))}


def _exists(conn: sqlite3.Connection, table: str, row_id: int | None) -> bool:
    return row_id is not None and conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (row_id,)).fetchone() is not None


def replaced_state(conn: sqlite3.Connection) -> Replaced:
    """The entries, the 户号 and the paid versions of the project about to be replaced."""
    paid = conn.execute("SELECT id, signed_version_id FROM households WHERE status = 'paid' "
                        "AND current_version_id = signed_version_id").fetchall()
    return Replaced(read_entries(conn), _numbers(conn), {row[0]: row[1] for row in paid})
