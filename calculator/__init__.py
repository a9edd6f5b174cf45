"""landcomp's domain: the 堡子 compensation engine and the 五台 land price engine.

Pure Python (no Qt). Money is `decimal.Decimal` end to end and is rounded in exactly one
place, `calculator.core.money.round_money`.
"""

# The program's version: the package's (pyproject.toml reads it from here), the .deb's and the installer's, and what
# 关于 shows (the bundle carries no package metadata to read it from).
__version__ = "0.1.0"


def version_text() -> str:
    """`--version`'s line: the program's version and the schedules it prices by (which a support call asks first)."""
    from calculator.engine.schedules import load_land_table, load_schedule
    schedule, table = load_schedule(), load_land_table()
    return (f"landcomp {__version__}(标准 {schedule.version} {schedule.document};"
            f"地价表 {table.version} {table.document})")
