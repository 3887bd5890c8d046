"""The private Dagster names this project needs, where Dagster exports no public equivalent: in one place, pinned by
tests/orchestration/test_dagster_private.py so that an upgrade that moves or renames them fails a test, not a run.

`ror backfill` starts one run over a range of partitions and `ror refresh` one partition through
``dagster.execute_job``, which takes tags but no partition argument: these are the tags Dagster itself reads.
"""

from dagster._core.storage.tags import (  # noqa: F401 (re-exported)
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
)

__all__ = ["ASSET_PARTITION_RANGE_END_TAG", "ASSET_PARTITION_RANGE_START_TAG", "PARTITION_NAME_TAG"]
