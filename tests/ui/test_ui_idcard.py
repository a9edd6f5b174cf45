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


def test_a_number_typed_in_full_width_is_kept_in_ascii(qtbot, ws):
    """A Chinese input method in full-width mode types １４２３…: the field and the case hold 1423… (a sheet, the
    ledger and the check for a family registered twice read one number), and the number is checked as typed."""
    for path, typed, held in ((("household", "id_number"), "１４２３２９１９６８０５１２０３１８", "142329196805120318"),
                              (("household", "phone"), "１３８３５８１２３４５", "13835812345")):
        field = ws.header.edits[path]
        field.setFocus()
        type_text(qtbot, field, typed)
        assert field.text() == ws.session.case.household[path[1]] == held
    assert "末位应为 7" in ws.header.id_warning.text()
