"""What the ledger's SQL says differently on SQLite and on PostgreSQL; everything else is the same SQL.

The ledger sorts and searches alike on both: NULL before any value in ascending order (SQLite's
rule), text by code point (SQLite's BINARY, PostgreSQL's collation "C"), money and areas by their
double-precision sort keys (the same on both), and the text filter ignoring case.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    """The backend's spelling of a few ledger phrases."""

    ids: str  # a subquery of the ids in one parameter, a JSON list
    text_key: str  # a text column as a sort key ({} the column)
    like: str  # a case-insensitive LIKE
    nulls: tuple[str, str]  # what follows ASC and DESC so that NULL sorts lowest
    no_limit: str  # LIMIT that lets OFFSET stand alone
    json_text: str  # a text at {path} (a JSON path, $.a.b) of the JSON document {doc}; NULL when damaged
    same: str  # {} and {} are equal, NULL to NULL too
    figures: str  # how a ledger row reads its version's figures (SQLite: through the covering index)
    # the id of a new household or version ({table}; {column}: the audit's column naming one): never one handed out
    # before. SQLite's next rowid is the largest one's + 1: a household or version deleted by hand gave its id, and its
    # history, to the next (数据异常 said of it, the deleted one paid again); a sequence never goes back.
    new_id: str

    def sort_keys(self) -> dict[str, str]:
        """The ledger's sort expressions by LEDGER_COLUMNS key (the status one takes the abnormal ids)."""
        text = self.text_key.format
        # The figures sort by the household's REAL / double precision copy of its current version's
        # (migration ledger_keys), indexed per project: a page is read by key, not by sorting them all.
        return {
            "number": text("h.number"), "head": text("h.head"), "address": text("h.address"),
            "building_area_m2": "h.building_area_key", "total": "h.total_key",
            "incentive": "h.incentive_key", "replacement_m2": "h.replacement_key",
            "status": f"""CASE WHEN h.id IN ({self.ids}) THEN 4 WHEN h.status = 'draft' THEN 0
                WHEN h.status = 'computed' THEN 1 WHEN h.status = 'signed' THEN 2 ELSE 3 END""",
            "assessor": text("v.assessor"), "updated_at": "h.updated_at",
        }

    def ledger_select(self, workbook: bool = True) -> str:
        """The ledger's row: the household, its current version's figures, and for the workbook the
        身份证号 and 电话 of its case, when it was signed, and its payment batch and time (without
        `workbook`, blanks: the 台账 shows none of them, and reading the case JSON is most of the cost).

        A damaged JSON text reads as NULL here, never as an error that would hide the whole ledger."""
        case, detail = "v.case_json", "a.detail"
        head = f"""SELECT h.id, h.number, h.head, h.address, v.building_area_m2, v.total, v.incentive,
    v.replacement_m2, h.status, coalesce(v.assessor, ''), h.updated_at, h.updated_by, v.number"""
        if not workbook:
            return f"""{head}, NULL, NULL, NULL, NULL, NULL
    FROM households h LEFT JOIN case_versions v{self.figures} ON v.id = h.current_version_id"""
        return f"""{head},
    {self.json_text.format(doc=case, path="$.household.id_number")},
    {self.json_text.format(doc=case, path="$.household.phone")},
    CASE WHEN h.status IN ('signed', 'paid') THEN (SELECT a.at FROM audit a WHERE a.household_id = h.id
        AND a.action = 'sign' AND {self.same.format("a.version_id", "h.signed_version_id")}
        ORDER BY a.id DESC LIMIT 1) END,
    p.batch, p.at
    FROM households h LEFT JOIN case_versions v ON v.id = h.current_version_id
    LEFT JOIN (SELECT a.household_id, a.at, {self.json_text.format(doc=detail, path="$.batch")} AS batch
               FROM audit a WHERE a.action = 'pay' AND a.id = (SELECT max(b.id) FROM audit b
               WHERE b.household_id = a.household_id AND b.action = 'pay')) p
        ON p.household_id = h.id AND h.status = 'paid'"""

    def order(self, expression: str, descending: bool) -> str:
        """`expression` in the ledger's order, NULL lowest."""
        return f"{expression} {'DESC' if descending else 'ASC'}{self.nulls[descending]}"


# SQLite: REAL is only a sort key here, the values are read back as TEXT into Decimal.
SQLITE = Dialect(ids="SELECT value FROM json_each(?)", text_key="{}", like="LIKE",
                 nulls=("", ""), no_limit="LIMIT -1",
                 json_text="CASE WHEN json_valid({doc}) THEN json_extract({doc}, '{path}') END", same="{} IS {}",
                 figures=" INDEXED BY case_versions_figures",
                 new_id="(SELECT max(coalesce((SELECT max(id) FROM {table}), 0), "
                        "coalesce((SELECT max({column}) FROM audit), 0)) + 1)")
POSTGRES = Dialect(ids="SELECT json_array_elements_text(?::json)::bigint", text_key='{} COLLATE "C"',
                   like="ILIKE", nulls=(" NULLS FIRST", " NULLS LAST"),
                   no_limit="LIMIT ALL", json_text="landcomp.json_text({doc}, '{path}')",
                   same="{} IS NOT DISTINCT FROM {}", figures="", new_id="DEFAULT")
