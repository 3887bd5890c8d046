"""The progress bars and the summary's check counts follow a run through the instance's storage, from a thread. A
busy storage (SQLite locked by the run's own writes on a loaded machine) must cost no event, and a failure to follow
must reach `ror refresh`, not end the thread quietly and leave a summary that counts no checks."""

import pytest
from dagster import DagsterEventType, DagsterInstance, asset, materialize
from sqlalchemy.exc import OperationalError

from orchestration.cli import launcher


class BusyStorage:
    """A real instance whose event reads fail, the first ``times`` calls, as a locked SQLite database fails them."""

    def __init__(self, instance: DagsterInstance, times: int) -> None:
        self.instance, self.busy_reads_left = instance, times

    def __getattr__(self, name):
        return getattr(self.instance, name)

    def get_records_for_run(self, *args, **kwargs):
        if self.busy_reads_left:
            self.busy_reads_left -= 1
            raise OperationalError("select ... from event_logs", {}, Exception("database is locked"))
        return self.instance.get_records_for_run(*args, **kwargs)


class Recorder:
    def __init__(self) -> None:
        self.events: list[DagsterEventType] = []

    def listen(self, entry) -> None:
        self.events.append(entry.dagster_event_type)


@asset
def greeting() -> str:
    return "hello"


def test_events_the_busy_storage_refused_are_read_again_each_once(tmp_path):
    recorder = Recorder()
    with DagsterInstance.local_temp(str(tmp_path)) as instance:
        storage = BusyStorage(instance, times=3)
        with launcher.following(storage, recorder, {}) as tags:
            assert materialize([greeting], instance=instance, tags=tags).success
    assert storage.busy_reads_left == 0
    assert recorder.events.count(DagsterEventType.STEP_SUCCESS) == 1
    assert recorder.events.count(DagsterEventType.ASSET_MATERIALIZATION) == 1
    assert recorder.events[-1] == DagsterEventType.RUN_SUCCESS


def test_a_storage_that_stays_busy_after_the_run_fails_the_command_instead_of_a_silent_summary(tmp_path, monkeypatch):
    monkeypatch.setattr(launcher, "FINAL_READ_ATTEMPTS", 2)
    with DagsterInstance.local_temp(str(tmp_path)) as instance:
        with pytest.raises(OperationalError, match="database is locked"):
            with launcher.following(BusyStorage(instance, times=10**6), Recorder(), {}) as tags:
                assert materialize([greeting], instance=instance, tags=tags).success
