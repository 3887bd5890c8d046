"""benchmarks.ingest_folder refuses a landing folder that is not there, instead of timing an empty ingest."""

import pytest

from benchmarks.ingest_folder import main


def test_a_missing_landing_folder_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([str(tmp_path / "no_such_landing")])
    assert exit_info.value.code == 2
    assert "no such folder" in capsys.readouterr().err
