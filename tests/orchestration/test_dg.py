"""The project is a `dg` project: Dagster's own CLI loads the same definitions as workspace.yaml."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DG = Path(sys.executable).with_name("dg")


def dg(*args: str, home: Path) -> subprocess.CompletedProcess:
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return subprocess.run(
        [DG, *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DAGSTER_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_dg_checks_and_lists_the_definitions(tmp_path: Path) -> None:
    result = dg("check", "defs", home=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "All definitions loaded successfully" in result.stdout + result.stderr

    result = dg("list", "defs", "--json", home=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    listed = json.loads(result.stdout)
    groups = {asset["asset_key"]: asset["group_name"] for asset in listed["assets"]}
    assert groups["raw/interactions"] == "raw"
    assert groups["enrichment/text_enrichment"] == "enrichment"
    assert groups["marts/ror_scorecard"] == "marts"
    assert groups["serving_warehouse"] == "serving"
    assert groups["ror_report"] == "report"
    assert any(job["name"] == "ror_refresh" for job in listed["jobs"])
