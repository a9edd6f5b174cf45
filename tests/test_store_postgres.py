"""What only a server project has: its schema, the URL, roles enforced by the server, NOTIFY, moving by backup."""
from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from calculator.engine.compensation import compute
from calculator.store import (RoleRefused, ServerUnreachable, SqliteStore, Status, StoreError, ledger_totals,
                              open_store)
from calculator.store import pg_schema
from calculator.store.integrity import entry_hash
from households import fill_project, variant
from pgcluster import ASSESSOR, FINANCE, OUTSIDER, OWNER, REVIEWER, tamper, url_as

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def server(pg_url):
    with open_store(pg_url, actor="李明") as opened:
        yield opened


@pytest.fixture
def staffed(server, pg_url):
    """A filled project whose assessor, reviewer and finance roles have their parts; returns (project, stores)."""
    project = server.create_project("堡子片区")
    fill_project(server, project.id)
    for role, part in ((ASSESSOR, "assessor"), (REVIEWER, "reviewer"), (FINANCE, "finance")):
        server.grant(role, part)
    stores = {role: open_store(url_as(pg_url, role)) for role in (ASSESSOR, REVIEWER, FINANCE)}
    yield project, stores
    for opened in stores.values():
        opened.close()


def hid(store, project, number):
    return store.find_household(project.id, number).id


# -- schema and opening ------------------------------------------------------------------------

def test_opening_an_empty_database_writes_nothing_there_so_its_owner_can_still_create_the_project(pg_cluster):
    database = pg_cluster.new_database(empty=True)
    with pg_cluster.superuser(database) as admin:
        admin.execute(f"GRANT CREATE ON DATABASE {database} TO {ASSESSOR}")  # an assessor who could make a schema
    with pytest.raises(StoreError, match="holds no project"):
        open_store(url_as(pg_cluster.url(database), ASSESSOR))   # `ledger list` of a database not set up yet
    with pg_cluster.superuser(database) as admin:
        assert admin.execute("SELECT to_regnamespace('landcomp')").fetchone()[0] is None
    with open_store(pg_cluster.url(database), create=True) as store:   # what `ledger create` opens
        assert store.members() == {OWNER: "admin"}


def test_creating_on_an_empty_database_writes_the_schema_and_its_creator_is_admin(pg_cluster):
    url = pg_cluster.url(pg_cluster.new_database(empty=True))
    with open_store(url, create=True) as store:
        assert store.members() == {OWNER: "admin"}
        assert pg_schema.schema_version(store._conn) == pg_schema.SCHEMA_VERSION
        assert store.create_project("堡子片区").name == "堡子片区"


def test_money_columns_are_decimal_text_and_refuse_anything_else(server, pg_url):
    household = server.add_household(server.create_project("堡子片区").id, "0001")
    server.save_computed(household.id, compute(variant(0)))
    types = server._conn.execute("""SELECT data_type FROM information_schema.columns WHERE table_schema = 'landcomp'
        AND table_name = 'case_versions' AND column_name IN ('total', 'incentive', 'replacement_m2',
        'building_area_m2')""").fetchall()
    assert [t for (t,) in types] == ["text"] * 4
    with pytest.raises(psycopg.errors.CheckViolation):
        tamper(pg_url, "UPDATE case_versions SET total = 'about 5000'")


def test_a_schema_newer_than_the_program_is_refused_at_connect(server, pg_url):
    server._conn.execute("UPDATE schema_info SET version = ?", (pg_schema.SCHEMA_VERSION + 1,))
    with pytest.raises(StoreError, match="newer"):
        open_store(pg_url)


@pytest.mark.parametrize("url", ["postgresql://u:secret@127.0.0.1:5432/db", "postgresql://u@127.0.0.1/db?password=x"])
def test_a_url_with_a_password_is_refused_before_any_connection(url):
    with pytest.raises(StoreError, match="PGPASSWORD") as refused:
        open_store(url)
    assert "secret" not in refused.value.message and "密码" in refused.value.zh


@pytest.mark.parametrize("server_said, typed, zh", [
    ("fe_sendauth: no password supplied", None, "服务器要求输入密码"),
    ('password authentication failed for user "a1"', None, "密码不正确"),   # PGPASSWORD or ~/.pgpass, wrong
    ('password authentication failed for user "a1"', "typed", "密码不正确")])
def test_a_password_refused_is_said_wrong_not_missing(monkeypatch, server_said, typed, zh):
    """A wrong password from PGPASSWORD was said as one the server asks for (服务器要求输入密码)."""
    from calculator.store import PasswordNeeded, postgres

    def refuse(*args, **kwargs):
        raise psycopg.OperationalError(server_said)

    monkeypatch.setattr(postgres.psycopg, "connect", refuse)
    with pytest.raises(PasswordNeeded) as refused:
        postgres.connect("postgresql://a1@127.0.0.1:5432/db", typed)
    assert refused.value.zh.startswith(zh)


def test_a_url_without_a_database_or_a_server_that_does_not_answer_is_a_store_error(pg_cluster):
    with pytest.raises(StoreError, match="database"):
        open_store("postgresql://u@127.0.0.1:5432")
    with pytest.raises(ServerUnreachable, match="cannot connect"):
        open_store(f"postgresql://{OWNER}@127.0.0.1:1/nothing")


def test_a_database_the_server_does_not_have_is_input_to_mend_not_a_server_to_try_again(pg_url):
    """It was ServerUnreachable (exit 1, "try again") saying only 无法连接数据库服务器 in Chinese."""
    with pytest.raises(StoreError) as missing:
        open_store(pg_url.rsplit("/", 1)[0] + "/no_such_db")
    assert not isinstance(missing.value, ServerUnreachable)
    assert missing.value.zh.startswith("服务器上没有名为「no_such_db」的数据库")


def test_a_database_not_encoded_utf8_is_refused_before_anything_is_written(pg_cluster):
    """A database made on a server set up under the C locale is SQL_ASCII: psycopg hands its text back as bytes, and
    `ledger create` ended in 内部错误 / internal error: TypeError: Object of type bytes is not JSON serializable."""
    name = f"ascii_{pg_cluster.new_database(empty=True)}"
    with pg_cluster.superuser() as conn:
        conn.execute(f"CREATE DATABASE {name} OWNER {OWNER} ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' "
                     "TEMPLATE template0")
    with pytest.raises(StoreError) as refused:
        open_store(pg_cluster.url(name), create=True)
    assert not isinstance(refused.value, ServerUnreachable)   # input to mend (exit 2), not a server to try again
    assert refused.value.zh.startswith(f"数据库「{name}」的字符编码为 SQL_ASCII,台账需要 UTF8 编码的数据库")
    with pg_cluster.superuser(name) as admin:
        assert admin.execute("SELECT to_regnamespace('landcomp')").fetchone()[0] is None   # nothing written


