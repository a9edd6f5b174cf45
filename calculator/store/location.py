"""Where a project lives: an SQLite project file (a path) or a server project (a postgresql:// URL).

`open_store` is the one way in for the GUI and the `landcomp ledger` commands. A server URL never
carries a password: libpq finds it in PGPASSWORD, ~/.pgpass or a service file, so it is neither
typed on a command line nor kept in the settings.
"""
from __future__ import annotations

import os
import re
from urllib.parse import parse_qs, quote, unquote, urlsplit

from calculator.store.base import CaseStore, StoreError

SCHEMES = ("postgresql", "postgres")
# The parameters a server URL may carry (libpq's names): where and how to connect, no secret and nothing that would
# change the session the program sets (options). Any other is refused by its name, the URL never echoed.
URL_PARAMETERS = frozenset({"host", "hostaddr", "port", "dbname", "user", "sslmode", "sslrootcert", "sslcert",
                            "sslkey", "sslcrl", "connect_timeout", "application_name", "target_session_attrs",
                            "gssencmode", "service", "keepalives", "keepalives_idle", "keepalives_interval",
                            "keepalives_count"})
# libpq's keyword form (host=… dbname=… password=…), which is no file name: taken as one, a password in it was put
# into a project file's name and printed.
_CONNINFO = re.compile(r"(?:^|\s)(?:host|hostaddr|dbname|user|password|port|service)\s*=", re.IGNORECASE)


class PasswordNeeded(StoreError):
    """The server asks for a password that libpq did not find, or refused the one given."""


def no_server_project(url: str) -> StoreError:
    """The refusal to open a database that holds no project (opening one creates nothing)."""
    return StoreError("该数据库中还没有项目,请先创建项目", "the database holds no project; create one first", url)


def is_server(project: str | os.PathLike[str]) -> bool:
    """The project is a server URL (postgresql://…), not a file path."""
    return isinstance(project, str) and urlsplit(project.strip()).scheme.lower() in SCHEMES


def server_conninfo(url: str) -> str:
    """The URL as libpq takes it, after refusing one with a password or without a database name."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        query = parse_qs(parts.query, keep_blank_values=True)
        password = parts.password is not None or "password" in unquote(parts.query).lower()
        database = parts.path.lstrip("/") or query.get("dbname", [""])[0]
    except ValueError:   # its words may quote the URL, and so a secret in it
        raise StoreError("服务器地址无法识别", "the server address cannot be read") from None
    if parts.scheme.lower() not in SCHEMES:
        raise StoreError("服务器地址应以 postgresql:// 开头", "a server address starts with postgresql://")
    if password:
        raise StoreError("服务器地址中不能含密码;密码请放在 PGPASSWORD 环境变量、~/.pgpass 或服务文件中",
                         "a server address must not contain a password; put it in PGPASSWORD, ~/.pgpass or a "
                         "service file")
    unknown = sorted(name for name in query if name not in URL_PARAMETERS)
    if unknown:
        named = ", ".join(name if name.isidentifier() and len(name) <= 30 else "?" for name in unknown)
        raise StoreError(f"服务器地址中不能有参数 {named}(可用:sslmode、connect_timeout、application_name 等)",
                         f"a server address takes no parameter {named} (it may take sslmode, connect_timeout, "
                         "application_name …)")
    if not database:
        raise StoreError("服务器地址须写明数据库名:postgresql://用户@主机:端口/数据库",
                         "the server address must name the database: postgresql://user@host:port/dbname")
    return url


def refuse_conninfo(project: str | os.PathLike[str]) -> None:
    """A project given in libpq's keyword form (host=… dbname=… password=…) is refused, never taken as a file name
    (a password in it was put into the name of the project file made, and printed), and never quoted."""
    if isinstance(project, str) and not is_server(project) and _CONNINFO.search(project):
        raise StoreError("项目位置不能写成 host=… dbname=… 的形式;服务器项目请写成 postgresql://用户@主机:端口/数据库,"
                         "密码放在 PGPASSWORD 或 ~/.pgpass 中",
                         "a project is no host=… dbname=… string: write a server project as "
                         "postgresql://user@host:port/dbname, the password in PGPASSWORD or ~/.pgpass")


def server_url(host: str, port: int | str | None, database: str, user: str) -> str:
    """postgresql://user@host:port/database from the fields of a connection form (never a password)."""
    host, database, user = host.strip(), database.strip(), user.strip()
    if not host or not database:
        raise StoreError("请填写服务器地址和数据库名", "the server's host and the database name are required")
    port_text = str(port).strip() if port not in (None, "") else ""
    if port_text and not (port_text.isdigit() and 0 < int(port_text) < 65536):
        raise StoreError(f"端口应为 1–65535 之间的数字,收到「{port_text}」", f"a port is 1-65535, not {port_text!r}")
    who = f"{quote(user, safe='')}@" if user else ""
    where = f"[{host}]" if ":" in host else quote(host, safe=".-_")
    return f"postgresql://{who}{where}{':' + port_text if port_text else ''}/{quote(database, safe='')}"


def server_label(url: str) -> str:
    """user@host:port/db as the ledger shows a server project (the URL without its scheme)."""
    text = url.strip()
    return unquote(text.split("://", 1)[1] if "://" in text else text)


def open_store(project: str | os.PathLike[str], *, actor: str = "", password: str | None = None,
               create: bool = False) -> CaseStore:
    """The store of a project file path or a postgresql://user@host:port/dbname URL.

    A server database without the project schema (or a file without one) is refused (no_server_project) unless
    `create`: only creating a project writes the schema, and on a server its role becomes the schema's owner.

    `actor` is the typed 经办人 for a file; on a server the audit log names the database role.
    `password` (servers only) is one typed for this session: given to libpq as a keyword, never put
    into the URL or kept anywhere; without it libpq looks in PGPASSWORD, ~/.pgpass, service files."""
    if is_server(project):
        from calculator.store.postgres import PostgresStore  # psycopg only when a server is used
        return PostgresStore(str(project).strip(), actor=actor, password=password, create=create)
    from calculator.store.sqlite import SqliteStore
    return SqliteStore(project, actor=actor, create=create)
