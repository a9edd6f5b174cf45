"""台账 on a PostgreSQL server: opened through 连接服务器, live as other clients change it, clear when the
connection breaks, and never keeping a password."""
from __future__ import annotations

from pathlib import Path

import pytest

from calculator.app import ledger_actions
from calculator.app.ledger_actions import ProjectFile, create_project
from calculator.store import PasswordNeeded, Status, open_store, server_label
from driver import type_cell
from households import HEADS, fill_project, variant
from test_ui_ledger import given, ledger, project_file  # noqa: F401 - the ledger's faked dialogs and file project
from ui import settings as config
from ui.ledger import dialogs
from ui.household.items_model import COL_QUANTITY

LIVE_WAIT_MS = 2000  # a change by another client shows within this


@pytest.fixture
def server(pg_url):
    """A server project of five computed households and one without a case (as the file tests use)."""
    opened = create_project(pg_url, "堡子片区", "")
    fill_project(opened.store, opened.project.id)
    opened.close()
    return pg_url


@pytest.fixture
def asked_server(monkeypatch, given):
    """The 连接服务器 and password questions answered by the test: given.server, given.passwords."""
    given.server, given.passwords = None, []

    def ask_server(parent, recent):
        given.asked.append(f"server:{'|'.join(recent)}")
        return given.server

    def ask_password(parent, label, refused=False):
        given.asked.append(f"password:{label}:{'refused' if refused else 'first'}")
        return given.passwords.pop(0) if given.passwords else None

    monkeypatch.setattr(dialogs, "ask_server", ask_server)
    monkeypatch.setattr(dialogs, "ask_password", ask_password)
    return given


def ledger_tab(window):
    titles = [window.tabs.bar.tabText(i) for i in range(window.tabs.count())]
    window.tabs.setCurrentIndex(titles.index("台账"))
    return window.ledger


def numbers(ledger) -> list[str]:
    ledger.model.fetch_all()
    return [ledger.model.row(row).number for row in range(ledger.model.rowCount())]


@pytest.fixture
def opened(window, settings, asked_server, server):
    """The main window with the server project opened in the 台账 through the 连接服务器 dialog."""
    settings.set(config.ASSESSOR_NAME, "李明")
    ledger = ledger_tab(window)
    asked_server.server = server
    assert ledger.open_server()
    yield ledger
    ledger.shutdown()


def test_a_server_project_opens_through_the_dialog_and_is_remembered_without_a_password(
        opened, settings, server, asked_server, tmp_path):
    assert opened.project.on_server and opened.project.path is None
    assert numbers(opened) == ["0001", "0002", "0003", "0004", "0005", "0099"]
    assert opened.path_label.text() == server_label(server) == server.split("://", 1)[1]
    assert "@127.0.0.1:" in opened.path_label.text()
    assert settings.get(config.RECENT_SERVERS) == [server] and settings.get(config.LAST_PROJECT) == server
    assert asked_server.asked[0] == "server:"  # no recent server the first time
    assert not [a for a in asked_server.asked if a.startswith("password")]  # libpq needed none (trust)
    settings.sync()
    assert "password" not in (tmp_path / "settings.ini").read_text(encoding="utf-8").lower()


def test_the_last_server_project_reopens_at_start(qtbot, settings, given, server):
    from test_ui_ledger import make_workspace
    settings.set(config.LAST_PROJECT, server)
    settings.set(config.ASSESSOR_NAME, "李明")
    ledger = make_workspace(qtbot, settings)
    qtbot.waitUntil(lambda: ledger.project is not None)
    assert ledger.project.location == server and numbers(ledger)[0] == "0001"
    ledger.shutdown()


def test_a_password_is_asked_when_libpq_finds_none_and_kept_for_the_session_only(
        qtbot, window, settings, asked_server, server, monkeypatch, tmp_path):
    """The test cluster trusts every role, so the server's demand is played by wrapping open_project."""
    real = ledger_actions.open_project
    tried = []

    def needs_password(location, actor="", *, password=None):
        tried.append(password)
        if password != "口令 s3cret":
            raise PasswordNeeded("服务器要求输入密码", "password needed", str(location))
        return real(location, actor, password=password)

    monkeypatch.setattr(ledger_actions, "open_project", needs_password)
    settings.set(config.ASSESSOR_NAME, "李明")
    ledger = ledger_tab(window)
    asked_server.server, asked_server.passwords = server, ["wrong", "口令 s3cret"]
    assert ledger.open_server()
    assert tried == [None, "wrong", "口令 s3cret"]
    label = server_label(server)
    assert [a for a in asked_server.asked if a.startswith("password")] == [
        f"password:{label}:first", f"password:{label}:refused"]
    assert ledger.reconnect()  # the same session: the password is not asked again
    assert tried[-1] == "口令 s3cret" and len([a for a in asked_server.asked if a.startswith("password")]) == 2
    settings.sync()
    text = (tmp_path / "settings.ini").read_text(encoding="utf-8")
    assert "s3cret" not in text and "password" not in text.lower()
    ledger.shutdown()


