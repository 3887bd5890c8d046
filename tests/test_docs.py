"""The README and docs/ cannot go stale: every relative link resolves (file and anchor), every page lists its
sections, and each number that describes the project is checked against the code or file it comes from."""

from __future__ import annotations

import inspect
import re
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from extract.config import ExtractConfig
from generators import DEMO, write_demo_exports
from ingest import limits
from orchestration.cli import errors as cli
from orchestration.landing import STABILITY_CHECK_SECONDS
from orchestration.settings import Settings
from ror_config.loading import MAX_REPEATED_VALUES
from ror_config.models import MAX_ACCOUNTS_PER_COMPETITOR, MAX_COMPETITORS_PER_BRAND

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
CODE_BLOCK = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def _prose(path: Path) -> str:
    return CODE_BLOCK.sub("", path.read_text(encoding="utf-8"))


def _anchor(heading: str) -> str:
    """GitHub's anchor of a markdown heading: lowercase, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return {_anchor(line.lstrip("#")) for line in _prose(path).splitlines() if line.startswith("#")}


def _section(path: Path, heading: str) -> str:
    text = path.read_text(encoding="utf-8")
    start = text.index(f"\n{heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_relative_link_resolves_to_a_file_and_anchor(page):
    broken = []
    for target in LINK.findall(_prose(page)):
        if re.match(r"[a-z]+:", target):
            continue
        file_part, _, anchor = target.partition("#")
        linked = (page.parent / file_part).resolve() if file_part else page
        if not linked.exists():
            broken.append(target)
        elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
            broken.append(target)
    assert broken == []


@pytest.mark.parametrize("page", [p for p in PAGES[1:] if p.name != "metrics_glossary.md"], ids=lambda p: p.name)
def test_each_docs_page_has_a_table_of_contents_of_its_sections(page):
    text = page.read_text(encoding="utf-8")
    headings = [line.lstrip("#").strip() for line in _prose(page).splitlines() if re.match(r"#{2,3} ", line)]
    contents = text[: text.index("\n## ")]
    assert [_anchor(h) for h in headings] == re.findall(r"\]\(#([^)]+)\)", contents)


def test_every_speed_and_memory_figure_in_the_readme_is_one_benchmarks_md_reports():
    """README quotes BENCHMARKS.md's figures and must not drift from them when they are measured again."""
    figure = re.compile(r"\d[\d,.]*(?:-\d[\d,.]*)? (?:s|min|GiB|MiB|texts/s)\b")
    quoted = figure.findall(_section(ROOT / "README.md", "## How fast, on two cores"))
    measured = set(figure.findall((ROOT / "BENCHMARKS.md").read_text(encoding="utf-8")))
    assert quoted, "the README's speed section quotes no figure"
    assert [f for f in quoted if f not in measured] == []


def test_the_readme_points_to_every_docs_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pages = {p.name for p in PAGES[1:]}
    assert {name for name in pages if f"(docs/{name})" not in readme} == set()


def test_the_exit_codes_documented_are_the_cli_s():
    documented = _section(ROOT / "docs" / "operations.md", "## The command line")
    codes = {int(code) for code in re.findall(r"`(\d+)` ", documented.split("**Exit codes**")[1].split("\n\n")[0])}
    assert codes == {
        cli.EXIT_OK,
        cli.EXIT_FAILED,
        cli.EXIT_USAGE,
        cli.EXIT_INPUT,
        cli.EXIT_WAREHOUSE_BUSY,
        cli.EXIT_INTERRUPTED,
    }


