"""The server project's schema (PostgreSQL, schema `landcomp`): migrations applied in order, the version
kept in `schema_info`.

The tables and columns are the project file's (schema.py) so that both backends run the same SQL,
and a backup moves rows between them as they are: money and areas stay decimal text (never float),
times stay the ISO text the digests cover. What only a server has is here too:

- `members`: which database role may do what (assessor, reviewer, finance, admin); the role that
  created the schema is admin. Table privileges are granted by `landcomp_grant` (security definer,
  admins only), and row triggers refuse a status move the role may not make, or an audit entry,
  version or household change naming anyone but the role itself, or an audit entry that is not the
  chain's next with the hash that follows, or of an action the program writes for another part — so a modified
  client connected as an assessor still cannot sign or pay, nor record a payment, nor number an entry past the last
  there can be. No role, admins included, changes a paid household's status or versions.
- `ledger_state.serial`: bumped by every statement that changes the data, with NOTIFY landcomp, so
  a client knows the ledger changed (the server's counterpart of SQLite's PRAGMA data_version).

A migration is appended, never edited, but for one thing: a definition a later migration replaces (a function's
search path, CHECK_HOUSEHOLD) is written once, and the earlier migration uses it too, so a new database ends where
an old one is brought. A schema newer than the program is refused at connect.
"""
from __future__ import annotations

from typing import Any

from calculator.store.base import StoreError

SCHEMA = "landcomp"
CHANNEL = "landcomp"  # LISTEN/NOTIFY channel of the data changes
# What a migration holds, so that two clients opening a database at once migrate it once: this advisory lock while
# there is no schema, then the row of `schema_info` (a change holds the row of `chain_lock`, which only members may
# lock: see chain_lock_for_members); and how long it waits for it before the project is said busy.
MIGRATION_LOCK = 0x4C434D50
MIGRATION_WAIT = "30s"
ROLES = ("assessor", "reviewer", "finance", "admin")

_DECIMAL = "{0} IS NULL OR ({0} ~ '[0-9]' AND {0} !~ '[^0-9.-]')"  # as the project file's GLOB check
# pg_temp last, named: unnamed, PostgreSQL searches a session's temporary schema first, and a member's own TEMP table
# `members` listing itself as admin stood in for the server's in every role check (migration 3).
_SEARCH_PATH = "landcomp, pg_catalog, pg_temp"
_FUNCTION = f"LANGUAGE plpgsql SET search_path = {_SEARCH_PATH}"

# A household row as a member may change it (admins: as they will). Migration 4 added the three refusals marked
# "4": before, an assessor's own SQL reopened a signed household with no new version, or pointed a household at
# another's version.
CHECK_HOUSEHOLD = f"""CREATE OR REPLACE FUNCTION landcomp.check_household() RETURNS trigger {_FUNCTION} AS $$
        DECLARE
            role text := role_of(current_user);
        BEGIN
            IF role = 'admin' THEN
                RETURN NEW;
            END IF;
            IF NEW.updated_by IS DISTINCT FROM current_user::text THEN
                PERFORM refuse('record another actor than itself');
            END IF;
            IF TG_OP = 'INSERT' THEN
                IF role IS DISTINCT FROM 'assessor' OR NEW.status <> 'draft' OR NEW.current_version_id IS NOT NULL
                        OR NEW.signed_version_id IS NOT NULL THEN
                    PERFORM refuse('register a household');
                END IF;
            ELSIF NEW.project_id <> OLD.project_id THEN
                PERFORM refuse('move a household to another project');
            ELSIF NEW.current_version_id IS DISTINCT FROM OLD.current_version_id AND NOT EXISTS (   -- 4
                    SELECT 1 FROM case_versions WHERE id = NEW.current_version_id AND household_id = NEW.id) THEN
                PERFORM refuse('make another household''s version (or none) a household''s current one');
            ELSIF OLD.status = 'computed' AND NEW.status = 'signed' THEN
                IF role IS DISTINCT FROM 'reviewer' OR NEW.current_version_id IS DISTINCT FROM OLD.current_version_id
                        OR NEW.signed_version_id IS DISTINCT FROM NEW.current_version_id THEN
                    PERFORM refuse('sign');
                END IF;
            ELSIF OLD.status = 'signed' AND NEW.status = 'paid' THEN
                IF role IS DISTINCT FROM 'finance' OR NEW.current_version_id IS DISTINCT FROM OLD.current_version_id
                        OR NEW.signed_version_id IS DISTINCT FROM OLD.signed_version_id THEN
                    PERFORM refuse('pay');
                END IF;
            ELSIF OLD.status = 'signed' AND NEW.current_version_id IS NOT DISTINCT FROM OLD.current_version_id THEN
                PERFORM refuse('reopen a signed household but by a new version (an amendment)');   -- 4
            ELSIF OLD.status <> 'paid' AND (NEW.status = 'computed' OR (NEW.status = 'draft' AND OLD.status <> 'signed'))
                    AND NEW.signed_version_id IS NOT DISTINCT FROM OLD.signed_version_id THEN
                IF role IS DISTINCT FROM 'assessor' THEN
                    PERFORM refuse('save a case or change a household');
                END IF;
            ELSE
                PERFORM refuse(format('move a household from %s to %s', OLD.status, NEW.status));
            END IF;
            RETURN NEW;
        END $$"""