def test_a_server_household_recovered_after_a_crash_asks_its_password_once(
        qtbot, window, settings, asked_server, server, monkeypatch):
    """The recovery opens the household's project in the 台账, which it builds; the 台账 shown for the first time
    reopens the last project once the events go round — and they go round inside the password's box (modal, as
    the fake here plays it): the last project, the same server, asked its password a second time."""
    from PySide6.QtWidgets import QApplication
    real = ledger_actions.open_project

    def needs_password(location, actor="", *, password=None):
        if password != "口令 s3cret":
            raise PasswordNeeded("服务器要求输入密码", "password needed", str(location))
        return real(location, actor, password=password)

    def ask_password(parent, label, refused=False):
        asked_server.asked.append(f"password:{label}")
        QApplication.processEvents()   # what a modal box's own event loop runs
        return "口令 s3cret"

    monkeypatch.setattr(ledger_actions, "open_project", needs_password)
    monkeypatch.setattr(dialogs, "ask_password", ask_password)
    settings.set(config.ASSESSOR_NAME, "李明")
    settings.set(config.LAST_PROJECT, server)
    assert window._show_project(server)
    assert asked_server.asked == [f"password:{server_label(server)}"]
    assert window.ledger.project.location == server and numbers(window.ledger)[0] == "0001"
    window.ledger.shutdown()


def test_the_server_dialog_offers_recent_servers_and_builds_the_url(qtbot, server):
    from ui.ledger.dialogs import ServerDialog
    dialog = ServerDialog(None, [server])
    qtbot.addWidget(dialog)
    assert dialog.recent.count() == 2 and dialog.recent.currentIndex() == 1
    assert dialog.host.text() == "127.0.0.1" and dialog.url() == server
    dialog.recent.setCurrentIndex(0)
    dialog.host.setText("db.example")
    dialog.port.setText("abc")
    dialog._accept()
    assert "端口" in dialog.error.text() and dialog.result() == 0


def test_another_clients_change_shows_in_the_open_ledger_within_a_second(qtbot, opened, server):
    with open_store(server) as other:
        project = other.projects()[0]
        other.add_household(project.id, "0100", "新登记户", "堡子村西街1号")
        qtbot.waitUntil(lambda: "0100" in numbers(opened), timeout=LIVE_WAIT_MS)


def test_the_open_household_says_someone_else_saved_before_its_owner_saves(qtbot, window, ws, opened, server):
    household_id = opened.project.store.find_household(opened.project.project.id, "0001").id
    assert opened.select_household(household_id)
    opened.open_selected()
    assert ws.stored is not None and ws.stored.household.id == household_id
    type_cell(qtbot, ws, 0, COL_QUANTITY, "31")
    assert ws.is_modified() and not ws.news_banner.isVisible()
    with open_store(server) as other:
        ProjectFile(other, other.projects()[0], server).save_case("0001", variant(7), base_version=1)
        who = other.role
    qtbot.waitUntil(ws.news_banner.isVisible, timeout=LIVE_WAIT_MS)
    assert who in ws.news_banner.text() and "第2版" in ws.news_banner.text()
    assert ws.is_modified()  # what was typed is untouched
    assert not ws.save()  # and the store still refuses the save, naming the conflict
    assert ws.is_modified()


def test_connection_loss_is_said_clearly_and_the_typed_case_stays(qtbot, window, ws, opened, server, pg_cluster,
                                                                   asked_server, answers):
    household_id = opened.project.store.find_household(opened.project.project.id, "0004").id
    assert opened.select_household(household_id)
    opened.open_selected()
    type_cell(qtbot, ws, 0, COL_QUANTITY, "33")
    typed = ws.session.document.to_json()
    pid = opened.project.store._raw.info.backend_pid
    with pg_cluster.superuser() as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
    said = []
    ws.window().statusBar().messageChanged.connect(said.append)
    qtbot.waitUntil(lambda: opened.lost, timeout=LIVE_WAIT_MS)
    # 补偿测算 in use: no box over it to take what is typed there (a quantity's 9 went into one, Enter closed it unread)
    assert not asked_server.errors and "重新连接" in said[-1]
    assert not opened.notice.isHidden() and not opened.reconnect_button.isHidden()  # (the 台账 tab is behind)
    assert "连接已中断" in opened.notice.text() and "重新连接" in opened.notice.text()
    assert ws.news_banner.isVisible() and "自动保存" in ws.news_banner.text()
    assert ws.is_modified() and ws.session.document.to_json() == typed  # nothing typed is lost
    assert ws.recovery is not None and Path(ws.recovery.path).is_file()  # and it is in the autosave
    # back on the network: reconnect, and the typed case saves to the same household as a new version
    assert opened.reconnect()
    assert not opened.lost and opened.reconnect_button.isHidden()
    assert opened.selected_ids() == [household_id]   # the household chosen in the 台账 is still chosen
    assert ws.stored.store is opened.project.store and ws.is_modified()
    assert ws.save()
    assert opened.project.store.current_version(household_id).number == 2
    assert opened.project.store.household(household_id).status is Status.COMPUTED


