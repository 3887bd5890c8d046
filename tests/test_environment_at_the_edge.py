"""Settings arrive as values: the libraries read no environment variable (but the few named below, each with its
reason), and no module of the project writes the process environment.

The one module of the wiring that reads it is orchestration/settings.py (Settings.from_env, contact_salt), which the
`ror` commands and the code location call at their edge."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
LIBRARIES = ("ingest", "models", "report", "alerts", "generators", "extract")

# Library modules that may still read the environment, and why.
READS_ALLOWED = {
    # Credentials are secrets: read when the extract is set up, from the environment the caller passes (default:
    # the process's), never carried in a setting or run config.
    "extract/config.py": "API credentials (Secrets takes the environment as a parameter)",
    # A secret the configuration names (alerts.email.password_env), read when an alert is sent, never stored.
    "alerts/sending.py": "the SMTP password the configuration names",
}

# What changes the environment: these methods of os.environ, and these functions of os.
ENVIRON_WRITERS = {"update", "setdefault", "pop", "popitem", "clear", "__setitem__", "__delitem__"}
OS_WRITERS = {"putenv", "unsetenv"}
OS_READERS = {"environ", "environb", "getenv", "getenvb"}


class EnvironmentUse(ast.NodeVisitor):
    """Where a module reads or writes the process environment, by line: ``os.environ`` (however ``os`` or
    ``environ`` was imported), ``os.getenv``, ``os.putenv``."""

    def __init__(self) -> None:
        self.os_names: set[str] = set()  # names bound to the os module
        self.direct: dict[str, str] = {}  # names bound by `from os import environ` -> what they are
        self.reads: list[int] = []
        self.writes: list[int] = []

    def visit_Import(self, node: ast.Import) -> None:
        self.os_names |= {alias.asname or alias.name for alias in node.names if alias.name == "os"}

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module == "os":
            self.direct |= {alias.asname or alias.name: alias.name for alias in node.names}

    def os_member(self, node: ast.AST) -> str | None:
        """'environ', 'getenv', ... when ``node`` names that member of os."""
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in self.os_names:
            return node.attr
        if isinstance(node, ast.Name):
            return self.direct.get(node.id)
        return None

    def is_environ(self, node: ast.AST) -> bool:
        return self.os_member(node) in ("environ", "environb")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if self.os_member(node) in OS_READERS:
            self.reads.append(node.lineno)
        elif self.os_member(node) in OS_WRITERS:
            self.writes.append(node.lineno)
        if self.is_environ(node.value) and node.attr in ENVIRON_WRITERS:
            self.writes.append(node.lineno)
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        member = self.direct.get(node.id)
        if member in OS_READERS:
            self.reads.append(node.lineno)
        elif member in OS_WRITERS:
            self.writes.append(node.lineno)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if self.is_environ(node.value) and isinstance(node.ctx, ast.Store | ast.Del):
            self.writes.append(node.lineno)
        self.generic_visit(node)


def environment_use(path: Path) -> EnvironmentUse:
    use = EnvironmentUse()
    use.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return use


def project_modules() -> list[str]:
    """Every Python file git tracks, the tests aside (pytest's harness sets the test process's environment)."""
    tracked = subprocess.run(
        ["git", "ls-files", "*.py"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [name for name in tracked if not name.startswith("tests/")]


def test_the_scan_sees_every_spelling_of_a_read_and_a_write(tmp_path):
    module = tmp_path / "module.py"
    module.write_text(
        "import os\nimport os as system\nfrom os import environ as env, getenv\n"
        "os.environ['A'] = '1'\nsystem.environ.setdefault('B', '2')\nenv.update(C='3')\ndel os.environ['D']\n"
        "os.putenv('E', '5')\nos.environ.get('F')\ngetenv('G')\nsystem.getenv('H')\nx = {**env}\n"
    )
    use = environment_use(module)
    assert sorted(set(use.writes)) == [4, 5, 6, 7, 8]
    assert sorted(set(use.reads)) == [4, 5, 6, 7, 9, 10, 11, 12]


def test_no_module_of_the_project_writes_the_environment():
    writers = {name: environment_use(PROJECT_ROOT / name).writes for name in project_modules()}
    assert {name: lines for name, lines in writers.items() if lines} == {}


def test_the_libraries_read_no_environment_variable_but_the_named_secrets_and_tool_folders():
    libraries = [name for name in project_modules() if name.split("/")[0] in LIBRARIES]
    readers = {name for name in libraries if environment_use(PROJECT_ROOT / name).reads}
    assert readers - READS_ALLOWED.keys() == set()
    assert READS_ALLOWED.keys() - readers == set(), "no longer reads the environment: take it off the list"


def test_the_wiring_reads_the_environment_in_one_module():
    wiring = [name for name in project_modules() if name.split("/")[0] in ("orchestration", "ror_config")]
    assert {name for name in wiring if environment_use(PROJECT_ROOT / name).reads} == {"orchestration/settings.py"}
