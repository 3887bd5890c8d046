"""Daily partitions: one partition per UTC day of interactions.

Today's partition exists (end_offset=1) so a refresh can run on the day's data so far; the schedule runs each day's
partition shortly after midnight. dbt models receive the partition window as vars and rebuild it with a lookback
for late data. Every asset of the refresh job uses a single-run backfill policy: a backfill over a range of days is
one run, so dbt's temporary tables never collide (dagster issues 17778, 23725).
"""

from dagster import DailyPartitionsDefinition

from orchestration.settings import Settings

daily_partitions = DailyPartitionsDefinition(
    start_date=Settings.from_env().partitions_start.isoformat(), end_offset=1, timezone="UTC"
)
