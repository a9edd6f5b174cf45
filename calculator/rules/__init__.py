"""Rule kinds: one module each, the same small interface, dispatched by the kind named in the data.

A kind owns everything about its kind; a new kind is one new module here, listed in KINDS.
Every module has:

- `KIND`: the name the data files use; `LABEL`: the kind as listings name it (计算方式, Chinese);
- `CASE_LINE`: whether a row of the kind is added as a case line (房屋面积置换 is the case's block);
- `TAKES_QUANTITY`: whether a line's quantity is typed (an assessed amount is one whole line);
- `RATE_FIELD`: the raw field a line's 单价 cell edits ("rate", "amount" for a typed amount, None
  when nothing is typed there); an amount past the limit is an error at this field;
- `parse(row) -> spec` (validates a schedule row), `params(spec)` (the values a case line must or
  may carry), `price(spec, line, ctx) -> Pricing`, raising errors placed at the field at fault;
- `describe(spec)`: the rule as plain data (`landcomp items --json`);
- `summary(spec, unit, schedule)`: the standard in a few characters (700–800 元/m²) for listings and
  the picker; `detail_rows(spec, unit, schedule)`: the standard as (condition, standard) rows;
- `hosts(spec, items)`: the rows of `items` a line may be attached to, or None for a kind that
  attaches to nothing; a kind that attaches also names the kind its hosts must be (`HOST_KIND`);
- `USES_OTHER_LINES`: True when `price` reads the case's other lines (through `ctx.host_rate`):
  its lines are priced afresh every time, the others are kept while their raw fields are unchanged
  (calculator.engine.compensation.KeptLines).
"""
from calculator.rules import (area_replacement, assessed, bracket, bracket_increment, decorated_rate,
                              not_compensated, per_metre, prorated_rate, share_of_host, staged, unit_rate)

KINDS = {module.KIND: module for module in (
    unit_rate, prorated_rate, decorated_rate, share_of_host, bracket, bracket_increment,
    per_metre, staged, assessed, not_compensated, area_replacement)}
