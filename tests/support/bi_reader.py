"""A BI tool's access pattern, for the publication tests: read-only SQLAlchemy + duckdb-engine connections (what
Superset uses), opened and closed in a loop until a stop file appears.

Each pass opens a new connection, reads the refresh id of every mart, and records an error if any query fails or if
the marts disagree (a half-published refresh). Prints one JSON line:
{"reads": n, "errors": [...], "refresh_ids": [...]}.
"""

import json
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool


def main(serving: str, stop_file: str) -> None:
    engine = create_engine(f"duckdb:///{serving}", connect_args={"read_only": True}, poolclass=NullPool)
    reads, errors, seen = 0, [], set()
    while not Path(stop_file).exists():
        try:
            with engine.connect() as con:
                tables = [row[0] for row in con.execute(text("select table_name from marts.refresh_log"))]
                logged = {row[0] for row in con.execute(text("select distinct refresh_id from marts.refresh_log"))}
                ids = set(logged)
                for table in tables:
                    ids |= {row[0] for row in con.execute(text(f'select distinct refresh_id from marts."{table}"'))}
            if len(ids) != 1:
                errors.append(f"inconsistent snapshot: refresh ids {sorted(ids)}")
            seen |= ids
            reads += 1
        except Exception as error:  # every failure is what the test is looking for
            errors.append(f"{type(error).__name__}: {error}")
        time.sleep(0.02)
    print(json.dumps({"reads": reads, "errors": errors[:20], "refresh_ids": sorted(seen)}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
