"""The store's reading of the audit log and of the ledger (filtered, sorted, paged by key, counted, totalled).
"""
from __future__ import annotations

import json
import unicodedata
from decimal import Decimal
from typing import Any

from calculator.store import verify
from calculator.store.base import AuditEntry, CaseVersion, LedgerRow, LedgerTotals, Status, StoreError
from calculator.store.rows import _CURRENT_VERSION_COLUMNS, _FIGURES_SELECT, _KEY, _after, _ledger_row, _version
from calculator.store.sqlite_file import _translated


class LedgerQueries:
    """The audit log and the ledger: its rows, in pages, counted and totalled (a part of SqliteStore)."""

    @_translated
    def last_change(self) -> str:
        return self._conn.execute("SELECT max(at) FROM audit").fetchone()[0] or ""

    @_translated
    def audit_log(self, *, project_id: int | None = None, household_id: int | None = None) -> list[AuditEntry]:
        where, args = [], []
        if project_id is not None:
            where.append("project_id = ?")
            args.append(project_id)
        if household_id is not None:
            where.append("household_id = ?")
            args.append(household_id)
        sql = "SELECT id, at, actor, action, project_id, household_id, version_id, detail FROM audit"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return [AuditEntry(*row[:7], verify.parse_detail(row[7])) for row in self._conn.execute(sql + " ORDER BY id", args)]

    def _ledger_where(self, project_id: int, status: Status | str | None, text: str,
                      abnormal: str) -> tuple[str, list[Any]]:
        """WHERE of a ledger filter; `abnormal` is the JSON list of abnormal household ids (数据异常)."""
        where, args = ["h.project_id = ?"], [project_id]
        status = None if status is None else Status.parse(status)
        if status is Status.ABNORMAL:
            where.append(f"h.id IN ({self.dialect.ids})")
            args.append(abnormal)
        elif status is not None:
            where.append(f"h.status = ? AND h.id NOT IN ({self.dialect.ids})")
            args += [status.value, abnormal]
        if text.strip():
            # as typed, and half-width (NFKC: ０１０ as a Chinese input method types it is the 户号 010); all digits, the
            # same number too (0001 finds 1: one 户号, calculator.app.survey.values.number_key)
            half_width = unicodedata.normalize("NFKC", text).strip()
            like, found = self.dialect.like, []
            for typed in dict.fromkeys((text.strip(), half_width)):
                pattern = "%" + typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                found.append(f"h.number {like} ? ESCAPE '\\' OR h.head {like} ? ESCAPE '\\' OR h.address {like} ? "
                             "ESCAPE '\\'")
                args += [pattern] * 3
            if half_width.isascii() and half_width.isdigit():
                found.append("ltrim(h.number, '0') = ?")
                args.append(half_width.lstrip("0"))
            where.append(f"({' OR '.join(found)})")
        return " WHERE " + " AND ".join(where), args

    @_translated
    def ledger(self, project_id: int, *, status: Status | str | None = None, text: str = "",
               sort: str = "number", descending: bool = False, limit: int | None = None,
               offset: int = 0, after: int | None = None, workbook: bool = True,
               check_first: bool = True) -> list[LedgerRow]:
        """The filter's rows in the order asked; `after` (a household id) pages by key: the rows that
        follow that household's in this order (then `offset` is not used; an unknown household reads
        from the start). Without `workbook`, the workbook's columns are left blank."""
        keys = self.dialect.sort_keys()
        if sort not in keys:
            raise StoreError(f"台账不能按「{sort}」排序", f"the ledger cannot be sorted by {sort!r}")
        anomalies, checked = self._abnormal(check_first)
        abnormal = json.dumps(sorted(anomalies))
        where, args = self._ledger_where(project_id, status, text, abnormal)
        order, key, number = self.dialect.order, keys[sort], keys["number"]
        key_args = [abnormal] if sort == "status" else []
        if after is not None:
            offset = 0
            anchor = self._conn.execute(
                f"SELECT {key}, h.number, h.id FROM households h LEFT JOIN case_versions v{self.dialect.figures} "
                "ON v.id = h.current_version_id WHERE h.id = ? AND h.project_id = ?",
                [*key_args, after, project_id]).fetchone()
            if anchor is not None:
                condition, more = _after(key, number, anchor, descending)
                where += f" AND {condition}"
                for part in more:
                    args += key_args if part is _KEY else [part]
        # The household id breaks no tie within a project (户号 is unique there); it follows the order's
        # direction so that one index serves both directions.
        sql = (f"{self.dialect.ledger_select(workbook)}{where} ORDER BY {order(key, descending)}, "
               f"{order(number, descending)}, h.id{' DESC' if descending else ''}")
        args += key_args
        offset = max(int(offset), 0)  # SQLite's reading of a negative offset, and of a negative limit below
        if limit is not None and int(limit) >= 0:
            sql += " LIMIT ? OFFSET ?"
            args += [int(limit), offset]
        elif offset:
            sql += f" {self.dialect.no_limit} OFFSET ?"
            args.append(offset)
        return [_ledger_row(row, anomalies.get(row[0]), checked) for row in self._conn.execute(sql, args)]

    @_translated
    def ledger_count(self, project_id: int, *, status: Status | str | None = None, text: str = "",
                     check_first: bool = True) -> int:
        anomalies, _checked = self._abnormal(check_first)
        where, args = self._ledger_where(project_id, status, text, json.dumps(sorted(anomalies)))
        return self._conn.execute(f"SELECT count(*) FROM households h{where}", args).fetchone()[0]

    @_translated
    def ledger_summary(self, project_id: int, *, status: Status | str | None = None, text: str = "",
                       check_first: bool = True) -> LedgerTotals | None:
        """Exact totals of the filter, reading only the four figures (not whole ledger rows); a 数据异常
        household is counted apart and adds nothing."""
        anomalies, checked = self._abnormal(check_first)
        if not checked:
            return None
        where, args = self._ledger_where(project_id, status, text, json.dumps(sorted(anomalies)))
        count, abnormal, sums = 0, 0, [Decimal("0.00")] * 4
        for household_id, *figures in self._conn.execute(
                f"{_FIGURES_SELECT.format(figures=self.dialect.figures)}{where}", args):
            count += 1
            if household_id in anomalies:
                abnormal += 1
                continue
            for i, figure in enumerate(figures):
                if figure is not None:
                    sums[i] += Decimal(figure)
        return LedgerTotals(count, *sums, abnormal)

    @_translated
    def deleted_households(self) -> list[LedgerRow]:
        with self._reading():
            return verify.deleted_households(self._conn)

    @_translated
    def ledger_versions(self, project_id: int) -> list[tuple[LedgerRow, CaseVersion | None]]:
        """The ledger and the current versions in one snapshot, the versions by one SELECT (not one per household)."""
        self._abnormal()  # findings are written to the audit log here, never inside the read below
        with self._reading():
            rows = self.ledger(project_id)
            versions = {version.household_id: version for version in map(_version, self._conn.execute(
                f"SELECT {_CURRENT_VERSION_COLUMNS} FROM households h JOIN case_versions v "
                "ON v.id = h.current_version_id WHERE h.project_id = ?", (project_id,)))}
        return [(row, None if row.status is Status.ABNORMAL else versions.get(row.household_id)) for row in rows]
