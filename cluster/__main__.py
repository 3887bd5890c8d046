"""`python -m cluster up|down|status`: the cluster in a box (cluster/services.py). Its folder is ROR_CLUSTER_DIR,
by default .cluster/ in the checkout.

Exit codes: 0 done, 1 a service did not start (what `up` had started is stopped again; its log is named).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from cluster.services import ClusterError, Layout, down, status, up

DEFAULT_FOLDER = Path(__file__).resolve().parents[1] / ".cluster"


def cluster_layout() -> Layout:
    """The cluster's folder: ROR_CLUSTER_DIR, else DEFAULT_FOLDER."""
    return Layout(Path(os.environ.get("ROR_CLUSTER_DIR", DEFAULT_FOLDER)).resolve())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cluster", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["up", "down", "status"])
    args = parser.parse_args(argv)
    layout = cluster_layout()
    python = Path(sys.executable)
    say = lambda line: print(f"cluster: {line}", flush=True)  # noqa: E731
    try:
        if args.command == "up":
            up(layout, python, dict(os.environ), say)
            say(f"up; point a refresh at it with: . {layout.env_file}")
        elif args.command == "down":
            down(layout, python, say)
            say("down")
        else:
            for name, pid in status(layout, python).items():
                print(f"{name:16} {'running, pid ' + str(pid) if pid else 'stopped'}")
    except ClusterError as error:
        print(f"cluster: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
