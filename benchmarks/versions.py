"""Which code a benchmark runs: this checkout, and optionally a baseline commit beside it.

The issue's check is "new code and the commit before it side by side on the same machine in one run": timings taken
in different sessions on a shared machine are not comparable. So the suite can run every measure twice, on the same
generated input, once with each version. A baseline is the commit's tree exported with ``git archive`` (no worktree
to clean up); both versions run from the same virtual environment, each first on ``PYTHONPATH`` so its packages win
over the editable install.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class CodeVersion:
    label: str  # what the tables print: "new 1a77963", "baseline f087f0a"
    root: Path  # the tree holding orchestration/, ingest/, dbt_project/ ...

    def env(self, dagster_home: Path) -> dict[str, str]:
        return {
            **os.environ,
            "DAGSTER_HOME": str(dagster_home),
            "PYTHONPATH": str(self.root),
            "PYTHONWARNINGS": "ignore",
        }

    @property
    def slug(self) -> str:
        """The folder name of this version's warehouse and logs: "new" or "baseline"."""
        return self.label.split()[0]

    @property
    def dbt_project(self) -> Path:
        return self.root / "dbt_project"


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(PROJECT_ROOT), *args], check=True, capture_output=True, text=True).stdout


def this_checkout() -> CodeVersion:
    """The code being measured; "+changes" when the checkout differs from its commit."""
    changed = "+changes" if _git("status", "--porcelain", "--untracked-files=no").strip() else ""
    return CodeVersion(f"new {_git('rev-parse', '--short', 'HEAD').strip()}{changed}", PROJECT_ROOT)


def commit_of(ref: str) -> str:
    """The short hash of ``ref`` (a commit, branch or tag of this repository); CalledProcessError if it names none."""
    return _git("rev-parse", "--short", f"{ref}^{{commit}}").strip()


def baseline(ref: str, into: Path) -> CodeVersion:
    """The tree of ``ref`` (a commit, branch or tag of this repository) written to ``into``."""
    commit = commit_of(ref)
    into.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(PROJECT_ROOT), "archive", "--format=tar", commit], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return CodeVersion(f"baseline {commit}", into)
