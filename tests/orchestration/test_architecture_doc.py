"""docs/architecture.md cannot go stale: every function its trails name exists, is named in the code of a function
listed before it in the same trail, and the three values arrive where the trails end."""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

import polars as pl
import yaml

from orchestration.assets.enrichment import bucket_of
from orchestration.cli.launcher import refresh_run_config
from orchestration.cli.refresh import configure
from orchestration.executor import inner_executor_config, run_workers
from orchestration.names import WAREHOUSE_TAG

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DOC = PROJECT_ROOT / "docs" / "architecture.md"
TRAIL_ITEM = re.compile(r"^\d+\. `([\w.]+)`", re.MULTILINE)


def trails() -> dict[str, list[str]]:
    sections = re.split(r"^### ", DOC.read_text("utf-8"), flags=re.MULTILINE)[1:]
    return {section.splitlines()[0]: TRAIL_ITEM.findall(section) for section in sections}


def source_of(dotted: str) -> str:
    """The source of a module-level function or class (or a class's method) named by its dotted path."""
    parts = dotted.split(".")
    for split in range(1, len(parts)):  # the longest prefix that is a module
        try:
            found = importlib.util.find_spec(".".join(parts[:split]))
        except ModuleNotFoundError:
            break
        if found is not None:
            spec = found
            names = parts[split:]
    text = Path(spec.origin).read_text("utf-8")
    nodes: list[ast.AST] = ast.parse(text).body
    node = None
    for name in names:
        node = next(n for n in nodes if getattr(n, "name", None) == name)
        nodes = getattr(node, "body", [])
    return ast.get_source_segment(text, node, padded=False)


def test_the_doc_follows_the_three_values():
    assert set(trails()) == {"`--warehouse`", "`--config`", "The worker count (`ROR_ENRICH_WORKERS`)"}
    assert all(len(trail) >= 10 for trail in trails().values())


def test_every_function_named_exists_and_is_reached_from_an_earlier_one():
    for value, trail in trails().items():
        sources = [source_of(dotted) for dotted in trail]  # raises StopIteration for a name that is gone
        for index, dotted in enumerate(trail[1:], start=1):
            names = dotted.split(".")[-2:] if dotted.split(".")[-2][0].isupper() else dotted.split(".")[-1:]
            callers = "\n".join(sources[:index])
            assert any(re.search(rf"\b{name}\b", callers) for name in names), f"{value}: nothing before {dotted}"


def test_the_values_arrive_where_the_trails_end(defs_with, location_settings, tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))  # configure readies the instance's folder
    monkeypatch.setenv("ROR_ENRICH_WORKERS", "3")
    config = tmp_path / "ror.yaml"
    config.write_text(yaml.safe_dump({"brands": [{"id": "acme", "name": "Acme"}]}))
    settings = configure(None, location_settings.serving_path, config)
    assert settings.enrich_workers == 3
    defs = defs_with(config_path=settings.config_path, enrich_workers=settings.enrich_workers)

    # --warehouse
    assert defs.resources["warehouse"].serving_path == str(location_settings.serving_path)
    assert defs.resolve_job_def("ror_refresh").tags[WAREHOUSE_TAG] == str(location_settings.serving_path)
    profile = (location_settings.dbt_folder / "profiles.yml").read_text()
    assert f'"{location_settings.working_path}"' in profile
    # --config
    assert [brand.id for brand in defs.resources["ror_config"].load().brands] == ["acme"]
    # the worker count
    run_config = refresh_run_config(settings, quiet=True)
    assert run_workers(run_config, default=1) == 3
    assert inner_executor_config(run_workers(run_config, default=1))[1]["max_concurrent"] == 3
    assert defs.resources["enrichment"].default_workers == 3
    hashes = pl.DataFrame({"text_hash": [f"{i:08x}" + "0" * 56 for i in range(30)]})
    assert set(hashes.select(bucket_of(pl.col("text_hash"), 3)).to_series()) == {0, 1, 2}
