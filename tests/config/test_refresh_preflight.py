"""`ror refresh` refuses, before any work, what the user must fix: a missing landing folder or configuration file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROR = Path(sys.executable).with_name("ror")


def run_ror(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "DAGSTER_HOME": str(tmp_path / "dagster"), "HOME": str(tmp_path)}
    return subprocess.run([ROR, *args], env=env, capture_output=True, text=True, timeout=300)


def test_a_missing_landing_folder_is_an_error_before_any_work(tmp_path):
    serving = tmp_path / "wh" / "ror.duckdb"
    missing = str(tmp_path / "does-not-exist")
    result = run_ror("refresh", "--landing", missing, "--warehouse", str(serving), tmp_path=tmp_path)
    assert result.returncode == 2
    assert f"The landing folder {tmp_path / 'does-not-exist'} does not exist" in result.stderr
    assert "Traceback" not in result.stderr
    assert not serving.parent.exists()  # nothing was built


def test_a_named_but_missing_configuration_file_is_an_error_before_any_work(tmp_path):
    (tmp_path / "landing").mkdir()
    serving = tmp_path / "wh" / "ror.duckdb"
    result = run_ror(
        "refresh",
        "--landing",
        str(tmp_path / "landing"),
        "--warehouse",
        str(serving),
        "--config",
        str(tmp_path / "absent.yaml"),
        tmp_path=tmp_path,
    )
    assert result.returncode == 2
    assert f"{tmp_path / 'absent.yaml'}: the configuration file does not exist" in result.stderr
    assert not serving.parent.exists()