# What a reason made of these alone shows: nothing (calculator.core.limits.blank, as near as a regular expression
# without Unicode categories comes: spaces, invisible format characters, combining marks, the blank-looking fillers).
_SHOWS_NOTHING = (r"[\s\u0085\u00a0\u00ad\u034f\u061c\u115f\u1160\u1680\u180e\u2000-\u200f\u2028-\u202f"
                  r"\u205f-\u206f\u3000\u3164\u2800\ufeff\uffa0\ufff9-\ufffb\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff"
                  r"\u1dc0-\u1dff\u20d0-\u20ff\ufe00-\ufe0f\ufe20-\ufe2f\U000e0000-\U000e007f]")
# A case version as a member may add it. Migration 7 added the refusal marked "7": before, a client modified to skip
# its own check saved over a signed household with no amendment reason (history said 保存测算, not 更正).
CHECK_VERSION = f"""CREATE OR REPLACE FUNCTION landcomp.check_version() RETURNS trigger {_FUNCTION} AS $$
        DECLARE
            role text := role_of(current_user);
        BEGIN
            IF role IS DISTINCT FROM 'admin' AND (role IS DISTINCT FROM 'assessor' OR NEW.actor <> current_user::text) THEN
                PERFORM refuse('save a case version');
            END IF;
            IF role IS DISTINCT FROM 'admin' AND TG_OP = 'INSERT' AND EXISTS (   -- 7
                    SELECT 1 FROM households h WHERE h.id = NEW.household_id AND h.status = 'signed'
                    AND (NEW.amendment_reason IS NULL OR regexp_replace(NEW.amendment_reason, '{_SHOWS_NOTHING}', '',
                                                                        'g') = ''
                         OR NEW.amends_version_id IS DISTINCT FROM h.signed_version_id)) THEN
                PERFORM refuse('save over a signed household but as an amendment of its signed version, with a reason');
            END IF;
            RETURN NEW;
        END $$"""
# 7: no audit entry is changed or deleted, by any role, and no member empties a table: a restore empties the project
# by clear_for_restore alone (run as the schema's owner, admins only), which records in `restores` who did it, when,
# and the length and last hash of the chain it replaced. Before, an admin's own DELETE (or TRUNCATE and copy back) of
# a payment's entry, with the household set back to 已签字, left no trace, and the household was paid again.
KEEP_ENTRIES = (
    f"""CREATE FUNCTION landcomp.keep_entry() RETURNS trigger {_FUNCTION} AS $$
        BEGIN
            PERFORM refuse(lower(TG_OP) || ' an audit entry (the log is only added to)');
            RETURN NULL;
        END $$""",
    """CREATE TRIGGER keep_entry BEFORE UPDATE OR DELETE ON landcomp.audit
        FOR EACH ROW EXECUTE FUNCTION landcomp.keep_entry()""",
    """CREATE TABLE landcomp.restores (at timestamptz NOT NULL DEFAULT now(), by_role text NOT NULL,
        replaced_entries bigint NOT NULL, replaced_last_hash text)""",
    """CREATE TRIGGER keep_entry BEFORE UPDATE OR DELETE ON landcomp.restores
        FOR EACH ROW EXECUTE FUNCTION landcomp.keep_entry()""",
    f"""CREATE FUNCTION landcomp.clear_for_restore() RETURNS void {_FUNCTION} SECURITY DEFINER AS $$
        BEGIN
            IF role_of(session_user) IS DISTINCT FROM 'admin' THEN
                RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
                    MESSAGE = format('role %s may not restore: only admins restore', session_user);
            END IF;
            INSERT INTO restores (by_role, replaced_entries, replaced_last_hash)
                SELECT session_user, count(*), (SELECT hash FROM audit ORDER BY id DESC LIMIT 1) FROM audit;
            TRUNCATE projects, households, case_versions, audit;
        END $$""",
    "REVOKE ALL ON FUNCTION landcomp.clear_for_restore() FROM PUBLIC",
    # owned by the schema's owner, whoever migrates (as chain_lock): what the function empties is the owner's
    """DO $$ DECLARE owner text := (SELECT r.rolname FROM pg_roles r JOIN pg_namespace n ON n.nspowner = r.oid
        WHERE n.nspname = 'landcomp'); BEGIN
        EXECUTE format('ALTER TABLE landcomp.restores OWNER TO %I', owner);
        EXECUTE format('ALTER FUNCTION landcomp.clear_for_restore() OWNER TO %I', owner);
        END $$""",
)

