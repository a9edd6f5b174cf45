"""The project summary and audit (汇总与审计): where the money goes, who chose which rates, which households
stand out — for 指挥部, 财政 and 审计, and to catch mistakes before money leaves.

`project_summary(project)` reads the project's verified figures once (figures.py) and makes every
view: money by status, section and village or street, paid against owed (views.py); the funding
forecast and the 搬迁奖励 still reachable (views.py); rate choices per assessor and item (audit.py);
households far from the project's per-m² distribution (outliers.py). `summary_json`, `summary_text`
and the PDF and workbook writers (`summary_pdf`, `summary_xlsx`: pdf.py, xlsx.py) render one `Summary`.
pandas does the grouping; money stays integer fen until it is shown.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from calculator.core.money import fmt_grouped, fmt_money
from calculator.app.summary import audit, views
from calculator.app.progress import Progress, stopped
from calculator.app.summary.figures import Cancelled, Figures, read_figures
from calculator.app.summary.model import TEXT, Summary, Table, abnormal_table, shown, yuan
from calculator.app.summary.outliers import METHOD, find_outliers, line_json

if TYPE_CHECKING:
    from calculator.app.ledger_actions import ProjectFile


def project_summary(project: ProjectFile, as_of: dt.date | None = None, *, recompute: bool = False,
                    progress: Progress | None = None) -> Summary:
    """The summary of an open project on `as_of` (today by default); with `recompute`, every household is
    first recomputed by the engine (`verify_all`), so one whose stored result is not the engine's is 数据异常.
    `progress` hears how far the reading is, and may stop it (figures.Cancelled)."""
    if recompute:
        project.store.verify_all()
    read_at = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    figures = read_figures(project.store, project.project.id, progress)
    if progress is not None and stopped(progress(len(figures.households), len(figures.households), "汇总计算")):
        raise Cancelled
    return summarise(figures, project.name, as_of or dt.date.today(), read_at)


def summarise(figures: Figures, name: str, as_of: dt.date, read_at: str) -> Summary:
    """Every view of the figures read."""
    money = views.headline(figures)
    ranged = audit.ranged_lines(figures)
    incentives = views.incentives(figures, as_of)
    found = find_outliers(figures)
    households = figures.households
    return Summary(
        project=name, as_of=as_of, read_at=read_at, households=len(households), counted=int(households["counted"].sum()),
        abnormal=figures.abnormal, total=yuan(money.total), paid=yuan(money.paid), owed=yuan(money.owed),
        disputed=yuan(money.disputed), replacement_m2=yuan(money.replacement),
        by_status=views.by_status(figures), by_section=views.by_section(figures), by_place=views.by_place(figures),
        forecast=views.forecast(figures, incentives), incentives=incentives,
        rates_by_assessor=audit.by_assessor(figures, ranged), rates_by_item=audit.by_item(figures, ranged),
        rates_by_pair=audit.by_pair(ranged), overrides=audit.overrides(figures),
        outlier_measures=found.measures, outliers=found.outliers, same_id_number=views.same_id_number(figures),
        per_m2=found.distribution, unmeasured=found.unmeasured, method=METHOD)


def summary_json(summary: Summary) -> dict[str, Any]:
    """The summary as the JSON of `landcomp ledger summary --json` (interfaces.md): money as exact strings."""
    status_keys = [column.key for column in summary.by_status.columns[1:]]
    return {
        "project": summary.project, "as_of": summary.as_of.isoformat(),
        "households": summary.households, "counted": summary.counted,
        "total": fmt_money(summary.total), "paid": fmt_money(summary.paid), "owed": fmt_money(summary.owed),
        "disputed": fmt_money(summary.disputed), "replacement_area_m2": fmt_money(summary.replacement_m2),
        "by_status": {record["status"]: {key: record[key] for key in status_keys}
                      for record in summary.by_status.records()},
        "by_section": {record["section"]: record["amount"] for record in summary.by_section.records()},
        "by_place": summary.by_place.records(),
        "abnormal": abnormal_table(summary.abnormal).records(),
        "forecast": summary.forecast.records(), "incentives": summary.incentives.records(),
        "rates": {"by_assessor": summary.rates_by_assessor.records(), "by_item": summary.rates_by_item.records(),
                  "by_assessor_item": summary.rates_by_pair.records(), "overrides": summary.overrides.records()},
        "outlier_method": {**summary.method, "measures": summary.outlier_measures.records(),
                           "unmeasured": list(summary.unmeasured)},
        "outliers": [{"household": o.household, "head": o.head, "place": o.place, "measure": o.measure,
                      "direction": o.direction, "per_m2": fmt_money(o.per_m2), "median": fmt_money(o.median),
                      "score": fmt_money(o.score), "lines": [line_json(line) for line in o.lines]}
                     for o in summary.outliers],
        "same_id_number": summary.same_id_number.records(),
    }


def summary_text(summary: Summary) -> str:
    """The summary for the terminal: headline figures, then the main tables."""
    head = [f"{summary.project} 汇总与审计({summary.dated})",
            f"住户 {summary.households} 户,计入金额 {summary.counted} 户"
            + (f",数据异常 {len(summary.abnormal)} 户(不计入)" if summary.abnormal else ""),
            f"补偿合计 {fmt_grouped(summary.total)} 元;已支付 {fmt_grouped(summary.paid)} 元;"
            f"未支付 {fmt_grouped(summary.owed)} 元;有争议未计入 {fmt_grouped(summary.disputed)} 元;"
            f"置换面积 {fmt_grouped(summary.replacement_m2)} m²", ""]
    parts = ["\n".join(head)]
    for table in (summary.by_status, summary.by_section, summary.by_place, summary.forecast,
                  summary.rates_by_assessor, summary.outlier_measures):
        parts.append(table_text(table))
    if summary.abnormal:
        parts.append("数据异常(不计入):\n" + "\n".join(f"  户号 {a.number} {a.head}:{a.abnormal}" for a in summary.abnormal))
    outliers = [f"  户号 {o.household} {o.head} {o.measure}{o.direction} {fmt_grouped(o.per_m2)} 元/m² "
                f"(中位数 {fmt_grouped(o.median)},z={o.score});"
                + "、".join(f"{line['item']} {fmt_grouped(line['amount'])} 元" for line in o.lines)
                for o in summary.outliers]
    parts.append("异常户:\n" + ("\n".join(outliers) if outliers else "  无"))
    if summary.same_id_number.rows:
        parts.append(table_text(summary.same_id_number))
    return "\n\n".join(parts) + "\n"


def table_text(table: Table) -> str:
    """One table for the terminal, its title above and its 合计 below."""
    from calculator.formats.text_report import table as aligned
    rows = [[column.heading for column in table.columns]]
    rows += [[shown(value, column.kind) for column, value in zip(table.columns, row)] for row in table.rows]
    if table.total is not None:
        rows.append([shown(value, column.kind) for column, value in zip(table.columns, table.total)])
    right = {i for i, column in enumerate(table.columns) if column.kind != TEXT}
    return f"{table.title}\n{aligned(rows, right)}" if table.rows else f"{table.title}\n  (无)"


def summary_pdf(summary: Summary, path: Path) -> None:
    """项目汇总与审计 as an A4 PDF with its charts."""
    from calculator.app.summary.pdf import write_summary_pdf
    write_summary_pdf(summary, Path(path))


def summary_xlsx(summary: Summary, path: Path) -> None:
    """The summary as a workbook: 概况 and one sheet per view, each filterable."""
    from calculator.app.summary.xlsx import write_summary_xlsx
    write_summary_xlsx(summary, Path(path))