@pytest.mark.parametrize("client", ["SQL_ASCII", "LATIN1"])
def test_a_client_encoding_set_for_psql_does_not_reach_the_project(pg_cluster, monkeypatch, client):
    """PGCLIENTENCODING=SQL_ASCII on an office PC (for psql) made `ledger create` end in 内部错误: TypeError (text
    came back as bytes); LATIN1 in UnicodeEncodeError."""
    monkeypatch.setenv("PGCLIENTENCODING", client)
    with open_store(pg_cluster.url(pg_cluster.new_database(empty=True)), create=True) as store:
        project = store.create_project("堡子片区")
        store.add_household(project.id, "001", "王建国", "堡子村东街17号")
        assert [(row.number, row.head) for row in store.ledger(project.id)] == [("001", "王建国")]


def test_a_lost_connection_is_a_store_error(server, pg_cluster, pg_url):
    project = server.create_project("堡子片区")
    with pg_cluster.superuser() as admin:
        admin.execute("SELECT pg_terminate_backend(?)".replace("?", "%s"), (server._raw.info.backend_pid,))
    with pytest.raises(ServerUnreachable, match="connection") as lost:
        server.ledger(project.id)
    assert "连接中断" in lost.value.zh and "是否已保存无法确定" not in lost.value.zh


def test_a_change_tried_on_a_lost_connection_is_said_unsaved_one_lost_at_its_commit_unknown(server, pg_cluster):
    """Every failure after the connection was lost said that whether the change was saved was unknown, a payment's
    too, though nothing had reached the server: only a connection lost at the commit leaves it unknown."""
    project = server.create_project("堡子片区")
    with pg_cluster.superuser() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (server._raw.info.backend_pid,))
    with pytest.raises(ServerUnreachable) as lost:
        server.add_household(project.id, "0001")
    assert "修改未保存" in lost.value.zh and "no change was saved" in lost.value.en


def test_a_read_lost_after_a_change_committed_never_says_the_change_was_not_saved(server, pg_cluster, monkeypatch):
    """A signature committed, the connection lost as the household was read back: 此次操作未完成(修改未保存), and the
    history held 签字 (a payment too: paying again was then refused as 已支付; a clerk's)."""
    project = server.create_project("堡子片区")
    household = server.add_household(project.id, "0001")
    server.save_computed(household.id, compute(variant(0)))
    read_back = server.household

    def lost_after_the_commit(household_id):
        with pg_cluster.superuser() as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (server._raw.info.backend_pid,))
        return read_back(household_id)

    monkeypatch.setattr(server, "household", lost_after_the_commit)
    with pytest.raises(ServerUnreachable) as lost:
        server.sign(household.id)
    assert lost.value.zh.startswith("此次修改已保存,但随后与数据库服务器的连接中断") and "未保存" not in lost.value.zh
    assert lost.value.en.startswith("the change was saved, and then") and "no change was saved" not in lost.value.en
    with open_store(server.path) as other:
        assert other.household(household.id).status is Status.SIGNED


def saved_then_lost(server, pg_cluster) -> int:
    """The example case saved as `ledger save` saves it (committed as its batch ends), then the connection lost: the
    household's id."""
    from calculator.app.ledger_actions import ProjectFile
    from calculator.engine.case import case_from_json
    project = ProjectFile(server, server.create_project("堡子片区"), server.path)
    case = case_from_json((ROOT / "examples" / "household.json").read_text(encoding="utf-8"))
    version = project.save_case("0001", case)
    with pg_cluster.superuser() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (server._raw.info.backend_pid,))
    return version.household_id


def test_a_save_committed_and_read_back_on_a_lost_connection_is_said_saved(server, pg_cluster):
    """`ledger save` landed its version, then lost the connection reading the household back: exit 1,
    此次操作未完成(修改未保存), and a retry without --base-version saved it twice."""
    household_id = saved_then_lost(server, pg_cluster)
    with pytest.raises(ServerUnreachable) as lost:
        server.household(household_id)
    assert lost.value.zh.startswith("此次修改已保存,但随后与数据库服务器的连接中断")


def test_a_change_after_a_save_lost_on_its_connection_is_said_not_saved(server, pg_cluster):
    """A save committed, then a signature tried on a connection lost meanwhile: said 此次修改已保存 — a clerk told a
    signature landed that had not (the save's commit was still taken for the signature's)."""
    household_id = saved_then_lost(server, pg_cluster)
    with pytest.raises(ServerUnreachable) as lost:
        server.sign(household_id)
    assert "修改未保存" in lost.value.zh and "已保存," not in lost.value.zh


def test_a_connection_lost_at_the_commit_leaves_it_unknown_whether_the_change_landed(pg_url, pg_cluster):
    with open_store(pg_url, actor="李明") as store:
        project = store.create_project("堡子片区")
        with pytest.raises(ServerUnreachable) as lost:
            with store._transaction() as conn:
                conn.execute("INSERT INTO households (project_id, number, updated_at) VALUES (?, '0001', 'now')",
                             (project.id,))
                with pg_cluster.superuser() as admin:
                    admin.execute("SELECT pg_terminate_backend(%s)", (store._raw.info.backend_pid,))
        assert "修改是否已保存无法确定" in lost.value.zh and "whether it was saved is unknown" in lost.value.en


# -- who did it ---------------------------------------------------------------------------------

def test_the_audit_log_names_the_database_role_never_a_typed_name(staffed):
    project, stores = staffed
    household_id = hid(stores[ASSESSOR], project, "0001")
    stores[ASSESSOR].save_computed(household_id, compute(variant(0)), actor="冒名者")
    stores[REVIEWER].sign(household_id, actor="冒名者")
    stores[FINANCE].pay([household_id], batch="第2批")
    log = stores[FINANCE].audit_log(household_id=household_id)
    assert [(e.action, e.actor) for e in log][-3:] == [("save_computed", ASSESSOR), ("sign", REVIEWER), ("pay", FINANCE)]
    assert stores[FINANCE].household(household_id).updated_by == FINANCE
    assert stores[FINANCE].current_version(household_id).actor == ASSESSOR


# -- roles, enforced by the server --------------------------------------------------------------

def test_each_role_does_its_own_part_and_nothing_else_through_the_client(staffed):
    project, stores = staffed
    household_id = hid(stores[ASSESSOR], project, "0001")
    with pytest.raises(RoleRefused) as refused:
        stores[REVIEWER].save_computed(household_id, compute(variant(1)))
    # said as who does what, the server's own words last ("permission denied for table case_versions" was all)
    assert refused.value.zh.startswith("所用数据库角色无权进行此操作:评估人员保存测算") and "服务器原文" in refused.value.zh
    with pytest.raises(RoleRefused):
        stores[ASSESSOR].sign(household_id)
    stores[REVIEWER].sign(household_id)
    for role in (ASSESSOR, REVIEWER):
        with pytest.raises(RoleRefused):
            stores[role].pay([household_id], batch="第2批")
    assert stores[FINANCE].pay([household_id], batch="第2批")[0].status is Status.PAID
    with pytest.raises(RoleRefused, match="grant"):
        stores[FINANCE].grant(ASSESSOR, "admin")


