"""The ingest profile (benchmarks.ingest_profile) accounts for every file and row of the days it samples."""

from __future__ import annotations

import shutil

from benchmarks.ingest_profile import main, profile, sampled_files


def _landing(root, fixtures):
    """Three day folders as ``ror generate`` lays them out, with exports from the fixtures."""
    for day, exports in (
        ("2025-01-01", [fixtures / "x_twitter_v2" / "cotweet.jsonl", fixtures / "hubspot" / "contact_data.csv"]),
        ("2025-01-02", [fixtures / "x_twitter_v2" / "edited.jsonl"]),
        ("2025-01-03", [fixtures / "hubspot" / "deal_data.csv"]),
    ):
        folder = root / day / "exports"
        folder.mkdir(parents=True)
        for export in exports:
            shutil.copy(export, folder / export.name)
    return root


def test_the_sample_spreads_over_the_days_and_every_file_and_row_is_counted(tmp_path, fixtures_dir):
    landing = _landing(tmp_path / "landing", fixtures_dir)
    assert [path.parent.parent.name for path in sampled_files(landing, 2)] == ["2025-01-01", "2025-01-01", "2025-01-03"]
    files = sampled_files(landing, 0)
    result = profile(files, batch_rows=1)  # a batch per file: the loader's batching does not change what is counted
    by_format = result["read_seconds"]
    assert result["files"] == len(files) == 4
    assert sum(figures["files"] for figures in by_format.values()) == 4
    assert by_format["x_api_v2"]["files"] == 2
    assert result["rows"] == sum(figures["rows"] for figures in by_format.values()) > 0
    assert all(
        figures["seconds"] >= -0.01 for figures in by_format.values()
    )  # hashing and detection subtracted, not more
    assert result["grouped_read_seconds"] > 0


def test_the_command_prints_the_profile_and_writes_the_call_profile_when_asked(tmp_path, fixtures_dir, capsys):
    landing = _landing(tmp_path / "landing", fixtures_dir)
    assert main([str(landing), "--days", "0", "--cprofile", str(tmp_path / "ingest.prof")]) == 0
    assert '"x_api_v2"' in capsys.readouterr().out
    assert (tmp_path / "ingest.prof").stat().st_size > 0
