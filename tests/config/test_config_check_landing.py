"""`ror config check FILE --landing DIR`: before any refresh, which configured accounts the exports never mention or
show. The exports are written here: a mention-only CSV of brand-directed tweets read through a mapping folder the
configuration names (the shape of a public airline-tweets set), and X API v2 pages as twarc2 writes them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from ror_config import load_config
from ror_config.landing_scan import UnreachedAccount, landing_report, scan_landing

ROR = Path(sys.executable).with_name("ror")
CONFIG = """\
brands:
  - id: united
    name: United
    accounts: [{platform: x, handle: united}]
  - id: unitedcare_fan
    name: A prefix's owner
    accounts: [{platform: x, handle: unitedca}]        # a prefix of unitedcare: mentioned nowhere
  - id: virgin
    name: Virgin America
    accounts: [{platform: x, handle: VIRGINAMERICA}]   # written in the file as @VirginAmerica
  - id: jetblue
    name: JetBlue
    accounts: [{platform: x, account_id: "6449282"}]   # by id: shown as an author in the X pages
  - id: ghost
    name: Ghost Air
    accounts:
      - {platform: x, handle: GhostAir}                # appears nowhere
      - {platform: bluesky, handle: united}            # mentioned, but on x only
mappings: [mappings]
"""
MAPPING = """\
name: airline_tweets_for_test
description: brand-directed tweets labelled by airline (tweet_id, airline, name, text, tweet_created)
identify: [tweet_id, airline, name, text, tweet_created]
columns:
  tweet_id: interaction_id
  name: author_handle
  text: text
  tweet_created: created_at
constants:
  platform: x
  interaction_type: mention
"""
AIRLINE_CSV = """\
tweet_id,airline,name,text,tweet_created
570306133677760513,Virgin America,cairdin,@VirginAmerica What @dhepburn said.,2015-02-24T11:35:52-08:00
570301130888122368,United,jnardino,"@united's seats, again",2015-02-24T11:15:59-08:00
570301083672813571,United,yvonnalynn,@unitedcare thanks!,2015-02-24T11:15:48-08:00
"""


def _env(tmp_path: Path) -> dict[str, str]:
    """A bare environment (no ROR_* settings), keeping PYTHONPATH so a checkout's own code runs."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DAGSTER_HOME": str(tmp_path / "dagster")}
    return env | ({"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {})


def _x_page() -> str:
    return json.dumps(
        {
            "data": [
                {
                    "id": "1",
                    "author_id": "6449282",
                    "created_at": "2026-03-01T10:00:00.000Z",
                    "text": "Welcome aboard",
                    "conversation_id": "1",
                }
            ],
            "includes": {"users": [{"id": "6449282", "username": "JetBlue", "name": "JetBlue"}]},
            "meta": {"result_count": 1},
            "__twarc": {"url": "https://api.x.com/2/users/6449282/tweets", "retrieved_at": "2026-03-02T00:00:00+00:00"},
        }
    )


def _workspace(tmp_path: Path) -> tuple[Path, Path]:
    config = tmp_path / "ror.yaml"
    config.write_text(CONFIG)
    (tmp_path / "mappings").mkdir()
    (tmp_path / "mappings" / "airline.yaml").write_text(MAPPING)
    landing = tmp_path / "landing"
    (landing / "listening").mkdir(parents=True)
    (landing / "listening" / "Tweets.csv").write_text(AIRLINE_CSV)
    (landing / "jetblue.jsonl").write_text(_x_page() + "\n")
    (landing / "notes.bin").write_bytes(b"\x00\x01\x02 not an export")
    return config, landing


def test_accounts_no_export_mentions_or_shows_are_listed(tmp_path):
    config, landing = _workspace(tmp_path)
    scan = scan_landing(load_config(config), landing)
    assert (scan.files_read, scan.files_not_read) == (2, 1)
    assert scan.unreached == [
        UnreachedAccount("unitedcare_fan", "x", None, "unitedca"),  # a prefix is not a mention
        UnreachedAccount("ghost", "x", None, "GhostAir"),
        UnreachedAccount("ghost", "bluesky", None, "united"),  # handles are per platform
    ]


def test_every_account_reached_says_so(tmp_path):
    config, landing = _workspace(tmp_path)
    reached_only = textwrap.dedent("""\
        brands:
          - {id: united, name: United, accounts: [{platform: x, handle: United}]}
          - {id: jetblue, name: JetBlue, accounts: [{platform: x, handle: jetblue}]}
        mappings: [mappings]
        """)
    config.write_text(reached_only)
    report = landing_report(load_config(config), landing)
    assert "Every configured account is mentioned or shown in these exports." in report
    assert "1 not read (`ror ingest DIR --dry-run` says why)" in report


def test_ror_config_check_with_landing_names_brand_and_account(tmp_path):
    config, landing = _workspace(tmp_path)
    env = _env(tmp_path)
    result = subprocess.run(
        [ROR, "config", "check", str(config), "--landing", str(landing)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: ")
    assert "3 configured accounts no export mentions or shows" in result.stdout
    assert "  ghost x @GhostAir\n" in result.stdout
    assert "  ghost bluesky @united\n" in result.stdout
    assert "virgin" not in result.stdout and "jetblue" not in result.stdout


def test_ror_config_check_with_a_missing_landing_folder_cannot_start(tmp_path):
    config, _ = _workspace(tmp_path)
    env = _env(tmp_path)
    result = subprocess.run(
        [ROR, "config", "check", str(config), "--landing", str(tmp_path / "nowhere")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2
    assert "no landing folder" in result.stderr and "Traceback" not in result.stderr
