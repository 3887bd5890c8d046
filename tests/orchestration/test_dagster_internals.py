"""No module reaches into Dagster's private modules: an upgrade that moves them cannot break a run."""

import re
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PRIVATE_IMPORT = re.compile(r"^\s*(from|import)\s+dagster(_\w+)?\._", re.MULTILINE)


def test_no_module_imports_dagster_internals():
    sources = [*PROJECT_ROOT.glob("orchestration/**/*.py"), *PROJECT_ROOT.glob("benchmarks/**/*.py")]
    private = [
        path.relative_to(PROJECT_ROOT).as_posix() for path in sources if PRIVATE_IMPORT.search(path.read_text("utf-8"))
    ]
    assert private == []
