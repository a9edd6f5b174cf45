"""Shared test set-up: Qt tests run headless unless the caller chose a platform; the store on either backend."""
import os
from pathlib import Path

import pytest

# scripts/dev.sh exports this too; a bare `pytest` run on a machine without a display would
# otherwise abort in the first Qt test. Headless, the screen is the most common office laptop's
# (1366×768) rather than the offscreen plugin's 800×800, so window placement is tested as offices see it.
OFFICE_SCREEN = Path(__file__).parent / "ui" / "screens" / "office-1366x768.json"
if os.environ.setdefault("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={OFFICE_SCREEN}"


def pytest_configure(config):
    config.addinivalue_line("markers", "backends(*names): the store backends a test runs on (sqlite, postgres)")
    config.addinivalue_line("markers", "slow: builds the installable bundle (minutes); in every full run, "
                                       "-m 'not slow' leaves it out")


def pytest_generate_tests(metafunc):
    """A test that uses `backend` (e.g. through `store`) runs once per backend its `backends` mark names."""
    if "backend" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("backends")
        metafunc.parametrize("backend", marker.args if marker else ("sqlite",), scope="function")


@pytest.fixture(scope="session")
def pg_cluster():
    """A throwaway PostgreSQL cluster for the whole run; skipped when none can start, failed under CI=true."""
    import pgcluster
    why = pgcluster.missing()
    if why:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is required in CI: {why}", pytrace=False)
        pytest.skip(why)
    cluster = pgcluster.Cluster()
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(pg_cluster):
    """The URL of a fresh server project (the schema in place, owned by the admin role)."""
    return pg_cluster.url(pg_cluster.new_database())


@pytest.fixture
def store(request, backend, tmp_path):
    """A fresh project (a file in the test's own folder, or a server database); changes are recorded as made
    by 李明 in a file, by the database role on a server."""
    from calculator.store import open_store
    project = request.getfixturevalue("pg_url") if backend == "postgres" else tmp_path / "project.landcomp"
    with open_store(project, actor="李明", create=backend != "postgres") as opened:   # a new file; pg_url's is set up
        yield opened


@pytest.fixture
def me(store):
    """Who `store` records as the actor of its changes: 李明 in a file, the database role on a server."""
    return getattr(store, "role", "李明")


@pytest.fixture
def template(tmp_path):
    """The empty survey workbook, as `landcomp ledger template` writes it."""
    from calculator.app.survey import write_template
    path = tmp_path / "template.xlsx"
    write_template(path)
    return path