# 4: a version a member adds is its household's current one when the change commits (every save makes it so), and
# never under a paid household: before, an assessor's own SQL added a version 2 under a paid household, which
# `show --version 2` served and nothing flagged.
VERSION_RULES = (
    f"""CREATE FUNCTION landcomp.check_new_version() RETURNS trigger {_FUNCTION} AS $$
        BEGIN
            IF role_of(current_user) IS DISTINCT FROM 'admin' AND (
                    EXISTS (SELECT 1 FROM households WHERE id = NEW.household_id AND status = 'paid')
                    OR NOT EXISTS (SELECT 1 FROM households
                                   WHERE id = NEW.household_id AND current_version_id = NEW.id)) THEN
                PERFORM refuse('add a version that is not its household''s current one, or to a paid household');
            END IF;
            RETURN NULL;
        END $$""",
    """CREATE CONSTRAINT TRIGGER check_new_version AFTER INSERT ON landcomp.case_versions
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION landcomp.check_new_version()""",
)


# 8: a paid household's status and versions are never changed, by any role, admins included (only the schema's owner or
# the server's superuser, who may drop a trigger, gets past it). Before, a granted admin's own SQL set a paid household
# back to 已测算 with a chain-valid save entry; it was signed and paid again, two payments in its history. A restore
# empties the project (clear_for_restore: TRUNCATE, no row trigger) and inserts its rows.
KEEP_PAID = (
    f"""CREATE FUNCTION landcomp.keep_paid() RETURNS trigger {_FUNCTION} AS $$
        BEGIN
            IF (NEW.status, NEW.current_version_id, NEW.signed_version_id)
                    IS DISTINCT FROM (OLD.status, OLD.current_version_id, OLD.signed_version_id) THEN
                PERFORM refuse('change a paid household''s status or versions (a paid case is never changed)');
            END IF;
            RETURN NEW;
        END $$""",
    """CREATE TRIGGER keep_paid BEFORE UPDATE ON landcomp.households FOR EACH ROW WHEN (OLD.status = 'paid')
        EXECUTE FUNCTION landcomp.keep_paid()""",
)

# 8: the audit actions a member writes, by its part, as the program writes them: a finding (abnormal) and a backup by
# whoever makes one; creating the project, granting, restoring and re-checking (recheck), by admins alone, who write
# any (a restore copies a backup's entries as they are). Before, an assessor's own chain-valid `pay` entry for a
# household never signed stood in the log, and a restore kept it as a payment. A 'sign' or 'pay' entry names a household
# signed or paid on that version (the program moves the row first): before, finance's own 'pay' entry did so of a
# household never signed.
# Written out, not read from integrity.SAVE_ACTIONS: what a migration creates never changes with the code after it.
MEMBER_ACTIONS = {"assessor": ("add_household", "edit_household", "save_draft", "save_computed", "amend"),
                  "reviewer": ("sign",), "finance": ("pay",)}
ANY_MEMBER_ACTIONS = ("abnormal", "backup")
_WRITES = " ".join("WHEN '{}' THEN ARRAY[{}]".format(role, ", ".join(map("'{}'".format,
                                                                         (*actions, *ANY_MEMBER_ACTIONS))))
                   for role, actions in MEMBER_ACTIONS.items())

