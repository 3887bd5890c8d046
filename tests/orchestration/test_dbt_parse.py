"""A refresh parses the dbt project only when a file dbt reads changed since the manifest was written."""

from pathlib import Path

from orchestration.dbt_project import FINGERPRINT_FILE, manifest_is_current, prepare, project_fingerprint


def _project(root: Path) -> Path:
    (root / "models" / "marts").mkdir(parents=True)
    (root / "dbt_project.yml").write_text("name: tiny\n")
    (root / "models" / "marts" / "a.sql").write_text("select 1 as one\n")
    (root / "seeds").mkdir()
    (root / "seeds" / "s.csv").write_text("x\n1\n")
    return root


class _Project:
    def __init__(self, project_dir: Path) -> None:
        self.project_dir = project_dir
        self.manifest_path = project_dir / "target" / "manifest.json"
        self.parses = 0

    def parse(self, project) -> None:
        self.parses += 1
        Path(project.manifest_path).parent.mkdir(parents=True, exist_ok=True)
        Path(project.manifest_path).write_text("{}")


def test_fingerprint_follows_what_dbt_parses_and_ignores_its_output(tmp_path):
    project = _project(tmp_path)
    before = project_fingerprint(project)
    (project / "target").mkdir()
    (project / "target" / "run_results.json").write_text("{}")
    (project / "logs").mkdir()
    (project / "logs" / "dbt.log").write_text("ran")
    assert project_fingerprint(project) == before
    (project / "models" / "marts" / "a.sql").write_text("select 2 as two\n")
    assert project_fingerprint(project) != before
    (project / "models" / "marts" / "a.sql").write_text("select 1 as one\n")
    assert project_fingerprint(project) == before
    (project / "seeds" / "s.csv").write_text("x\n2\n")
    assert project_fingerprint(project) != before


def test_prepare_parses_once_until_the_project_changes(tmp_path):
    project = _Project(_project(tmp_path))
    prepare(project, parse=project.parse)
    assert project.parses == 1
    assert (project.manifest_path.with_name(FINGERPRINT_FILE)).exists()
    assert manifest_is_current(project.project_dir, project.manifest_path)
    prepare(project, parse=project.parse)
    assert project.parses == 1, "an unchanged project must not be parsed again"
    (project.project_dir / "models" / "marts" / "b.sql").write_text("select 3 as three\n")
    prepare(project, parse=project.parse)
    assert project.parses == 2
    project.manifest_path.unlink()
    prepare(project, parse=project.parse)
    assert project.parses == 3, "a missing manifest is always parsed"


def test_the_dbt_dagster_runs_tells_its_version_without_asking_pypi(tmp_path):
    # dagster-dbt runs `dbt --version` before every dbt command; dbt's own asks PyPI for the latest release (a network
    # call on every refresh, seconds without a network) and imports dbt. The warehouse's dbt answers from the package.
    import subprocess
    from importlib.metadata import version

    from dagster_dbt import DbtProject

    from orchestration.dbt_project import DBT_PROJECT_DIR, dbt_cli, write_profile

    write_profile(tmp_path, tmp_path / "ror.work.duckdb", {})
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=tmp_path, target_path=tmp_path / "target")
    executable = dbt_cli(project).dbt_executable
    assert Path(executable).parent == tmp_path
    answer = subprocess.run([executable, "--version"], capture_output=True, text=True, timeout=60, check=True).stdout
    assert f"installed: {version('dbt-core')}" in answer
    assert "latest" not in answer, "dbt asked PyPI for its latest version"
    # any other command is dbt's own
    help_text = subprocess.run([executable, "--help"], capture_output=True, text=True, timeout=120, check=True).stdout
    assert "build" in help_text