def test_the_limits_table_is_ingest_limits():
    table = _section(ROOT / "docs" / "your-own-data.md", "### Limits")
    for platform, earliest in limits.EARLIEST.items():
        if platform != "meta":  # Meta ads share Facebook's date, listed once
            assert f"{earliest:%Y-%m-%d}" in table, platform
    assert f"ads, CRM and mapped tools {limits.DEFAULT_EARLIEST:%Y-%m-%d}" in table
    assert f"{limits.MAX_TEXT_CHARS:,} characters" in table
    assert f"{limits.MAX_RECORD_BYTES // 2**20} MiB" in table
    assert f"{limits.MAX_DOCUMENT_BYTES // 2**20} MiB" in table
    assert f"0 to 10^{len(str(limits.MAX_COUNT)) - 1}" in table
    assert f"first {limits.MAX_SCORED_TEXT_CHARS:,} characters" in table
    assert "more than a day after" in table and limits.FUTURE_TOLERANCE.days == 1
    assert all(isinstance(d, datetime) for d in limits.EARLIEST.values())


def test_every_ror_variable_the_docs_name_is_read_by_the_code():
    named = set()
    for page in PAGES:
        named |= set(re.findall(r"\bROR_[A-Z0-9_]*[A-Z0-9]\b", page.read_text(encoding="utf-8")))
    sources = [p for p in ROOT.rglob("*") if p.suffix in {".py", ".yml", ".yaml", ".sql"} or p.name in {"Makefile"}]
    code = "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in sources
        if ".venv" not in p.parts and "tests" not in p.parts and p.is_file()
    )
    code += (ROOT / ".env.example").read_text(encoding="utf-8")
    assert {name for name in named if name not in code} == set()


def test_the_model_figures_are_the_evaluation_s():
    """Every decimal figure of docs/models.md is one models/EVALUATION.md or models/README.md reports."""
    reported = "".join((ROOT / "models" / name).read_text(encoding="utf-8") for name in ("EVALUATION.md", "README.md"))
    figures = set(re.findall(r"\d+\.\d+%?", _prose(ROOT / "docs" / "models.md")))
    assert figures and {figure for figure in figures if figure not in reported} == set()


def test_the_dashboards_counted_are_the_dashboards_as_code():
    count = len(list((ROOT / "bi" / "assets" / "dashboards").glob("*.yaml")))
    words = {4: "Four", 6: "Six"}
    assert f"{words.get(count, count)} dashboards, kept as code" in (ROOT / "docs" / "bi.md").read_text(
        encoding="utf-8"
    )


def test_the_documented_extract_settings_are_the_defaults():
    page = (ROOT / "docs" / "apis.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(extract:.*?)```", page, re.DOTALL).group(1)
    documented = ExtractConfig.model_validate(yaml.safe_load(block)["extract"]).model_dump()
    defaults = ExtractConfig().model_dump()

    def numbers(tree: dict, prefix: str = "") -> dict[str, float]:
        found = {}
        for key, value in tree.items():
            if isinstance(value, dict):
                found |= numbers(value, f"{prefix}{key}.")
            elif isinstance(value, int | float) and not isinstance(value, bool):
                found[prefix + key] = value
        return found

    assert numbers(documented) == numbers(defaults)


def test_the_configuration_limits_and_waits_are_the_code_s():
    own_data = (ROOT / "docs" / "your-own-data.md").read_text(encoding="utf-8")
    operations = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    assert f"at most {MAX_COMPETITORS_PER_BRAND} per brand" in own_data
    assert f"per platform; at most {MAX_ACCOUNTS_PER_COMPETITOR}" in own_data
    assert f"at most {MAX_REPEATED_VALUES:,} values" in operations
    assert f"over a {STABILITY_CHECK_SECONDS:g} s look" in operations
    assert f"the same over {STABILITY_CHECK_SECONDS:g} s is complete" in operations
    assert f"`ROR_SETTLE_SECONDS` (default {Settings.from_env({}).settle_seconds:g})" in operations


def test_the_demo_the_readme_describes_is_the_generator_s():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    days = inspect.signature(write_demo_exports).parameters["days"].default
    brands = {3: "three"}.get(DEMO.brands, DEMO.brands)
    assert f"({brands} brands, {days} days," in readme