# 5: an audit entry a member writes is the chain's next, its hash as calculator.store.integrity.entry_hash makes it
# (SHA-256 of the JSON array [previous hash, ENTRY_FIELDS…], PostgreSQL's to_json escaping a string as Python's
# json.dumps does). Before, an assessor's own INSERT of an entry numbered 9223372036854775807 left no number for the
# next: every later save, sign, pay, backup and even an admin's restore failed, and nothing but the server's own
# administrator could mend it. An admin writes as it will: a restore copies a backup's entries as they are.
ENTRY_HASH = f"""CREATE OR REPLACE FUNCTION landcomp.entry_hash(previous text, e landcomp.audit) RETURNS text {_FUNCTION}
        IMMUTABLE AS $$
        BEGIN
            RETURN encode(sha256(convert_to('[' || concat_ws(',', {", ".join(
                f"coalesce(to_json({value})::text, 'null')" for value in (
                    "previous", "e.id", "e.at", "e.actor", "e.action", "e.project_id", "e.household_id",
                    "e.version_id", "e.detail", "e.version_digest"))}) || ']', 'UTF8')), 'hex');
        END $$"""
CHECK_ENTRY = f"""CREATE OR REPLACE FUNCTION landcomp.check_entry() RETURNS trigger {_FUNCTION} AS $$
        DECLARE
            role text := role_of(current_user);
            writes text[] := CASE role {_WRITES} END;
            last audit%ROWTYPE;
        BEGIN
            IF role = 'admin' THEN
                RETURN NEW;
            END IF;
            IF role IS NULL OR NEW.actor <> current_user::text THEN
                PERFORM refuse('write an audit entry in another name');
            END IF;
            IF (NEW.action = ANY (writes)) IS NOT TRUE THEN   -- 8 (7 refused a recheck alone)
                PERFORM refuse(format('write a %L audit entry (admins write any; %s: %s)', NEW.action, role,
                                      array_to_string(writes, ', ')));
            END IF;
            IF NEW.action IN ('sign', 'pay') AND NOT EXISTS (   -- 8: written after the row's move, as the program does
                    SELECT 1 FROM households WHERE id = NEW.household_id AND signed_version_id = NEW.version_id
                    AND status = CASE NEW.action WHEN 'sign' THEN 'signed' ELSE 'paid' END) THEN
                PERFORM refuse(format('write a %L audit entry for a household not so on that version', NEW.action));
            END IF;
            SELECT * INTO last FROM audit ORDER BY id DESC LIMIT 1;
            IF NEW.id IS DISTINCT FROM coalesce(last.id, 0) + 1
                    OR NEW.hash IS DISTINCT FROM entry_hash(coalesce(last.hash, ''), NEW) THEN
                PERFORM refuse('write an audit entry that is not the next of the chain');
            END IF;
            RETURN NEW;
        END $$"""
CHAIN_RULES = (ENTRY_HASH, CHECK_ENTRY)


