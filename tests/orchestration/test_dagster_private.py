"""Dagster's private names, used only where no public API exists, and only through orchestration/dagster_private.py:
an upgrade that moves or renames them fails here, not in a run."""

import re
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PRIVATE_IMPORT = re.compile(r"^\s*(from|import)\s+dagster(_\w+)?\._", re.MULTILINE)


def test_the_partition_tags_a_run_is_started_with_are_the_ones_dagster_reads():
    from orchestration.dagster_private import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
        PARTITION_NAME_TAG,
    )

    assert PARTITION_NAME_TAG == "dagster/partition"
    assert ASSET_PARTITION_RANGE_START_TAG == "dagster/asset_partition_range_start"
    assert ASSET_PARTITION_RANGE_END_TAG == "dagster/asset_partition_range_end"


def test_no_other_module_imports_dagster_internals():
    sources = [*PROJECT_ROOT.glob("orchestration/**/*.py"), *PROJECT_ROOT.glob("benchmarks/**/*.py")]
    private = [
        path.relative_to(PROJECT_ROOT).as_posix() for path in sources if PRIVATE_IMPORT.search(path.read_text("utf-8"))
    ]
    assert private == ["orchestration/dagster_private.py"]
