"""Rule kinds: one module each, the same small interface, dispatched by the kind named in the data.

Every module has `KIND`, `parse(row) -> spec` (validates a schedule row), `params(spec)` (the
values a case line must or may carry), `price(spec, line, ctx) -> Pricing` and `describe(spec)`
(the rule as plain data, for listings). A kind whose `price` reads the case's other lines (through
`ctx.host_rate`) says so with `USES_OTHER_LINES = True`: its lines are priced afresh every time,
the others are kept while their raw fields are unchanged (calculator.compensation).
"""
from calculator.rules import (area_replacement, assessed, bracket, bracket_increment, decorated_rate,
                              not_compensated, per_metre, prorated_rate, share_of_host, staged, unit_rate)

KINDS = {module.KIND: module for module in (
    unit_rate, prorated_rate, decorated_rate, share_of_host, bracket, bracket_increment,
    per_metre, staged, assessed, not_compensated, area_replacement)}