# Who may do what, granted by an admin (`grant`): run as the schema's owner, the grantor of every privilege. Written
# once: migration 6 gave every member the chain's lock (chain_lock_for_members), and migration 1 makes it so too.
GRANT_ROLE = f"""CREATE OR REPLACE FUNCTION landcomp.grant_role(member text, as_role text) RETURNS void {_FUNCTION} SECURITY DEFINER AS $$
    BEGIN
        IF role_of(session_user) IS DISTINCT FROM 'admin' THEN
            RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
                MESSAGE = format('role %s may not grant: only admins grant', session_user);
        END IF;
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = member) THEN
            RAISE EXCEPTION USING ERRCODE = 'undefined_object', MESSAGE = format('no database role %s', member);
        END IF;
        IF member = (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'landcomp')
                AND as_role <> 'admin' THEN
            RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
                MESSAGE = 'the role that created the project stays its admin';
        END IF;
        INSERT INTO members VALUES (member, as_role)
            ON CONFLICT (role_name) DO UPDATE SET as_role = excluded.as_role;
        EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA landcomp FROM %I', member);
        EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA landcomp FROM %I', member);
        EXECUTE format('GRANT USAGE ON SCHEMA landcomp TO %I', member);
        EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA landcomp TO %I', member);
        EXECUTE format('GRANT INSERT ON audit TO %I', member);
        IF to_regclass('landcomp.chain_lock') IS NOT NULL THEN   -- 6: the chain's lock, members only (none before 6)
            EXECUTE format('GRANT UPDATE (held) ON chain_lock TO %I', member);
        END IF;
        IF as_role = 'admin' THEN
            IF member = (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'landcomp') THEN
                -- the owner keeps all it has: a restore empties the project as the owner (clear_for_restore)
                EXECUTE format('GRANT ALL ON ALL TABLES IN SCHEMA landcomp TO %I', member);
            ELSE
                -- 7: rows only, the audit log only added to, and the project emptied only by a restore: with TRIGGER,
                -- an admin's own trigger on `restores` swallowed the record of a restore, one on `audit` another
                -- member's entry; with TRUNCATE, it took a payment's entry out of the chain
                EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA landcomp TO %I', member);
                EXECUTE format('REVOKE UPDATE, DELETE ON audit FROM %I', member);
                IF to_regclass('landcomp.restores') IS NOT NULL THEN
                    EXECUTE format('REVOKE INSERT, UPDATE, DELETE ON restores FROM %I', member);
                    EXECUTE format('GRANT EXECUTE ON FUNCTION clear_for_restore() TO %I', member);
                END IF;
            END IF;
            EXECUTE format('GRANT ALL ON ALL SEQUENCES IN SCHEMA landcomp TO %I', member);
            EXECUTE format('GRANT EXECUTE ON FUNCTION grant_role(text, text) TO %I', member);
        ELSIF as_role = 'assessor' THEN
            EXECUTE format('GRANT INSERT ON households, case_versions TO %I', member);
            EXECUTE format('GRANT UPDATE (status, current_version_id, number, head, address, updated_at, '
                           'updated_by) ON households TO %I', member);
            EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA landcomp TO %I', member);
        ELSE
            EXECUTE format('GRANT UPDATE (status, signed_version_id, updated_at, updated_by) ON households '
                           'TO %I', member);
        END IF;
    END $$"""


