"""Set up and serve Superset on the ROR serving file: `setup` initialises the metadata and imports the dashboards,
`serve` runs it on 127.0.0.1. Runs with bi/.venv's Python (Superset's own dependencies stay out of the project's venv).

    bi/.venv/bin/python bi/superset_ror.py setup --serving-file data/warehouse/ror.duckdb
    bi/.venv/bin/python bi/superset_ror.py serve --port 8088
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

BI_DIR = Path(__file__).resolve().parent
ASSETS = BI_DIR / "assets"
SERVING_FILE_PLACEHOLDER = "__SERVING_FILE__"
ADMIN = "admin"


def bi_home() -> Path:
    return Path(os.environ.get("ROR_BI_HOME", BI_DIR / ".superset")).resolve()


def superset_env() -> dict[str, str]:
    return {
        **os.environ,
        "SUPERSET_CONFIG_PATH": str(BI_DIR / "superset_config.py"),
        "ROR_BI_HOME": str(bi_home()),
        "FLASK_APP": "superset",
    }


def admin_password() -> str:
    """ROR_BI_ADMIN_PASSWORD when set; else one generated on the first setup and kept in ROR_BI_HOME."""
    if password := os.environ.get("ROR_BI_ADMIN_PASSWORD"):
        return password
    password_file = bi_home() / "admin_password"
    if not password_file.exists():
        password_file.parent.mkdir(parents=True, exist_ok=True)
        password_file.touch(mode=0o600)
        password_file.write_text(secrets.token_urlsafe(12))
    return password_file.read_text().strip()


def _superset(*args: str) -> str:
    """Run one `superset` command; its logs are shown only when it fails."""
    done = subprocess.run(
        [str(Path(sys.executable).with_name("superset")), *args], env=superset_env(), capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"`superset {args[0]}` failed (its log is above); fix that and run `make bi` again.")
    return done.stdout + done.stderr


def render_assets(serving_file: Path, target: Path) -> None:
    """Copy bi/assets with the serving file's absolute path in the database definition."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(ASSETS, target)
    database = target / "databases" / "ror_warehouse.yaml"
    database.write_text(database.read_text().replace(SERVING_FILE_PLACEHOLDER, str(serving_file)))


def setup(serving_file: Path) -> None:
    if not serving_file.is_file():
        raise SystemExit(f"No serving file at {serving_file}: run `make demo` first, or point ROR_WAREHOUSE at one.")
    _superset("db", "upgrade")
    if f"username:{ADMIN} |" not in _superset("fab", "list-users"):
        _superset(
            "fab",
            "create-admin",
            "--username",
            ADMIN,
            "--firstname",
            "ROR",
            "--lastname",
            "Admin",
            "--email",
            "admin@localhost",
            "--password",
            admin_password(),
        )
    _superset("init")
    rendered = bi_home() / "assets"
    render_assets(serving_file, rendered)
    log = _superset("import-directory", "--overwrite", str(rendered))
    if "An error occurred" in log:
        sys.stderr.write(log[-4000:])
        raise SystemExit("Importing bi/assets failed (the log is above); fix the YAML and run `make bi` again.")


def serve(host: str, port: int) -> None:
    print(f"Superset on http://{host}:{port}/dashboard/list/  (user {ADMIN}, password {admin_password()})", flush=True)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    os.execve(
        str(gunicorn),
        [
            str(gunicorn),
            "--bind",
            f"{host}:{port}",
            "--workers",
            "1",
            "--threads",
            "8",
            "--timeout",
            "120",
            "--log-level",
            "warning",
            "superset.app:create_app()",
        ],
        superset_env(),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    setup_command = commands.add_parser("setup", help="initialise Superset's metadata and import bi/assets")
    setup_command.add_argument("--serving-file", type=Path, required=True, help="the published DuckDB file")
    serve_command = commands.add_parser("serve", help="serve Superset")
    serve_command.add_argument("--host", default="127.0.0.1")
    serve_command.add_argument("--port", type=int, default=8088)
    args = parser.parse_args()
    if args.command == "setup":
        setup(args.serving_file.resolve())
    else:
        serve(args.host, args.port)


if __name__ == "__main__":
    main()