def test_an_assessor_calling_the_sql_directly_still_cannot_pay_or_sign(staffed, pg_url):
    """A client modified to skip every check: the server refuses the status change itself."""
    project, stores = staffed
    signed = hid(stores[ASSESSOR], project, "0002")
    computed = hid(stores[ASSESSOR], project, "0001")
    with psycopg.connect(url_as(pg_url, ASSESSOR), autocommit=True, options="-c search_path=landcomp") as raw:
        for statement, household_id in (
                ("UPDATE households SET status = 'paid', updated_by = current_user WHERE id = %s", signed),
                ("UPDATE households SET status = 'signed', signed_version_id = current_version_id, "
                 "updated_by = current_user WHERE id = %s", computed),
                ("UPDATE households SET status = 'paid', updated_by = current_user WHERE id = %s", computed)):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                raw.execute(statement, (household_id,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # in someone else's name
            raw.execute("INSERT INTO audit (id, at, actor, action) VALUES (9999, 'now', 'landcomp_owner', 'pay')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            raw.execute("INSERT INTO members VALUES (current_user, 'finance')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            raw.execute("SELECT grant_role(current_user, 'finance')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            raw.execute("DELETE FROM audit")
    assert stores[FINANCE].household(signed).status is Status.SIGNED
    assert stores[FINANCE].household(computed).status is Status.COMPUTED
    assert stores[FINANCE].verify_all() == []


def test_an_assessor_calling_the_sql_directly_cannot_reopen_repoint_or_add_to_a_settled_household(staffed, pg_url):
    """Through psql an assessor could set a signed household back to 已测算 with no new version and no reason (it could
    then never be paid), point one household at another's version, and add a version under a paid household (served
    by `show --version 2`, never flagged). The server refuses each; its client's own ways still pass."""
    project, stores = staffed
    signed, computed, paid = (hid(stores[ASSESSOR], project, number) for number in ("0002", "0001", "0003"))
    other_version = stores[ASSESSOR].current_version(hid(stores[ASSESSOR], project, "0004")).id
    case_json = stores[ASSESSOR].current_version(paid).case_json
    with psycopg.connect(url_as(pg_url, ASSESSOR), autocommit=True, options="-c search_path=landcomp") as raw:
        for statement, args in (
                ("UPDATE households SET status = 'computed', updated_by = current_user WHERE id = %s", (signed,)),
                ("UPDATE households SET current_version_id = %s, updated_by = current_user WHERE id = %s",
                 (other_version, computed)),
                ("INSERT INTO case_versions (household_id, number, case_json, created_at, actor) "
                 "VALUES (%s, 2, %s, 'now', current_user)", (paid, case_json)),
                ("INSERT INTO case_versions (household_id, number, case_json, created_at, actor) "
                 "VALUES (%s, 9, %s, 'now', current_user)", (computed, case_json))):   # never made current
            with pytest.raises((psycopg.errors.InsufficientPrivilege, psycopg.errors.RaiseException)):
                raw.execute(statement, args)
    assert [stores[FINANCE].household(h).status for h in (signed, computed, paid)] == [
        Status.SIGNED, Status.COMPUTED, Status.PAID]
    assert [v.number for v in stores[FINANCE].versions(paid)] == [1] and stores[FINANCE].verify_all() == []
    amended = stores[ASSESSOR].save_computed(signed, compute(variant(7)), amendment_reason="复核更正")   # the client's way
    assert stores[FINANCE].household(signed).status is Status.COMPUTED and amended.number == 2


def test_an_audit_entry_a_member_writes_must_be_the_chains_next(staffed, pg_url):
    """An assessor's own INSERT of an entry numbered 9223372036854775807 left no number for the next: every later save,
    sign, pay, backup and an admin's restore failed with "bigint out of range". The server takes from a member only
    the chain's next entry with the hash that follows; the client's own entries still land."""
    project, stores = staffed
    computed = hid(stores[ASSESSOR], project, "0001")
    last_id, last_hash = stores[ASSESSOR]._conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    entry = {"id": last_id + 1, "at": "2026-11-30T17:30:00+00:00", "actor": ASSESSOR, "action": "backup",
             "project_id": None, "household_id": computed, "version_id": None, "detail": "{}", "version_digest": None}
    insert = "INSERT INTO audit (id, at, actor, action, household_id, detail, hash) VALUES (%s, %s, %s, %s, %s, %s, %s)"
    with psycopg.connect(url_as(pg_url, ASSESSOR), autocommit=True, options="-c search_path=landcomp") as raw:
        for number, hash_ in ((9223372036854775807, None), (last_id + 1, None), (last_id + 1, "0" * 64),
                              (last_id + 2, entry_hash(last_hash, {**entry, "id": last_id + 2}))):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="not the next of the chain"):
                raw.execute(insert, (number, entry["at"], ASSESSOR, "backup", computed, "{}", hash_))
    assert stores[FINANCE].verify_all() == []
    stores[ASSESSOR].save_computed(computed, compute(variant(3)))            # the client's way still lands
    stores[REVIEWER].sign(computed)
    assert stores[FINANCE].pay([computed], batch="第3批")[0].status is Status.PAID
    assert stores[FINANCE].verify_all() == []


TEXTS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(previous=st.sampled_from(["", "ab" * 32]), at=TEXTS, actor=TEXTS, action=TEXTS, detail=TEXTS,
       numbers=st.tuples(*[st.none() | st.integers(1, 2**63 - 1)] * 3), digest=st.none() | TEXTS)
@example(previous="", at='"\\/\b\f\n\r\t\x01\x1f\x7f', actor="李明", action="pay", detail='{"batch": "第2批😀\u2028"}',
         numbers=(1, None, 2**63 - 1), digest=None)
def test_the_servers_hash_of_an_entry_is_the_programs(server, previous, at, actor, action, detail, numbers, digest):
    """The server checks a member's entry by its own SHA-256 of it: one character escaped otherwise (a quote, a
    backslash, a control character, 中文, an emoji) and every save on the server would be refused."""
    entry = {"id": 7, "at": at, "actor": actor, "action": action, "project_id": numbers[0],
             "household_id": numbers[1], "version_id": numbers[2], "detail": detail, "version_digest": digest}
    row = "ROW(?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)::audit"
    (hashed,) = server._conn.execute(f"SELECT entry_hash(?, {row})", (previous, *entry.values())).fetchone()
    assert hashed == entry_hash(previous, entry)


def test_a_temporary_table_named_as_the_servers_own_never_stands_in_for_it(staffed, pg_url):
    """A reviewer's own TEMP table `members`, listing itself as admin, was read by the server's role checks (the
    functions searched pg_temp first): it paid 0002, and signed and paid in other roles' names, with nothing flagged.
    The checks read landcomp's tables alone; a signed household stays unpaid, the audit log as it was."""
    project, stores = staffed
    signed = hid(stores[ASSESSOR], project, "0002")
    entries = len(stores[FINANCE].audit_log())
    with psycopg.connect(url_as(pg_url, REVIEWER), autocommit=True, options="-c search_path=landcomp") as raw:
        raw.execute("CREATE TEMP TABLE members (role_name text, as_role text)")
        raw.execute("GRANT SELECT ON pg_temp.members TO PUBLIC")   # for the functions run as the schema's owner
        raw.execute("INSERT INTO pg_temp.members VALUES (current_user, 'admin'), (%s, 'admin')", (FINANCE,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            raw.execute("UPDATE households SET status = 'paid', updated_by = %s WHERE id = %s", (FINANCE, signed))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            raw.execute("UPDATE households SET status = 'paid', updated_by = current_user WHERE id = %s", (signed,))
    assert stores[FINANCE].household(signed).status is Status.SIGNED
    assert len(stores[FINANCE].audit_log()) == entries and stores[FINANCE].verify_all() == []


def test_every_function_of_the_server_searches_its_own_schema_before_a_sessions_temporary_one(server, pg_url):
    with psycopg.connect(pg_url, autocommit=True) as raw:
        settings = raw.execute("""SELECT p.proname, array_to_string(p.proconfig, ',') FROM pg_proc p
                                  JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'landcomp'""").fetchall()
    assert settings and all(config == "search_path=landcomp, pg_catalog, pg_temp" for _, config in settings), settings


def test_a_project_made_before_migration_3_is_brought_to_it_when_opened(pg_cluster):
    """A server project of schema 2 (functions searching pg_temp first): opened, its every function searches
    landcomp first, and its role checks read landcomp's `members` alone."""
    from calculator.store.postgres import Connection, connect
    url = pg_cluster.url(pg_cluster.new_database(empty=True))
    with connect(url) as raw:
        pg_schema.init_db(Connection(raw), upto=2)
        raw.execute("""DO $$ DECLARE f regprocedure; BEGIN   -- as versions before migration 3 made them
            FOR f IN SELECT p.oid FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                     WHERE n.nspname = 'landcomp' LOOP
                EXECUTE format('ALTER FUNCTION %s SET search_path = landcomp, pg_catalog', f);
            END LOOP; END $$""")
    with open_store(url) as store:
        assert pg_schema.schema_version(store._conn) == pg_schema.SCHEMA_VERSION
        configs = store._conn.execute("""SELECT DISTINCT array_to_string(p.proconfig, ',') FROM pg_proc p
                                         JOIN pg_namespace n ON n.oid = p.pronamespace
                                         WHERE n.nspname = 'landcomp'""").fetchall()
    assert configs == [("search_path=landcomp, pg_catalog, pg_temp",)]


def test_a_role_without_a_part_cannot_read_the_project(staffed, pg_url):
    with pytest.raises(StoreError):
        with open_store(url_as(pg_url, OUTSIDER)) as outsider:
            outsider.projects()


def test_an_admin_can_grant_but_not_demote_the_projects_creator(server, pg_url):
    server.grant(ASSESSOR, "admin")
    with open_store(url_as(pg_url, ASSESSOR)) as second_admin:
        second_admin.grant(FINANCE, "finance")
        with pytest.raises(RoleRefused, match="stays its admin") as refused:
            second_admin.grant(OWNER, "assessor")
        # said as what it is: an admin was told its role may not do this, and that admins may do all
        assert refused.value.zh.endswith("建立项目的数据库角色始终是项目管理员,不能改为其他职责")
        with pytest.raises(StoreError, match="no database role"):
            second_admin.grant("nobody_here", "finance")
    with pytest.raises(StoreError, match="unknown part"):
        server.grant(FINANCE, "cashier")
    assert server.members() == {ASSESSOR: "admin", FINANCE: "finance", OWNER: "admin"}
    assert [e.detail for e in server.audit_log() if e.action == "grant"][-1] == {"role": FINANCE, "granted": "finance"}


# -- live ledger --------------------------------------------------------------------------------

def test_a_change_is_announced_to_another_client_not_to_itself(server, pg_url):
    project = server.create_project("堡子片区")
    with open_store(pg_url) as other:
        assert other.wait_for_change(0) is False
        server.add_household(project.id, "0001")
        assert other.wait_for_change(10) is True
        assert other.wait_for_change(0) is False  # that news was taken
        other.add_household(project.id, "0002")
        assert other.wait_for_change(0.2) is False
        assert server.wait_for_change(10) is True
        assert [row.number for row in server.ledger(project.id)] == ["0001", "0002"]


# -- moving a project by backup and restore -----------------------------------------------------

def snapshot(store, project_id):
    """What must survive a move: totals, every version of every household, and the audit chain."""
    rows = store.ledger(project_id)
    households = [store.find_household(project_id, row.number) for row in rows]
    return (ledger_totals(rows), [(h.number, h.status, h.current_version_id, h.signed_version_id) for h in households],
            [store.versions(h.id) for h in households], store.audit_log())


def test_a_server_project_backed_up_restores_into_a_file_with_equal_totals_versions_and_audit(server, tmp_path):
    project = server.create_project("堡子片区")
    fill_project(server, project.id)
    before = snapshot(server, project.id)
    server.backup(tmp_path / "server.landcomp")
    with SqliteStore(tmp_path / "pc.landcomp", actor="李明") as pc:
        pc.restore_from(tmp_path / "server.landcomp")
        after = snapshot(pc, project.id)
        assert after[:3] == before[:3]
        assert after[3][:len(before[3])] == before[3]
        assert [e.action for e in after[3][len(before[3]):]] == ["restore"]  # the backup's entry is the server's
        assert pc.verify_all() == []


def test_a_project_file_moves_to_the_server_and_back(server, tmp_path):
    with SqliteStore(tmp_path / "pc.landcomp", actor="李明") as pc:
        project = pc.create_project("堡子片区")
        results = fill_project(pc, project.id)
        before = snapshot(pc, project.id)
        pc.backup(tmp_path / "pc-backup.landcomp")
    server.restore_from(tmp_path / "pc-backup.landcomp")
    moved = snapshot(server, project.id)
    assert moved[:3] == before[:3] and moved[3][:len(before[3])] == before[3]
    assert moved[0].total == sum(r.total for r in results[:5])
    assert server.verify_all() == []
    late = server.add_household(project.id, "0100")  # ids go on after the restored ones
    server.save_computed(late.id, compute(variant(6)))
    assert server.current_version(late.id).id > max(v.id for vs in moved[2] for v in vs)
    server.backup(tmp_path / "back.landcomp")
    with SqliteStore(tmp_path / "back.landcomp") as back:
        assert back.ledger_count(project.id) == 7 and back.verify_all() == []


def test_only_an_admin_restores_and_a_refused_restore_writes_nothing(staffed, tmp_path):
    """An assessor's restore was refused by the server only after the safety copy was made and its backup audited:
    a full copy of the project beside the backup, and an entry, at every attempt. The role is asked first."""
    project, stores = staffed
    stores[ASSESSOR].backup(tmp_path / "b.landcomp")
    entries = len(stores[ASSESSOR].audit_log())
    with pytest.raises(RoleRefused, match="only a project admin may restore"):
        stores[ASSESSOR].restore_from(tmp_path / "b.landcomp",
                                      before_replacing=lambda: pytest.fail("a safety copy made before the role was asked"))
    assert stores[ASSESSOR].ledger_count(project.id) == 6 and len(stores[ASSESSOR].audit_log()) == entries


def test_a_client_stopped_in_the_middle_of_a_change_does_not_hold_the_project_for_ever(pg_url, monkeypatch):
    """A PC frozen (or its network gone) inside a change kept the chain lock: every other user was refused as busy,
    for as long as the server's TCP keepalive took to give up (2 hours). The server now ends such a session."""
    from calculator.store import postgres
    monkeypatch.setattr(postgres, "IDLE_TRANSACTION_LIMIT", "1s")
    with open_store(pg_url, actor="李明") as frozen, open_store(pg_url, actor="王芳") as other:
        project = frozen.create_project("堡子片区")
        assert frozen._raw.execute("SHOW tcp_keepalives_idle").fetchone()[0] == "60"   # seconds
        frozen._begin()                                   # the chain lock taken, then nothing more from that PC
        household = other.add_household(project.id, "0001")   # waits (LOCK_WAIT, 5 s) until the server ends it
        assert [row.number for row in other.ledger(project.id)] == ["0001"] and household.number == "0001"
        with pytest.raises(StoreError):
            frozen.add_household(project.id, "0002")      # its session is gone: said, never taken as done


def test_a_role_without_a_part_cannot_hold_the_project_against_its_members(staffed, pg_url):
    """The chain lock every change takes was an advisory lock, which any role able to connect may take: a role with no
    part in the project held it, and every member's save, sign and payment was refused as busy for as long as it
    liked. The lock is now a row only members may lock."""
    project, stores = staffed
    with psycopg.connect(url_as(pg_url, OUTSIDER), autocommit=True) as outsider:
        outsider.execute("SELECT pg_advisory_lock(%s)", (0x4C434D50,))   # the lock versions before 6 took
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            outsider.execute("SELECT FROM landcomp.chain_lock FOR UPDATE")
        household = hid(stores[ASSESSOR], project, "0001")
        saved = stores[ASSESSOR].save_computed(household, compute(variant(7)))
        assert stores[ASSESSOR].household(household).current_version_id == saved.id


def test_members_granted_before_the_chain_lock_was_a_row_still_change_the_project(pg_cluster):
    """A project of schema 5, its assessor granted then: brought to 6 by its owner, the assessor takes the new lock."""
    from calculator.store.postgres import Connection, connect
    url = pg_cluster.url(pg_cluster.new_database(empty=True))
    with connect(url) as raw:
        pg_schema.init_db(Connection(raw), upto=5)
        raw.execute("SELECT grant_role(%s, 'assessor')", (ASSESSOR,))
    with open_store(url) as owner:
        project = owner.create_project("堡子片区")
    with open_store(url_as(url, ASSESSOR)) as member:
        household = member.add_household(project.id, "0001")
        member.save_computed(household.id, compute(variant(0)))
        assert [row.number for row in member.ledger(project.id)] == ["0001"]


def test_roles_granted_after_the_server_administrator_upgraded_the_project_change_it(pg_cluster):
    """Upgraded to 6 by the server's superuser (or a member of the owner's role), the new lock's table was theirs:
    the owner's grant_role then granted nothing on it, and every role granted afterwards was refused every change."""
    from calculator.store.postgres import Connection, connect
    url = pg_cluster.url(pg_cluster.new_database(empty=True))
    with connect(url) as raw:
        pg_schema.init_db(Connection(raw), upto=5)
    with open_store(url_as(url, "postgres")) as administrator:   # the server's administrator opens it first
        assert pg_schema.schema_version(administrator._conn) == pg_schema.SCHEMA_VERSION
    with open_store(url) as owner:
        project = owner.create_project("堡子片区")
        owner.grant(ASSESSOR, "assessor")
    with open_store(url_as(url, ASSESSOR)) as member:
        member.add_household(project.id, "0001")
        assert [row.number for row in member.ledger(project.id)] == ["0001"]


def test_a_role_without_a_part_cannot_hold_up_the_projects_upgrade(pg_cluster):
    """The migrations' advisory lock, which any role may take, held by an outsider: its owner's open waited for ever."""
    from calculator.store.postgres import Connection, connect
    url = pg_cluster.url(pg_cluster.new_database(empty=True))
    with connect(url) as raw:
        pg_schema.init_db(Connection(raw), upto=5)
    with psycopg.connect(url_as(url, OUTSIDER), autocommit=True) as outsider:
        outsider.execute("SELECT pg_advisory_lock(%s)", (pg_schema.MIGRATION_LOCK,))
        with open_store(url) as owner:
            assert pg_schema.schema_version(owner._conn) == pg_schema.SCHEMA_VERSION


def test_a_member_opening_a_project_not_yet_upgraded_is_told_who_upgrades_it(pg_cluster):
    """After a new version of the program, an assessor opening the project first was told only that the role
    "may not do this (an admin grants the rights)": only the role that created it can bring its schema up."""
    from calculator.store.postgres import Connection, connect
    url = pg_cluster.url(pg_cluster.new_database(empty=True))
    with connect(url) as raw:
        pg_schema.init_db(Connection(raw), upto=3)
        raw.execute("SELECT grant_role(%s, 'assessor')", (ASSESSOR,))
    with pytest.raises(RoleRefused, match="建立项目的数据库角色用本版程序打开一次"):
        open_store(url_as(url, ASSESSOR))
    with open_store(url):                                  # the owner opens it: brought up to date
        pass
    with open_store(url_as(url, ASSESSOR)) as member:
        assert pg_schema.schema_version(member._conn) == pg_schema.SCHEMA_VERSION


def test_a_schema_another_client_created_while_this_one_waited_is_seen(pg_cluster):
    """Two `ledger create` on one empty database: the second, having waited for the chain lock, still saw no schema
    (to_regclass answers from the catalog as its transaction first saw it) and failed creating it again, exit 1
    "relation schema_info already exists", where the project it meant to create was there."""
    from calculator.store.postgres import Connection, connect
    url = pg_cluster.url(pg_cluster.new_database(empty=True))
    with connect(url) as waiting_raw, connect(url) as first_raw:
        waiting = Connection(waiting_raw)
        waiting.execute("BEGIN")
        assert pg_schema.schema_version(waiting) == 0
        pg_schema.init_db(Connection(first_raw))          # the other client creates it meanwhile
        assert pg_schema.schema_version(waiting) == pg_schema.SCHEMA_VERSION
        waiting.execute("ROLLBACK")


def test_two_creates_at_once_on_one_database_make_one_project(pg_cluster):
    """Both of two `ledger create` at once on an empty database found no project, and each made one: the database
    then held two project records and was refused at every open as changed outside the program."""
    import threading
    from calculator.app.ledger_actions import create_project
    url = pg_cluster.url(pg_cluster.new_database(empty=True))
    outcomes, start = [], threading.Barrier(2)

    def create(name):
        start.wait()
        try:
            create_project(url, name, "").close()
            outcomes.append("made")
        except StoreError as error:
            outcomes.append(error.zh)

    threads = [threading.Thread(target=create, args=(name,)) for name in ("甲", "乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["made", "该数据库中已有项目;一个数据库只放一个项目,请另建数据库"]
    with open_store(url) as store:
        assert len(store.projects()) == 1


def test_a_change_is_recorded_at_the_servers_time_whatever_the_pcs_clock(pg_url, monkeypatch):
    """Each client wrote the audit's times by its own clock: a PC five years behind recorded a signature in 2021. (The
    time was then taken as the PC's clock plus the difference found at connect: a PC's clock set right during the
    session moved every later record by the whole correction.)"""
    import datetime as dt
    behind, real = dt.timedelta(days=5 * 365), dt.datetime

    class PcClock(dt.datetime):   # what this PC's clock says: five years behind, then set right
        wrong = True

        @classmethod
        def now(cls, tz=None):
            return real.now(tz) - (behind if cls.wrong else dt.timedelta(0))

    monkeypatch.setattr(dt, "datetime", PcClock)
    with open_store(pg_url, actor="李明") as store:
        project = store.create_project("堡子片区")
        store.add_household(project.id, "0001")
        PcClock.wrong = False
        store.add_household(project.id, "0002")
        server = store._conn.execute("SELECT now()").fetchone()[0]
        times = [dt.datetime.fromisoformat(entry.at) for entry in store.audit_log()[-2:]]
    assert all(abs(at - server) < dt.timedelta(minutes=1) and at.utcoffset() is not None for at in times), times


def test_a_backup_whose_record_may_not_have_landed_keeps_its_whole_file(server, tmp_path, monkeypatch):
    """The reply to the backup's COMMIT lost: the finished file was deleted while the history may record it."""
    from calculator.store.postgres import PostgresStore
    server.create_project("堡子片区")
    real = PostgresStore._commit

    def reply_lost(store):
        real(store)
        raise ServerUnreachable("提交时连接中断", "lost at the commit", store.path)

    monkeypatch.setattr(PostgresStore, "_commit", reply_lost)
    target = tmp_path / "b.landcomp"
    with pytest.raises(ServerUnreachable):
        server.backup(target)
    monkeypatch.undo()
    assert target.exists()
    with SqliteStore(target) as copy:
        assert [project.name for project in copy.projects()] == ["堡子片区"]


def test_no_role_changes_or_deletes_an_audit_entry_not_even_an_admin(staffed, pg_url):
    """An admin's own SQL deleted the payment's entry and set the household back to 已签字: nothing showed it, and the
    household was paid again. No role changes or deletes an entry; a restore (a whole project replaced) still works."""
    project, stores = staffed
    paid = hid(stores[FINANCE], project, "0003")
    last = stores[FINANCE]._conn.execute("SELECT max(id) FROM audit WHERE action = 'pay'").fetchone()[0]
    with psycopg.connect(url_as(pg_url, OWNER), autocommit=True, options="-c search_path=landcomp") as raw:
        for statement in ("DELETE FROM audit WHERE id = %s", "UPDATE audit SET detail = '{}' WHERE id = %s"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="the log is only added to"):
                raw.execute(statement, (last,))
    assert stores[FINANCE]._conn.execute("SELECT action FROM audit WHERE id = ?", (last,)).fetchone()[0] == "pay"
    assert stores[FINANCE].household(paid).status is Status.PAID and stores[FINANCE].verify_all() == []


def test_a_client_skipping_its_checks_cannot_save_over_a_signed_household_without_an_amendments_reason(
        staffed, monkeypatch, pg_url):
    """A client modified to take a signed household for an open one saved a version over it with no reason (history:
    保存测算, not 更正); the server refuses it, and the client's own amendment with a reason still lands."""
    project, stores = staffed
    signed = hid(stores[ASSESSOR], project, "0002")
    with monkeypatch.context() as rogue:
        rogue.setattr(Status, "locked", property(lambda status: False))
        with pytest.raises(RoleRefused):
            stores[ASSESSOR].save_computed(signed, compute(variant(7)))
    assert stores[FINANCE].household(signed).status is Status.SIGNED
    assert [v.number for v in stores[FINANCE].versions(signed)] == [1]
    # nor with a reason that shows nothing (the client's own check, limits.blank, refuses these too)
    first = stores[FINANCE].current_version(signed)
    with psycopg.connect(url_as(pg_url, ASSESSOR), options="-c search_path=landcomp") as raw:
        for reason in ("\u3000 ", "\u200b\n", "\u3164", "\u0301", "\u00ad", "\u2066\u2069", "\U000e0041"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="as an amendment"):
                raw.execute("INSERT INTO case_versions (household_id, number, case_json, created_at, actor, "
                            "amendment_reason, amends_version_id) VALUES (%s, 2, %s, 'now', current_user, %s, %s)",
                            (signed, first.case_json, reason, first.id))
            raw.rollback()
    amended = stores[ASSESSOR].save_computed(signed, compute(variant(7)), amendment_reason="复核更正")
    assert amended.number == 2 and amended.amendment_reason == "复核更正" and stores[FINANCE].verify_all() == []


def test_an_admin_granted_before_7_empties_nothing_but_by_a_restore_which_the_server_records(pg_cluster, tmp_path):
    """A project of schema 6 with a second admin granted then: brought to 7, that admin's own TRUNCATE of the audit log
    (then the entries copied back without a payment's) is refused, as any DELETE; its restore still replaces the
    project, and the server records who restored, when, and the chain replaced."""
    from calculator.store.postgres import Connection, connect
    url = pg_cluster.url(pg_cluster.new_database(empty=True))
    with connect(url) as raw:
        pg_schema.init_db(Connection(raw), upto=6)
        raw.execute("SELECT grant_role(%s, 'admin')", (OUTSIDER,))
    with open_store(url) as owner:                      # brought to 7 by its owner
        project = owner.create_project("堡子片区")
        fill_project(owner, project.id)
        owner.grant(REVIEWER, "admin")                  # an admin granted after 7 too
        owner.backup(tmp_path / "b.landcomp")
        entries, last = owner._conn.execute("SELECT count(*), (SELECT hash FROM audit ORDER BY id DESC LIMIT 1) "
                                            "FROM audit").fetchone()
    swallow = ("CREATE FUNCTION pg_temp.swallow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$; "
               "CREATE TRIGGER swallow BEFORE INSERT ON {} FOR EACH ROW EXECUTE FUNCTION pg_temp.swallow()")
    for admin_role in (OUTSIDER, REVIEWER):
        with psycopg.connect(url_as(url, admin_role), autocommit=True, options="-c search_path=landcomp") as raw:
            # an admin's own trigger swallowed the record of a restore, or another member's entry
            for statement in ("TRUNCATE audit", "TRUNCATE households CASCADE", "DELETE FROM audit",
                              "INSERT INTO restores (by_role, replaced_entries) VALUES (current_user, 0)",
                              swallow.format("restores"), swallow.format("audit")):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    raw.execute(statement)
    with open_store(url_as(url, OUTSIDER)) as admin:
        admin.restore_from(tmp_path / "b.landcomp")
        assert admin.verify_all() == [] and admin.household(hid(admin, project, "0003")).status is Status.PAID
        assert admin._conn.execute("SELECT by_role, replaced_entries, replaced_last_hash FROM restores").fetchall() == [
            (OUTSIDER, entries, last)]


def test_ctrl_c_in_the_middle_of_a_statement_is_said_as_an_interruption_and_nothing_is_kept(server, pg_url):
    """Ctrl+C landing after a statement was sent and before its result was read (an import: 3 runs in 10) left the
    connection busy, and the ROLLBACK after it failed with "another command is already in progress": the CLI said the
    connection was lost (check the network) in place of the interruption. Here the statement is sent and Ctrl+C comes
    at once, as it did there."""
    project = server.create_project("堡子片区")
    with pytest.raises(KeyboardInterrupt):
        with server.batch():
            with server._transaction():
                server.add_household(project.id, "0001")
                server._raw.pgconn.send_query(b"SELECT pg_sleep(1)")   # sent, its result not read
                raise KeyboardInterrupt
    with open_store(pg_url) as again:
        assert again.ledger(project.id) == []                      # the household added before it is undone


def test_a_project_whose_owner_has_a_name_sql_quotes_keeps_it_admin_and_restores(pg_cluster, tmp_path):
    """The owner was compared by its quoted name ("Zhang_Admin"): migration 7 took the owner's own right to empty the
    tables, every restore then failed, and the guard keeping the creator admin could be got past."""
    owner = "Zhang_Admin"
    with pg_cluster.superuser() as conn:
        conn.execute(f'CREATE ROLE "{owner}" LOGIN')
        name = pg_cluster.new_database(empty=True)
        conn.execute(f'ALTER DATABASE {name} OWNER TO "{owner}"')
    url = pg_cluster.url(name, owner)
    with open_store(url, create=True) as store:
        project = store.create_project("堡子片区")
        fill_project(store, project.id)
        store.backup(tmp_path / "b.landcomp")
        with pytest.raises(RoleRefused):
            store.grant(owner, "assessor")                     # the creator stays admin
        store.grant(owner, "admin")
        store.restore_from(tmp_path / "b.landcomp")
        assert store.verify_all() == [] and len(store.ledger(project.id)) == 6


def test_only_an_admin_ends_a_finding_and_the_server_refuses_a_members_recheck_entry(staffed, pg_url):
    """A re-check ends a 数据异常 finding: an assessor's is refused by the client and, written by hand, by the server."""
    project, stores = staffed
    paid = hid(stores[FINANCE], project, "0003")
    with pytest.raises(RoleRefused, match="重新核验"):
        stores[FINANCE].recheck(paid, "已修复")
    last_id, last_hash = stores[ASSESSOR]._conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    entry = {"id": last_id + 1, "at": "2026-12-01T07:50:00+00:00", "actor": ASSESSOR, "action": "recheck",
             "project_id": None, "household_id": paid, "version_id": None, "detail": "{}", "version_digest": None}
    with psycopg.connect(url_as(pg_url, ASSESSOR), autocommit=True, options="-c search_path=landcomp") as raw:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="'recheck' audit entry .admins write any"):
            raw.execute("INSERT INTO audit (id, at, actor, action, household_id, detail, hash) "
                        "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                        (last_id + 1, entry["at"], ASSESSOR, "recheck", paid, "{}", entry_hash(last_hash, entry)))


def test_a_members_hand_made_entry_does_not_end_a_finding(staffed, pg_url):
    """An assessor's chain-valid 'note' entry on a paid household found 数据异常 ended the finding: 已支付 again. (The server
    now refuses a 'note' from a member: a 'backup' naming the household is what one may still write by hand.)"""
    project, stores = staffed
    paid = hid(stores[FINANCE], project, "0003")
    version = stores[FINANCE].current_version(paid)
    tamper(pg_url, "UPDATE case_versions SET total = '1.00' WHERE id = ?", (version.id,))
    assert [a.number for a in stores[FINANCE].verify_all()] == ["0003"]
    tamper(pg_url, "UPDATE case_versions SET total = ? WHERE id = ?", (f"{version.total:.2f}", version.id))   # repaired:
    # what stands is the finding recorded, which the hand-made entry below must not end
    last_id, last_hash = stores[ASSESSOR]._conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    entry = {"id": last_id + 1, "at": "2026-12-01T08:00:00+00:00", "actor": ASSESSOR, "action": "backup",
             "project_id": None, "household_id": paid, "version_id": None, "detail": "{}", "version_digest": None}
    with psycopg.connect(url_as(pg_url, ASSESSOR), autocommit=True, options="-c search_path=landcomp") as raw:
        raw.execute("INSERT INTO audit (id, at, actor, action, household_id, detail, hash) VALUES (%s, %s, %s, %s, %s, "
                    "%s, %s)", (last_id + 1, entry["at"], ASSESSOR, "backup", paid, "{}", entry_hash(last_hash, entry)))
    with open_store(url_as(pg_url, FINANCE)) as fresh:
        assert [a.number for a in fresh.verify_all()] == ["0003"]


def write_by_hand(raw, action, household_id, version_id=None):
    """A chain-valid audit entry written through a role's own SQL (psql, `raw`), as the program would chain it."""
    last_id, last_hash = raw.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    entry = {"id": last_id + 1, "at": "2026-12-01T09:00:00+08:00", "actor": raw.execute("SELECT current_user").fetchone()[0],
             "action": action, "project_id": None, "household_id": household_id, "version_id": version_id,
             "detail": "{}", "version_digest": None}
    raw.execute(f"INSERT INTO audit ({', '.join(entry)}, hash) VALUES ({', '.join(['%s'] * (len(entry) + 1))})",
                (*entry.values(), entry_hash(last_hash, entry)))


def test_a_member_writes_only_the_audit_entries_of_its_part(staffed, pg_url, tmp_path):
    """An assessor's chain-valid 'pay' entry for a household never signed landed (then 数据异常), and a restore of an
    earlier backup kept it as a payment: 已支付, never paid. The server takes from a member only the entries the program
    writes for its part, a finding and a backup from any; the client's own still land, each role's."""
    project, stores = staffed
    computed = hid(stores[ASSESSOR], project, "0001")
    version = stores[ASSESSOR].current_version(computed).id
    for role, actions in ((ASSESSOR, ("pay", "sign", "recheck", "restore", "grant", "create_project", "note")),
                          (REVIEWER, ("pay", "save_computed", "add_household")),
                          (FINANCE, ("sign", "amend", "edit_household", "save_draft"))):
        with psycopg.connect(url_as(pg_url, role), autocommit=True, options="-c search_path=landcomp") as raw:
            for action in actions:
                with pytest.raises(psycopg.errors.InsufficientPrivilege, match=f"may not write a '{action}' audit"):
                    write_by_hand(raw, action, computed, version)
    signed = hid(stores[ASSESSOR], project, "0002")
    signed_version = stores[ASSESSOR].current_version(signed).id
    for role, action, household_id, version_id in ((FINANCE, "pay", computed, version),   # its own action, of a
                                                   (FINANCE, "pay", signed, signed_version),   # household not so
                                                   (REVIEWER, "sign", computed, version)):
        with psycopg.connect(url_as(pg_url, role), autocommit=True, options="-c search_path=landcomp") as raw:
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="for a household not so on that version"):
                write_by_hand(raw, action, household_id, version_id)
    assert stores[FINANCE].household(computed).status is Status.COMPUTED and stores[FINANCE].verify_all() == []
    stores[ASSESSOR].save_computed(computed, compute(variant(3)))
    stores[REVIEWER].sign(computed)
    stores[FINANCE].pay([computed], batch="第3批")
    for role, opened in stores.items():
        opened.backup(tmp_path / f"{role}.landcomp")
    for role, number in ((FINANCE, "0004"), (REVIEWER, "0005")):   # a finding, recorded by who makes it
        tamper(pg_url, "UPDATE case_versions SET total = '1.00' WHERE id = ?",
               (stores[role].current_version(hid(stores[role], project, number)).id,))
        assert number in [a.number for a in stores[role].verify_all()]
    assert [(e.actor, e.action) for e in stores[FINANCE].audit_log()][-8:] == [
        (ASSESSOR, "save_computed"), (REVIEWER, "sign"), (FINANCE, "pay"), (ASSESSOR, "backup"), (REVIEWER, "backup"),
        (FINANCE, "backup"), (FINANCE, "abnormal"), (REVIEWER, "abnormal")]


def test_no_role_changes_a_paid_household_not_even_an_admin(server, staffed, pg_url):
    """A granted admin's own SQL wrote, in one transaction, a chain-valid 'save_computed' entry and set a paid household
    back to 已测算: a reviewer signed it and finance paid it again, two payments in its history, one in the ledger. The
    server refuses any change of a paid household's status or versions, to every role (other columns pass)."""
    project, stores = staffed
    server.grant(OUTSIDER, "admin")
    paid = hid(server, project, "0003")
    version, other = (server.current_version(hid(server, project, number)).id for number in ("0003", "0001"))
    for role in (OUTSIDER, OWNER):
        for change in ("status = 'computed'", "status = 'signed'", f"current_version_id = {other}",
                       "signed_version_id = NULL", f"status = 'computed', current_version_id = {other}"):
            with psycopg.connect(url_as(pg_url, role), options="-c search_path=landcomp") as raw:   # one transaction
                write_by_hand(raw, "save_computed", paid, version)
                with pytest.raises(psycopg.errors.InsufficientPrivilege, match="a paid case is never changed"):
                    raw.execute(f"UPDATE households SET {change}, updated_by = current_user WHERE id = %s", (paid,))
    with psycopg.connect(url_as(pg_url, OUTSIDER), autocommit=True, options="-c search_path=landcomp") as raw:
        raw.execute("UPDATE households SET address = address WHERE id = %s", (paid,))
    assert stores[FINANCE].household(paid).status is Status.PAID and stores[FINANCE].verify_all() == []
    with pytest.raises(StoreError):
        stores[REVIEWER].sign(paid)
    assert [e.action for e in stores[FINANCE].audit_log(household_id=paid)].count("pay") == 1


def test_a_connection_to_a_server_gone_silent_is_given_up_after_30_seconds(server):
    """A network lost mid-query (a cable out): the kernel resends for about 15 minutes before it gives up, the window
    frozen meanwhile; unanswered for 30 s, the connection is said lost."""
    assert server._raw.info.get_parameters()["tcp_user_timeout"] == "30000"
    assert server._raw.info.get_parameters()["keepalives_idle"] == "30"


def test_a_save_while_a_restore_makes_its_safety_copy_is_never_lost_between_them(server, pg_url, tmp_path):
    """A save landing after the restore's safety copy and before the replacement was in neither: 户号 005 第4版, exit 0,
    gone from the restored project and from 恢复前 (an office's probe). The copy is made under the restore's lock."""
    from calculator.store import RefusedByRule
    project = server.create_project("堡子片区")
    fill_project(server, project.id)
    backup, safety = tmp_path / "b.landcomp", tmp_path / "恢复前.landcomp"
    server.backup(str(backup))
    household_id = server.find_household(project.id, "0004").id
    outcome = {}
    with open_store(pg_url, actor="王芳") as other:
        def safety_copy_then_a_save():
            server.backup(str(safety))
            try:
                other.save_computed(household_id, compute(variant(6)))
                outcome["saved"] = True
            except RefusedByRule:   # the project busy: said to the assessor, who saves again after the restore
                outcome["saved"] = False
        server.restore_from(str(backup), before_replacing=safety_copy_then_a_save)
    assert outcome == {"saved": False}
    with SqliteStore(safety) as copy:
        assert len(copy.versions(household_id)) == len(server.versions(household_id)) == 1


def test_a_restore_never_hands_out_an_id_again(server, tmp_path):
    """Restored to a backup, the next version took the id of one saved before the restore: a user who had that one
    open saved over the new one with no conflict (base versions are compared by id)."""
    from calculator.store import ConflictError
    project = server.create_project("堡子片区")
    fill_project(server, project.id)
    backup = tmp_path / "b.landcomp"
    server.backup(str(backup))
    household_id = server.find_household(project.id, "0004").id
    opened = server.save_computed(household_id, compute(variant(6)))   # open in someone's window from now on
    server.restore_from(str(backup))
    again = server.save_computed(household_id, compute(variant(7)))   # another user's, after the restore
    assert again.id != opened.id
    with pytest.raises(ConflictError):
        server.save_computed(household_id, compute(variant(8)), base_version_id=opened.id)