FIRST_SCHEMA = (
    "CREATE SCHEMA IF NOT EXISTS landcomp",
    "CREATE TABLE landcomp.schema_info (version integer NOT NULL)",
    "INSERT INTO landcomp.schema_info VALUES (0)",
    """CREATE TABLE landcomp.projects (
        id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        name text NOT NULL UNIQUE,
        created_at text NOT NULL)""",
    """CREATE TABLE landcomp.households (
        id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        project_id bigint NOT NULL REFERENCES landcomp.projects(id),
        number text NOT NULL,
        head text NOT NULL DEFAULT '',
        address text NOT NULL DEFAULT '',
        status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'computed', 'signed', 'paid')),
        current_version_id bigint,
        signed_version_id bigint,
        updated_at text NOT NULL,
        updated_by text NOT NULL DEFAULT '',
        UNIQUE (project_id, number))""",
    f"""CREATE TABLE landcomp.case_versions (
        id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        household_id bigint NOT NULL REFERENCES landcomp.households(id),
        number integer NOT NULL CHECK (number >= 1),
        case_json text NOT NULL,
        result_json text,
        schedule_version text,
        total text CHECK ({_DECIMAL.format('total')}),
        incentive text CHECK ({_DECIMAL.format('incentive')}),
        replacement_m2 text CHECK ({_DECIMAL.format('replacement_m2')}),
        building_area_m2 text CHECK ({_DECIMAL.format('building_area_m2')}),
        fingerprint text,
        assessor text NOT NULL DEFAULT '',
        created_at text NOT NULL,
        amendment_reason text,
        amends_version_id bigint REFERENCES landcomp.case_versions(id),
        actor text NOT NULL DEFAULT '',
        UNIQUE (household_id, number))""",
    # Deferred: a household and its versions refer to each other, and a restore copies them in any order.
    """ALTER TABLE landcomp.households
        ADD FOREIGN KEY (current_version_id) REFERENCES landcomp.case_versions(id) DEFERRABLE INITIALLY DEFERRED,
        ADD FOREIGN KEY (signed_version_id) REFERENCES landcomp.case_versions(id) DEFERRABLE INITIALLY DEFERRED""",
    """CREATE TABLE landcomp.audit (
        id bigint PRIMARY KEY,
        at text NOT NULL,
        actor text NOT NULL,
        action text NOT NULL,
        project_id bigint REFERENCES landcomp.projects(id),
        household_id bigint REFERENCES landcomp.households(id),
        version_id bigint REFERENCES landcomp.case_versions(id),
        detail text NOT NULL DEFAULT '{}',
        version_digest text,
        hash text)""",
    "CREATE INDEX case_versions_fingerprint ON landcomp.case_versions(fingerprint)",
    "CREATE INDEX audit_household ON landcomp.audit(household_id, id)",
    "CREATE INDEX audit_version ON landcomp.audit(version_id)",
    "CREATE INDEX households_status ON landcomp.households(project_id, status)",
    f"""CREATE TABLE landcomp.members (
        role_name text PRIMARY KEY,
        as_role text NOT NULL CHECK (as_role IN ({', '.join(f"'{role}'" for role in ROLES)})))""",
    "INSERT INTO landcomp.members VALUES (current_user, 'admin')",
    "CREATE TABLE landcomp.ledger_state (serial bigint NOT NULL)",
    "INSERT INTO landcomp.ledger_state VALUES (0)",
    # -- what changed, for the caches and the live ledger (security definer: members only read the state)
    f"""CREATE FUNCTION landcomp.changed() RETURNS trigger {_FUNCTION} SECURITY DEFINER AS $$
        BEGIN
            UPDATE ledger_state SET serial = serial + 1;
            PERFORM pg_notify('{CHANNEL}', '');
            RETURN NULL;
        END $$""",
    *(f"""CREATE TRIGGER changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON landcomp.{table}
          FOR EACH STATEMENT EXECUTE FUNCTION landcomp.changed()"""
      for table in ("projects", "households", "case_versions", "audit")),
    # -- the ledger reads a few texts of a stored JSON document; a damaged one reads as NULL
    f"""CREATE FUNCTION landcomp.json_text(doc text, path text) RETURNS text {_FUNCTION} IMMUTABLE AS $$
        BEGIN
            RETURN doc::jsonb #>> string_to_array(substr(path, 3), '.');
        EXCEPTION WHEN others THEN
            RETURN NULL;
        END $$""",
    # -- roles: who may do what, checked by the server whatever the client
    f"""CREATE FUNCTION landcomp.role_of(who text) RETURNS text {_FUNCTION} STABLE SECURITY DEFINER AS $$
        BEGIN
            RETURN (SELECT as_role FROM members WHERE role_name = who);
        END $$""",
    f"""CREATE FUNCTION landcomp.refuse(what text) RETURNS void {_FUNCTION} AS $$
        BEGIN
            RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
                MESSAGE = format('role %s (%s) may not %s', current_user,
                                 coalesce(role_of(current_user), 'no member'), what);
        END $$""",
    CHECK_HOUSEHOLD,
    CHECK_VERSION,
    *CHAIN_RULES,
    """CREATE TRIGGER check_household BEFORE INSERT OR UPDATE ON landcomp.households
        FOR EACH ROW EXECUTE FUNCTION landcomp.check_household()""",
    """CREATE TRIGGER check_version BEFORE INSERT OR UPDATE ON landcomp.case_versions
        FOR EACH ROW EXECUTE FUNCTION landcomp.check_version()""",
    """CREATE TRIGGER check_entry BEFORE INSERT OR UPDATE ON landcomp.audit
        FOR EACH ROW EXECUTE FUNCTION landcomp.check_entry()""",
    # -- granting: runs as the schema's owner (the grantor of every privilege), for admins only
    GRANT_ROLE,
    "REVOKE ALL ON FUNCTION landcomp.grant_role(text, text) FROM PUBLIC",
)


def first_schema(connection: Any) -> None:
    """1: projects, households, case versions, the chained audit log, members and their rights."""
    for statement in FIRST_SCHEMA:
        connection.execute(statement)


FIGURE_KEYS = (("building_area_m2", "building_area_key"), ("total", "total_key"), ("incentive", "incentive_key"),
               ("replacement_m2", "replacement_key"))  # as schema.FIGURE_KEYS


