"""The refresh job's executor: one process, or the multiprocess executor with the warehouse's steps one at a time.

DuckDB allows one writer per file (and no reader beside a writer in another process), so every step that opens the
working database or the serving file carries the tag ``ror/warehouse_step`` and the multiprocess executor runs at most
one of them at a time (its tag concurrency limits). The steps that score the enrichment's hash buckets open no
database (orchestration/assets/enrichment.py): they run side by side, with each other and with one warehouse step.

Either way the run holds the warehouse's writer lock from its first step to its last: this executor takes it in the
run's orchestrating process (the `ror` process, or the run worker the UI, schedule or sensor started), and the step
processes find it held for their run (orchestration.resources).

``workers`` (run config ``execution: config: workers: N``; default ROR_ENRICH_WORKERS, else 1) is both the number of
hash buckets the pending texts are split into and the most step processes at a time. With 1, every step runs in one
process, as before: a step process re-imports the code location (torch, dbt, dagster-dbt), which costs more than
parallel steps save on a small daily refresh.
"""

from __future__ import annotations

from collections.abc import Iterator

from dagster import DagsterEvent, Executor, Field, InitExecutorContext, IntSource, executor
from dagster._core.definitions.executor_definition import multiple_process_executor_requirements
from dagster._core.execution.retries import RetryMode
from dagster._core.executor.in_process import InProcessExecutor
from dagster._core.executor.multiprocess import MultiprocessExecutor

from orchestration.instance import mark_run_abandoned
from orchestration.settings import Settings
from orchestration.warehouse_lock import LockHolder, warehouse_writer_lock

WAREHOUSE_STEP_TAG = "ror/warehouse_step"
# Tags of every op that opens a warehouse file: the multiprocess executor runs one of them at a time.
WAREHOUSE_STEP_TAGS = {WAREHOUSE_STEP_TAG: "duckdb"}
TAG_CONCURRENCY_LIMITS = [{"key": WAREHOUSE_STEP_TAG, "limit": 1}]
# The code location the step processes need, imported once by the forkserver and forked from it for each step.
PRELOADED_MODULES = ["orchestration.definitions"]


def run_workers(run_config: dict) -> int:
    """The workers a run was started with: its run config's, else the executor's default."""
    configured = run_config.get("execution", {}).get("config", {}).get("workers")
    return int(configured) if configured is not None else Settings.from_env().enrich_workers


class WarehouseRunExecutor(Executor):
    """Runs the plan with ``inner`` while this process holds the warehouse's writer lock for the run."""

    def __init__(self, inner: Executor):
        self.inner = inner

    @property
    def retries(self) -> RetryMode:
        return self.inner.retries

    @property
    def step_dependency_config(self):
        return self.inner.step_dependency_config

    def execute(self, plan_context, execution_plan) -> Iterator[DagsterEvent]:
        settings = Settings.from_env()

        def waiting(holder: LockHolder | None) -> None:
            who = holder.describe() if holder else "another process"
            plan_context.log.info(f"Waiting for the warehouse {settings.serving_path}: it is being refreshed by {who}")

        def abandoned(holder: LockHolder) -> None:
            mark_run_abandoned(plan_context.instance, holder, found_by=f"run {plan_context.run_id}")

        with warehouse_writer_lock(
            settings.working_path,
            command="dagster run",
            wait=True,
            run_id=plan_context.run_id,
            on_wait=waiting,
            on_abandoned=abandoned,
        ):
            yield from self.inner.execute(plan_context, execution_plan)


def _requirements(executor_config: dict):
    return multiple_process_executor_requirements() if executor_config["workers"] > 1 else []


@executor(
    name="ror_refresh_executor",
    config_schema={
        "workers": Field(
            IntSource,
            default_value=Settings.from_env().enrich_workers,
            description="Hash buckets of the pending texts, scored by this many processes at once; 1: every step in "
            "one process.",
        )
    },
    requirements=_requirements,
)
def ror_refresh_executor(init_context: InitExecutorContext) -> Executor:
    workers = init_context.executor_config["workers"]
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if workers == 1:
        return WarehouseRunExecutor(InProcessExecutor(retries=RetryMode.ENABLED))
    return WarehouseRunExecutor(
        MultiprocessExecutor(
            retries=RetryMode.ENABLED,
            max_concurrent=workers,
            tag_concurrency_limits=TAG_CONCURRENCY_LIMITS,
            start_method="forkserver",
            explicit_forkserver_preload=PRELOADED_MODULES,
        )
    )
