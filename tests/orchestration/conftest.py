"""The definitions, built from values as `ror` and the code location build them: one warehouse folder for the session,
so that dbt parses the project once."""

from dataclasses import replace

import pytest

from orchestration.build import build_definitions
from orchestration.settings import Settings


@pytest.fixture(scope="session")
def location_settings(tmp_path_factory) -> Settings:
    root = tmp_path_factory.mktemp("code_location")
    return Settings(
        landing_dir=root / "landing",
        serving_path=root / "warehouse" / "ror.duckdb",
        dagster_home=root / "dagster",
        settle_seconds=0,  # fixtures are written completely just before each tick; settle tests set their own
    )


@pytest.fixture(scope="session")
def defs(location_settings):
    return build_definitions(location_settings)


@pytest.fixture
def defs_with(location_settings):
    """Definitions of these settings with some values changed (the same warehouse folder: no new parse)."""

    def build(**changes):
        return build_definitions(replace(location_settings, **changes))

    return build
