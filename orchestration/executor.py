"""The refresh job's executor: one process, or the multiprocess executor with the warehouse's steps one at a time.

DuckDB allows one writer per file (and no reader beside a writer in another process), so every step that opens the
working database or the serving file carries the tag ``ror/warehouse_step`` (orchestration.names) and the multiprocess
executor runs at most one of them at a time (its tag concurrency limits). The steps that score the enrichment's hash
buckets open no database (orchestration/assets/enrichment.py): they run side by side, with each other and with one
warehouse step.

Either way the run holds the warehouse's writer lock from its first step to its last: this executor takes it in the
run's orchestrating process (the `ror` process, or the run worker the UI, schedule or sensor started), and the step
processes find it held for their run (orchestration.resources).

``workers`` (run config ``execution: config: workers: N``; default: the settings' enrich_workers) is both the number of
hash buckets the pending texts are split into and the most step processes at a time. With 1, every step runs in one
process: a step process re-imports the code location (torch, dbt, dagster-dbt), which costs more than parallel steps
save on a small daily refresh. Both inner executors are Dagster's own, made through their public definitions.

A deployment with Celery workers (orchestration.deployment, `make cluster-up`) runs every step as a task on them
(dagster-celery's executor) instead: Celery has no tag limits, so the warehouse steps are held one at a time by the
instance's pool limit (their pool, orchestration.names.WAREHOUSE_POOL). ``workers`` still splits the pending texts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from dagster import (
    DagsterEvent,
    Executor,
    ExecutorDefinition,
    Field,
    InitExecutorContext,
    IntSource,
    executor,
    in_process_executor,
    multiprocess_executor,
)

from orchestration.instance import mark_run_abandoned
from orchestration.names import TAG_CONCURRENCY_LIMITS
from orchestration.settings import working_database_for
from orchestration.warehouse_lock import LockHolder, warehouse_writer_lock

# The module the step processes need, imported once by the forkserver and forked from it for each step: the
# definitions factory and everything it imports (torch, dbt, dagster-dbt), without building anything.
PRELOADED_MODULES = ["orchestration.build"]
RETRIES = {"enabled": {}}


def run_workers(run_config: dict, default: int) -> int:
    """The workers a run was started with: its run config's, else the executor's default."""
    configured = run_config.get("execution", {}).get("config", {}).get("workers")
    return int(configured) if configured is not None else default


def run_serving_path(run_config: dict, default: Path) -> Path:
    """The warehouse a run writes: its run config's warehouse resource (a run `ror refresh` submitted to the queue,
    orchestration.cli.queued), else the job's own."""
    configured = run_config.get("resources", {}).get("warehouse", {}).get("config", {}).get("serving_path")
    return Path(configured) if configured else default


def inner_executor_config(workers: int, celery: Mapping | None = None) -> tuple[ExecutorDefinition, dict]:
    """Dagster's executor for this many workers, and its config; ``celery``: dagster-celery's, with that config."""
    if celery is not None:
        from dagster_celery import celery_executor  # the cluster extra: only a deployment with workers needs it

        return celery_executor, {**celery, "retries": RETRIES}
    if workers == 1:
        return in_process_executor, {"retries": RETRIES}
    return multiprocess_executor, {
        "max_concurrent": workers,
        "tag_concurrency_limits": TAG_CONCURRENCY_LIMITS,
        "retries": RETRIES,
        "start_method": {"forkserver": {"preload_modules": PRELOADED_MODULES}},
    }


class WarehouseRunExecutor(Executor):
    """Runs the plan with ``inner`` while this process holds the warehouse's writer lock for the run."""

    def __init__(self, inner: Executor, serving_path: Path):
        self.inner = inner
        self.serving_path = serving_path

    @property
    def retries(self):
        return self.inner.retries

    @property
    def step_dependency_config(self):
        return self.inner.step_dependency_config

    def __getattr__(self, name: str):
        """What the inner executor's own loop reads from the run's executor (dagster-celery's: app_args)."""
        if name == "inner":  # not set yet (unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.inner, name)

    def execute(self, plan_context, execution_plan) -> Iterator[DagsterEvent]:
        serving_path = run_serving_path(plan_context.dagster_run.run_config, self.serving_path)

        def waiting(holder: LockHolder | None) -> None:
            who = holder.describe() if holder else "another process"
            plan_context.log.info(f"Waiting for the warehouse {serving_path}: it is being refreshed by {who}")

        def abandoned(holder: LockHolder) -> None:
            mark_run_abandoned(plan_context.instance, holder, found_by=f"run {plan_context.run_id}")

        with warehouse_writer_lock(
            working_database_for(serving_path),
            command="dagster run",
            wait=True,
            run_id=plan_context.run_id,
            on_wait=waiting,
            on_abandoned=abandoned,
        ):
            yield from self.inner.execute(plan_context, execution_plan)


def refresh_executor(serving_path: Path, default_workers: int, celery: Mapping | None = None) -> ExecutorDefinition:
    """The executor of a warehouse's refresh job; ``default_workers`` when the run config names none; ``celery``:
    the deployment's Celery executor config (steps on its workers)."""

    def requirements(executor_config: dict):
        definition, config = inner_executor_config(executor_config["workers"], celery)
        return definition.get_requirements(config)

    @executor(
        name="ror_refresh_executor",
        config_schema={
            "workers": Field(
                IntSource,
                default_value=default_workers,
                description="Hash buckets of the pending texts, scored by this many processes at once; 1: every step "
                "in one process.",
            )
        },
        requirements=requirements,
    )
    def ror_refresh_executor(init_context: InitExecutorContext) -> Executor:
        workers = init_context.executor_config["workers"]
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        definition, config = inner_executor_config(workers, celery)
        inner = definition.executor_creation_fn(
            InitExecutorContext(
                job=init_context.job, executor_def=definition, executor_config=config, instance=init_context.instance
            )
        )
        return WarehouseRunExecutor(inner, serving_path)

    return ror_refresh_executor
