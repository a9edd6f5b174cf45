"""The header's 身份证号 warning, which never blocks (the check digit itself: tests/test_idcard.py)."""
from __future__ import annotations

from driver import type_text


def test_header_warns_but_keeps_the_number(qtbot, ws):
    field = ws.header.edits[("household", "id_number")]
    field.setFocus()
    type_text(qtbot, field, "142329196805120318")
    assert ws.session.case.household["id_number"] == "142329196805120318"   # recorded as typed
    assert "末位应为 7" in ws.header.id_warning.text()
    field.selectAll()
    type_text(qtbot, field, "142329196805120317")
    assert ws.header.id_warning.text() == ""
