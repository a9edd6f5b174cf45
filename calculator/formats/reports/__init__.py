"""Printed sheets (PDF, reportlab) and workbooks (Excel, openpyxl), written atomically.

Imported only when an export is asked for, and even then reportlab and openpyxl are imported
only by the writer that needs them, so that importing this package stays cheap.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from calculator.formats.reports.content import Filing
    from calculator.store.base import LedgerRow


def compensation_pdf(result, path: Path, filing: Filing | None = None) -> None:
    """征收补偿结算单 of a CompensationResult as an A4 PDF (`filing`: a project's 案件编号 and 测算日期)."""
    from calculator.formats.reports.pdf_settlement import write_settlement_pdf
    write_settlement_pdf(result, Path(path), filing)


def compensation_xlsx(result, path: Path, filing: Filing | None = None) -> None:
    """The settlement as a workbook: 明细 (one row per line) and 汇总."""
    from calculator.formats.reports.xlsx import write_settlement_xlsx
    write_settlement_xlsx(result, Path(path), filing)


def ledger_xlsx(rows: Sequence[LedgerRow], path: Path, *, title: str = "台账") -> None:
    """台账 of LedgerRows as a workbook: one sheet, the exact 合计 and a SUM check row."""
    from calculator.formats.reports.ledger import write_ledger_xlsx
    write_ledger_xlsx(rows, Path(path), title)


def parcel_pdf(price, path: Path) -> None:
    """宗地地价测算表 of a ParcelPrice as an A4 PDF."""
    from calculator.formats.reports.pdf_price import write_price_pdf
    write_price_pdf(price, Path(path))


def parcel_xlsx(price, path: Path) -> None:
    """The parcel price as a workbook: 部分 (one row per use) and 汇总."""
    from calculator.formats.reports.xlsx import write_price_xlsx
    write_price_xlsx(price, Path(path))
