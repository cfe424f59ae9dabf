"""Fixtures: a database per test (`empty`, or `demo` holding the demo program seeded as of SEED_NOW), on SQLite, or
on PostgreSQL for tests parametrized over `flavor`. The demo is seeded once per flavor by the binary itself and
copied per test (a file copy; CREATE DATABASE ... TEMPLATE on PostgreSQL). Without TEST_DATABASE_URL the PostgreSQL
cases skip, unless CI is set: then they fail, so a CI run cannot quietly lose them."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from harness import SEED_NOW, PostgresDatabase, SQLiteDatabase, incentives

BOTH = pytest.mark.parametrize("flavor", ["sqlite", "postgres"])


def postgres_admin_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI is set but TEST_DATABASE_URL is not: the PostgreSQL cases of the CLI suite would not run")
        pytest.skip("TEST_DATABASE_URL is not set (scripts/test.sh sets it)")
    return url


@pytest.fixture
def flavor() -> str:
    return "sqlite"


def fresh(flavor: str, folder: Path, template: str | None = None):
    return SQLiteDatabase(folder) if flavor == "sqlite" else PostgresDatabase(postgres_admin_url(), template)


class DemoTemplates:
    """The demo program seeded once per flavor, as a file or a template database."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.made: dict[str, object] = {}

    def get(self, flavor: str):
        if flavor not in self.made:
            database = fresh(flavor, self.folder / flavor if flavor == "sqlite" else self.folder)
            if flavor == "sqlite":
                database.path.parent.mkdir(parents=True, exist_ok=True)
            seeded = incentives(database, "seed", "--demo", "--now", SEED_NOW)
            assert seeded.status == 0, str(seeded)
            self.made[flavor] = database
        return self.made[flavor]

    def copy(self, flavor: str, folder: Path):
        template = self.get(flavor)
        if flavor == "postgres":
            return fresh(flavor, folder, template=template.name)
        copy = SQLiteDatabase(folder)
        for suffix in ("", "-wal"):
            if Path(f"{template.path}{suffix}").exists():
                shutil.copyfile(f"{template.path}{suffix}", f"{copy.path}{suffix}")
        return copy

    def drop(self):
        for database in self.made.values():
            database.drop()


@pytest.fixture(scope="session")
def demo_templates(tmp_path_factory):
    templates = DemoTemplates(tmp_path_factory.mktemp("demo"))
    yield templates
    templates.drop()


@pytest.fixture
def empty(flavor, tmp_path):
    """A database nobody has opened yet (no SQLite file; an empty PostgreSQL database)."""
    database = fresh(flavor, tmp_path)
    yield database
    database.drop()


@pytest.fixture
def demo(flavor, tmp_path, demo_templates):
    """The demo program, seeded as of SEED_NOW, the test's own copy."""
    database = demo_templates.copy(flavor, tmp_path)
    yield database
    database.drop()
