"""Where a project lives: an SQLite project file (a path) or a server project (a postgresql:// URL).

`open_store` is the one way in for the GUI and the `landcomp ledger` commands. A server URL never
carries a password: libpq finds it in PGPASSWORD, ~/.pgpass or a service file, so it is neither
typed on a command line nor kept in the settings.
"""
from __future__ import annotations

import os
from urllib.parse import parse_qs, quote, unquote, urlsplit

from calculator.store.base import CaseStore, StoreError

SCHEMES = ("postgresql", "postgres")


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
        password = parts.password is not None or "password" in parse_qs(parts.query)
        database = parts.path.lstrip("/") or parse_qs(parts.query).get("dbname", [""])[0]
    except ValueError as error:
        raise StoreError(f"服务器地址无法识别:{error}", f"the server address cannot be read: {error}") from None
    if parts.scheme.lower() not in SCHEMES:
        raise StoreError("服务器地址应以 postgresql:// 开头", "a server address starts with postgresql://")
    if password:
        raise StoreError("服务器地址中不能含密码;密码请放在 PGPASSWORD 环境变量、~/.pgpass 或服务文件中",
                         "a server address must not contain a password; put it in PGPASSWORD, ~/.pgpass or a "
                         "service file")
    if not database:
        raise StoreError("服务器地址须写明数据库名:postgresql://用户@主机:端口/数据库",
                         "the server address must name the database: postgresql://user@host:port/dbname")
    return url


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

    A server database without the project schema is refused (no_server_project) unless `create`: only
    creating a project writes the schema, and its role becomes the schema's owner.

    `actor` is the typed 经办人 for a file; on a server the audit log names the database role.
    `password` (servers only) is one typed for this session: given to libpq as a keyword, never put
    into the URL or kept anywhere; without it libpq looks in PGPASSWORD, ~/.pgpass, service files."""
    if is_server(project):
        from calculator.store.postgres import PostgresStore  # psycopg only when a server is used
        return PostgresStore(str(project).strip(), actor=actor, password=password, create=create)
    from calculator.store.sqlite import SqliteStore
    return SqliteStore(project, actor=actor)
