"""A throwaway PostgreSQL cluster for the tests: initdb into a temporary folder, pg_ctl on 127.0.0.1 at a
free port (as the `postgres` user when running as root), tuned for speed, never for durability.

Each test gets a fresh database, copied from a template that already holds the project schema, owned
by the login role OWNER (the project's admin); ASSESSOR, REVIEWER, FINANCE and OUTSIDER are login roles
with no part yet. Authentication is `trust`: the cluster listens on 127.0.0.1 only and is gone after the run.
"""
from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

PG_BIN = Path(os.environ.get("LANDCOMP_PG_BIN", "/usr/lib/postgresql/15/bin"))
OWNER, ASSESSOR, REVIEWER, FINANCE, OUTSIDER = "landcomp_owner", "assessor1", "reviewer1", "finance1", "outsider"
TEMPLATE = "landcomp_template"
# Speed over safety: the data is thrown away, and the machine is shared.
SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off", "shared_buffers=16MB",
            "max_connections=40", "listen_addresses=127.0.0.1", "unix_socket_directories=", "log_min_messages=fatal")


def missing() -> str | None:
    """Why no cluster can be started here (None: it can)."""
    if not (PG_BIN / "initdb").exists():
        return f"no PostgreSQL server binaries in {PG_BIN} (Debian package postgresql)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed"
    if os.geteuid() == 0 and not shutil.which("runuser"):
        return "running as root without runuser to start the server as postgres"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    """The running cluster: URLs for its databases and a superuser connection for set-up and tampering."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="landcomp-pg-"))
        self.folder.chmod(0o755)
        self.data, self.port, self._names = self.folder / "data", _free_port(), itertools.count(1)
        self.data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.data, "postgres", "postgres")
        self._run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C",
                  "--no-sync")
        options = " ".join(f"-c {setting}" for setting in SETTINGS)
        self._run("pg_ctl", "-D", self.data, "-o", f"-p {self.port} {options}", "-l", self.data / "server.log",
                  "-w", "-t", "60", "start")
        try:
            with self.superuser() as conn:
                for role in (OWNER, ASSESSOR, REVIEWER, FINANCE, OUTSIDER):
                    conn.execute(f"CREATE ROLE {role} LOGIN")
                conn.execute(f"CREATE DATABASE {TEMPLATE} OWNER {OWNER}")
            from calculator.store.postgres import PostgresStore
            PostgresStore(self.url(TEMPLATE), create=True).close()  # the schema, once, by its owner
        except BaseException:
            self.stop()
            raise

    def _run(self, program: str, *args: object) -> None:
        command = [str(PG_BIN / program), *map(str, args)]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.folder, timeout=180)
        if done.returncode:
            raise RuntimeError(f"{program} failed: {done.stderr or done.stdout}")

    def url(self, database: str, user: str = OWNER) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def superuser(self, database: str = "postgres"):
        """An autocommit connection as the cluster's superuser."""
        import psycopg
        return psycopg.connect(self.url(database, "postgres"), autocommit=True)

    def new_database(self, *, empty: bool = False) -> str:
        """A fresh database (a copy of the template with the project schema, or empty) owned by OWNER."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        with self.superuser() as conn:
            conn.execute(f"CREATE DATABASE {name} OWNER {OWNER} TEMPLATE {'template0' if empty else TEMPLATE}")
        return name

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def url_as(url: str, user: str) -> str:
    """The same database, connected to as another role."""
    parts = urlsplit(url)
    return parts._replace(netloc=f"{user}@{parts.hostname}:{parts.port}").geturl()


def tamper(url: str, statement: str, args: tuple = ()) -> None:
    """Change a server project behind the program's back, as the server's superuser can: triggers off."""
    import psycopg
    with psycopg.connect(url_as(url, "postgres"), autocommit=True, options="-c search_path=landcomp") as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute(statement.replace("?", "%s"), args)