def test_a_project_file_changed_by_another_program_shows_too(qtbot, ledger, project_file):
    """A file has no NOTIFY: SQLite's data_version (it moves when another connection commits) is polled."""
    from calculator.store import SqliteStore
    with SqliteStore(project_file[0], actor="王芳") as other:
        other.add_household(other.projects()[0].id, "0100", "新登记户", "堡子村西街1号")
    qtbot.waitUntil(lambda: "0100" in numbers(ledger), timeout=LIVE_WAIT_MS)
    assert not ledger.check_changes()  # seen once, not again


def test_backup_and_restore_work_on_a_server_project(opened, asked_server, tmp_path):
    """The backup is an SQLite project file; the restore's safety copy goes beside the backup restored from."""
    backup = tmp_path / "堡子片区-备份.landcomp"
    asked_server.save_path = str(backup)
    assert opened.backup_project() and backup.is_file()
    store = opened.project.store
    store.add_household(opened.project.project.id, "0100", "备份后登记", "")
    asked_server.open_path, asked_server.restore = str(backup), True
    assert opened.restore_project()
    assert "0100" not in numbers(opened)
    safety = list(tmp_path.glob("堡子片区-恢复前-*.landcomp"))
    assert len(safety) == 1 and safety[0].name in asked_server.infos[-1][1]


def test_a_server_project_records_its_role_and_never_asks_for_a_name_it_would_not_record(
        qtbot, window, settings, asked_server, server, monkeypatch):
    """On a server project the app asked for a 经办人 name, said every change records it, showed it, and the history
    named only the database role: where several people share one role, the office believed it knew who did what."""
    from ui.ledger import dialogs
    ledger = ledger_tab(window)
    asked_server.server = server
    asked = []
    monkeypatch.setattr(dialogs, "ask_assessor_name", lambda parent, current="": asked.append(current) or "李明")
    assert ledger.open_server()
    try:
        role = ledger.project.store.role
        assert ledger.actor() == role and asked == []
        assert ledger.assessor_button.text() == f"经办人:{role}(数据库角色)" and not ledger.assessor_button.isEnabled()
    finally:
        ledger.shutdown()


def test_a_role_that_saves_no_cases_opens_a_household_to_view_only(qtbot, window, server):
    """A reviewer opened a household from the 台账, edited it with no sign it could not be saved, and Ctrl+S said
    only "permission denied for table case_versions"."""
    from pgcluster import REVIEWER, url_as
    with open_store(server) as owner:
        owner.grant(REVIEWER, "reviewer")
    store = open_store(url_as(server, REVIEWER))
    try:
        project = store.projects()[0]
        household = store.find_household(project.id, "0001")
        assert window.household.open_stored(store, household.id)
        ws = window.household
        assert ws.session.read_only and not ws.session.edit({("household", "head"): "别人"})
        assert ws.lock_banner.isVisible() or ws.lock_banner.isVisibleTo(window)
        assert "所用数据库角色不能保存测算" in ws.stored.lock_notice
        signed = store.find_household(project.id, "0002")   # 更正 a signed case is the assessors' too
        assert window.household.open_stored(store, signed.id) and ws.session.read_only
        assert not ws.start_amendment() and ws.session.read_only
    finally:
        window.household.release_store()
        store.close()


def test_typing_of_its_own_over_a_household_signed_while_the_connection_was_down_is_not_shown_as_the_signed_one(
        qtbot, window, ws, opened, server, pg_cluster, asked_server, monkeypatch):
    """Typed into, signed by a reviewer, the connection broken and made again: the yellow 此户已签字(第1版),只能查看 stood
    over the unsaved figures (683,100.54 shown as the signed 687,295.74). The typing stays against the household as it
    was opened: the red banner says it was signed, and its save is refused."""
    from pgcluster import REVIEWER, url_as
    household_id = opened.project.store.find_household(opened.project.project.id, "0004").id
    assert opened.select_household(household_id)
    opened.open_selected()
    type_cell(qtbot, ws, 0, COL_QUANTITY, "33")
    with open_store(server) as owner:
        owner.grant(REVIEWER, "reviewer")
    with open_store(url_as(server, REVIEWER)) as reviewer:
        reviewer.sign(household_id)
    qtbot.waitUntil(ws.news_banner.isVisible, timeout=LIVE_WAIT_MS)
    with pg_cluster.superuser() as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (opened.project.store._raw.info.backend_pid,))
    qtbot.waitUntil(lambda: opened.lost, timeout=LIVE_WAIT_MS)
    assert opened.reconnect()
    assert ws.is_modified() and not ws.session.read_only and ws.lock_banner.isHidden()
    assert ws.news_banner.isVisible() and "改为「已签字」" in ws.news_banner.text()
    from ui import dialogs
    asked = []
    monkeypatch.setattr(dialogs, "ask_amendment_reason", lambda parent, household, status: asked.append(status))
    assert not ws.save() and asked == ["已签字"]   # saved only as an amendment with a reason (cancelled here)
    assert opened.project.store.current_version(household_id).number == 1
    ws.session.stack.setClean()

