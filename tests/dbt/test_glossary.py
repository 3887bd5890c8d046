"""docs/metrics_glossary.md is generated from the dbt YAML and must be committed up to date."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_committed_glossary_is_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_glossary.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_glossary_lists_every_mart_with_formulas_and_vars() -> None:
    glossary = (ROOT / "docs" / "metrics_glossary.md").read_text()
    assert "| `engagement_rate_by_impressions` | double | Formula: engagements of posts with impressions" in glossary
    assert "| `spike_k` | `2` |" in glossary
    assert glossary.count("### `marts.") == 17
    # the platform x metric table: X feeds amplification, Instagram gives no shares
    assert "| `engagement_quality.amplification_rate_per_post` | yes | yes |  |  |  | yes |" in glossary