def ledger_keys(connection: Any) -> None:
    """2: as the project file's migration 4 — each household keeps its current version's figures as
    sort keys (double precision, SQLite's REAL, so both backends order alike), set by a trigger when
    its current version changes, and an index per figure orders a project's households by it. A row
    copied from a file keeps the keys it brings when its version is not there yet (a restore copies
    households before versions). The case JSON is TOASTed here: no covering index is needed."""
    keys = ", ".join(key for _, key in FIGURE_KEYS)
    values = ", ".join(f"CAST(v.{figure} AS double precision)" for figure, _ in FIGURE_KEYS)
    for _, key in FIGURE_KEYS:
        connection.execute(f"ALTER TABLE landcomp.households ADD COLUMN {key} double precision")
    connection.execute(f"""UPDATE landcomp.households h SET ({keys}) = (SELECT {values} FROM landcomp.case_versions v
                           WHERE v.id = h.current_version_id) WHERE h.current_version_id IS NOT NULL""")
    connection.execute(f"""CREATE FUNCTION landcomp.ledger_keys() RETURNS trigger {_FUNCTION} AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND NEW.current_version_id IS NOT DISTINCT FROM OLD.current_version_id THEN
                RETURN NEW;
            END IF;
            IF NEW.current_version_id IS NULL THEN
                {" ".join(f"NEW.{key} := NULL;" for _, key in FIGURE_KEYS)}
            ELSIF EXISTS (SELECT 1 FROM case_versions WHERE id = NEW.current_version_id) THEN
                SELECT {values} INTO {", ".join(f"NEW.{key}" for _, key in FIGURE_KEYS)}
                    FROM case_versions v WHERE v.id = NEW.current_version_id;
            END IF;
            RETURN NEW;
        END $$""")
    connection.execute("""CREATE TRIGGER ledger_keys BEFORE INSERT OR UPDATE ON landcomp.households
        FOR EACH ROW EXECUTE FUNCTION landcomp.ledger_keys()""")
    # A version's figures written over (only an admin may) move its households' keys, as in the file.
    new_values = ", ".join(f"CAST(NEW.{figure} AS double precision)" for figure, _ in FIGURE_KEYS)
    connection.execute(f"""CREATE FUNCTION landcomp.version_keys() RETURNS trigger {_FUNCTION} AS $$
        BEGIN
            UPDATE households SET ({keys}) = ({new_values}) WHERE current_version_id = NEW.id;
            RETURN NULL;
        END $$""")
    connection.execute(f"""CREATE TRIGGER version_keys AFTER UPDATE OF {", ".join(f for f, _ in FIGURE_KEYS)}
        ON landcomp.case_versions FOR EACH ROW EXECUTE FUNCTION landcomp.version_keys()""")
    for _, key in FIGURE_KEYS:
        connection.execute(f"""CREATE UNIQUE INDEX households_by_{key} ON landcomp.households
                               (project_id, {key} NULLS FIRST, number COLLATE "C")""")


def own_tables_first(connection: Any) -> None:
    """3: every function of the schema searches landcomp, then pg_catalog, then pg_temp: created before with pg_temp
    unnamed, which PostgreSQL then searches first, the role checks (security definer) and the triggers read a
    member's own TEMP table `members` or `ledger_state` in place of the server's, and a reviewer paid."""
    connection.execute(f"""DO $$ DECLARE f regprocedure; BEGIN
        FOR f IN SELECT p.oid FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname = 'landcomp' LOOP
            EXECUTE format('ALTER FUNCTION %s SET search_path = {_SEARCH_PATH}', f);
        END LOOP; END $$""")


def server_keeps_the_rules(connection: Any) -> None:
    """4: the rules a member's own SQL got past (CHECK_HOUSEHOLD, VERSION_RULES)."""
    connection.execute(CHECK_HOUSEHOLD)
    for statement in VERSION_RULES:
        connection.execute(statement)


def chain_on_the_server(connection: Any) -> None:
    """5: a member's audit entry is the chain's next, with the hash that follows (CHAIN_RULES)."""
    for statement in CHAIN_RULES:
        connection.execute(statement)


def chain_lock_for_members(connection: Any) -> None:
    """6: the chain's lock is a row only members may lock (UPDATE privilege on `chain_lock`). It was an advisory lock,
    which any role able to connect to the database may take: held, it kept every member from changing anything."""
    connection.execute("CREATE TABLE landcomp.chain_lock (held boolean NOT NULL DEFAULT false)")
    connection.execute("INSERT INTO landcomp.chain_lock VALUES (false)")
    # the schema's owner owns it, whoever migrates (a superuser, a member of the owner's role): grant_role, which
    # runs as the owner, grants only on what the owner owns, and no role granted later could have locked it
    connection.execute("""DO $$ BEGIN EXECUTE format('ALTER TABLE landcomp.chain_lock OWNER TO %I',
        (SELECT r.rolname FROM pg_roles r JOIN pg_namespace n ON n.nspowner = r.oid WHERE n.nspname = 'landcomp'));
        END $$""")
    connection.execute(GRANT_ROLE)
    connection.execute("""DO $$ DECLARE member text; BEGIN
        FOR member IN SELECT role_name FROM landcomp.members WHERE role_name IN (SELECT rolname FROM pg_roles) LOOP
            EXECUTE format('GRANT SELECT, UPDATE (held) ON landcomp.chain_lock TO %I', member);
        END LOOP; END $$""")


