"""Daily partitions: one partition per UTC day of interactions.

Today's partition exists (end_offset=1) so a refresh can run on the day's data so far; the schedule runs each day's
partition shortly after midnight. The dbt models receive the partition window (orchestration.dbt_args) and rebuild it
with a lookback for late data. Every asset of the refresh job uses a single-run backfill policy: a backfill over a
range of days is one run, so dbt's temporary tables never collide (dagster issues 17778, 23725).
"""

from datetime import date

from dagster import DailyPartitionsDefinition


def daily_partitions_for(start: date) -> DailyPartitionsDefinition:
    return DailyPartitionsDefinition(start_date=start.isoformat(), end_offset=1, timezone="UTC")
