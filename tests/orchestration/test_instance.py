"""The instance the project writes queues runs of one warehouse one at a time and monitors runs."""

import subprocess
import sys

from dagster import DagsterInstance, DagsterRunStatus
from support.run_queue import runs_the_queue_would_start, submit

from orchestration.instance import INSTANCE_CONFIG, LEGACY_CONTENT, WAREHOUSE_TAG, open_instance, write_instance_config
from orchestration.settings import PROJECT_ROOT


def test_two_runs_of_one_warehouse_submitted_together_start_one_after_the_other(tmp_path):
    write_instance_config(tmp_path)
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        assert instance.run_monitoring_enabled

        def run(warehouse: str, status: DagsterRunStatus = DagsterRunStatus.QUEUED) -> str:
            return submit(instance, {WAREHOUSE_TAG: warehouse}, status)

        # The schedule and the sensor submit a run of warehouse a at the same moment; warehouse b is independent.
        first, second, elsewhere = run("/w/a.duckdb"), run("/w/a.duckdb"), run("/w/b.duckdb")
        # `ror refresh` runs warehouse c in its own process (not through the queue); a sensor run of c arrives.
        run("/w/c.duckdb", DagsterRunStatus.STARTED)
        behind_the_cli = run("/w/c.duckdb")

        to_start = runs_the_queue_would_start(instance)
        assert to_start == {first, elsewhere}
        assert second not in to_start and behind_the_cli not in to_start


def test_the_project_keeps_its_instance_file_current_but_never_overwrites_a_hand_written_one(tmp_path):
    legacy, own, hand = tmp_path / "legacy", tmp_path / "own", tmp_path / "hand"
    for home, text in ((legacy, LEGACY_CONTENT), (own, INSTANCE_CONFIG.replace("300", "5")), (hand, "telemetry: {}\n")):
        home.mkdir()
        (home / "dagster.yaml").write_text(text)
        write_instance_config(home)
    assert (legacy / "dagster.yaml").read_text() == INSTANCE_CONFIG
    assert (own / "dagster.yaml").read_text() == INSTANCE_CONFIG
    assert (hand / "dagster.yaml").read_text() == "telemetry: {}\n"


def test_processes_opening_a_fresh_instance_at_the_same_moment_all_open_it(tmp_path):
    """Unserialised, about half of four processes opening a fresh SQLite instance at once failed on alembic's "more
    than one head", and so did every later open of that instance: two refreshes submitted together once did."""
    opening = "import sys\nfrom pathlib import Path\nfrom orchestration.instance import open_instance\n"
    opening += "with open_instance(Path(sys.argv[1])) as instance:\n    instance.get_runs()\n"
    for trial in range(3):
        home = tmp_path / f"home{trial}"
        write_instance_config(home)
        together = [
            subprocess.Popen([sys.executable, "-c", opening, str(home)], cwd=PROJECT_ROOT, stderr=subprocess.PIPE)
            for _ in range(4)
        ]
        failed = [process.communicate()[1].decode()[-300:] for process in together if process.wait() != 0]
        assert not failed
        with open_instance(home) as instance:
            assert instance.get_runs() == []