def entries_kept_and_amendments_reasoned(connection: Any) -> None:
    """7: no role changes or deletes an audit entry, and only a restore empties the project (KEEP_ENTRIES); a member's
    version over a signed household is an amendment of its signed version with a reason (CHECK_VERSION)."""
    for statement in (*KEEP_ENTRIES, CHECK_VERSION, GRANT_ROLE, *CHAIN_RULES):
        connection.execute(statement)
    connection.execute("""DO $$ DECLARE member text; BEGIN
        FOR member IN SELECT role_name FROM landcomp.members WHERE as_role = 'admin'
                      AND role_name IN (SELECT rolname FROM pg_roles)
                      AND role_name <> (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'landcomp') LOOP
            EXECUTE format('REVOKE TRUNCATE, TRIGGER, REFERENCES ON ALL TABLES IN SCHEMA landcomp FROM %I', member);
            EXECUTE format('REVOKE UPDATE, DELETE ON landcomp.audit FROM %I', member);
            EXECUTE format('GRANT SELECT ON landcomp.restores TO %I', member);
            EXECUTE format('GRANT EXECUTE ON FUNCTION landcomp.clear_for_restore() TO %I', member);
        END LOOP;
        FOR member IN SELECT role_name FROM landcomp.members WHERE as_role <> 'admin'
                      AND role_name IN (SELECT rolname FROM pg_roles) LOOP
            EXECUTE format('GRANT SELECT ON landcomp.restores TO %I', member);
        END LOOP; END $$""")


def entries_by_part_and_paid_kept(connection: Any) -> None:
    """8: a member writes only the audit actions of its part (CHECK_ENTRY, MEMBER_ACTIONS), and no role changes a paid
    household's status or versions (KEEP_PAID)."""
    for statement in (CHECK_ENTRY, *KEEP_PAID):
        connection.execute(statement)


MIGRATIONS = (first_schema, ledger_keys, own_tables_first, server_keeps_the_rules, chain_on_the_server,
              chain_lock_for_members, entries_kept_and_amendments_reasoned, entries_by_part_and_paid_kept)
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(connection: Any) -> int:
    """The server project's schema version; 0 when the database holds none.

    Looked up in pg_tables, as of this statement: to_regclass answers from the catalog as this transaction first
    saw it, and a client that had waited for the chain lock while another created the schema went on to create it
    again ("relation schema_info already exists")."""
    if not connection.execute("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = 'landcomp' "
                              "AND tablename = 'schema_info')").fetchone()[0]:
        return 0
    return connection.execute("SELECT version FROM landcomp.schema_info").fetchone()[0]


def init_db(connection: Any, upto: int = SCHEMA_VERSION) -> int:
    """Bring the database's project schema (none or older) to version `upto`; returns the version before.

    `connection` is in autocommit mode; each migration runs in its own transaction with the version
    that records it, under the migration's lock (MIGRATION_LOCK), so two clients opening a database at once migrate
    it once."""
    before = schema_version(connection)
    if before > SCHEMA_VERSION:
        raise _newer(before)
    for number in range(before + 1, upto + 1):
        connection.execute("BEGIN")
        try:
            connection.execute(f"SET LOCAL lock_timeout = '{MIGRATION_WAIT}'")
            if number == 1:   # no schema yet: an advisory lock, the only one there is
                connection.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))
            else:   # the schema's own row, which only who may migrate it can lock (any role may take an advisory lock)
                connection.execute("SELECT FROM landcomp.schema_info FOR UPDATE")
            now = schema_version(connection)
            if now >= number:  # another client migrated meanwhile
                connection.execute("COMMIT")
                continue
            MIGRATIONS[number - 1](connection)
            connection.execute("UPDATE landcomp.schema_info SET version = ?", (number,))
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    return before


def _newer(version: int) -> StoreError:
    return StoreError(f"服务器上的项目由较新版本的程序建立(结构版本 {version}),请升级程序",
                      f"the server project was written by a newer program (schema {version}); please upgrade")
