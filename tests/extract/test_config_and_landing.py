"""The extract: section and brand accounts of the configuration file, credentials from the environment or a secrets
file, and pages landed so that ingest never sees half of one."""

from __future__ import annotations

import pytest
import yaml

from extract.config import Account, load_extract_setup
from extract.landing import PageWriter
from ingest.pipeline import ingest_paths
from ror_config import ConfigError

CONFIG = {
    "brands": [
        {
            "id": "acme",
            "name": "Acme Coffee",
            "accounts": [
                {"platform": "x", "account_id": "1500000000000000001", "handle": "AcmeCoffee"},
                {"platform": "bluesky", "handle": "@acme.bsky.social"},
                {"platform": "facebook", "account_id": "123"},  # not extracted here: Meta Graph has no extractor yet
            ],
        },
        {"id": "bolt", "name": "Bolt", "accounts": [{"platform": "YouTube", "account_id": "UCbolt"}]},
    ],
    "extract": {"secrets_file": "secrets.env", "look_back_hours": 6, "x": {"base_url": "https://proxy.local/2"}},
}


def write_config(tmp_path, document=CONFIG):
    path = tmp_path / "ror.yml"
    path.write_text(yaml.safe_dump(document))
    return path


def test_accounts_come_from_the_brands_of_the_configuration_file(tmp_path):
    (tmp_path / "secrets.env").write_text("")
    setup = load_extract_setup(write_config(tmp_path), environ={})

    assert setup.accounts == (
        Account("acme", "x", "1500000000000000001", "AcmeCoffee"),
        Account("acme", "bluesky", None, "acme.bsky.social"),
        Account("bolt", "youtube", "UCbolt", None),
    )
    assert setup.config.look_back_hours == 6 and setup.config.x.base_url == "https://proxy.local/2"
    assert setup.config.youtube.base_url == "https://www.googleapis.com/youtube/v3"


def test_credentials_come_from_the_environment_first_then_the_secrets_file(tmp_path):
    (tmp_path / "secrets.env").write_text(
        "# API credentials\nexport ROR_X_BEARER_TOKEN='from-file'\nROR_YOUTUBE_API_KEY=\"yt-from-file\"\n"
    )
    setup = load_extract_setup(write_config(tmp_path), environ={"ROR_X_BEARER_TOKEN": "from-env"})

    assert setup.secrets.get("ROR_X_BEARER_TOKEN") == "from-env"
    assert setup.secrets.get("ROR_YOUTUBE_API_KEY") == "yt-from-file"
    assert setup.secrets.get("ROR_REDDIT_CLIENT_ID") is None
    assert "from-env" not in repr(setup) and "from-file" not in repr(setup)  # values never show in a log line


def test_a_missing_secrets_file_or_a_misspelt_key_is_an_error_that_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="secrets.env"):
        load_extract_setup(write_config(tmp_path), environ={})
    with pytest.raises(ConfigError, match="look_bak_hours"):  # ror_config validates extract: with its schema
        load_extract_setup(write_config(tmp_path, {"extract": {"look_bak_hours": 1}}), environ={})
    (tmp_path / "secrets.env").write_text("ROR_X_BEARER_TOKEN\n")
    with pytest.raises(ValueError, match="expected NAME=value"):
        load_extract_setup(write_config(tmp_path), environ={})


def test_no_configuration_file_means_defaults_and_no_accounts():
    setup = load_extract_setup(None, environ={})
    assert setup.accounts == () and setup.config.x.base_url == "https://api.x.com/2"


def test_a_page_is_landed_once_and_a_half_written_one_is_never_ingested(tmp_path):
    writer = PageWriter(tmp_path)
    body = b'{"kind": "youtube#channelListResponse", "items": []}'
    first = writer.write("youtube", "UC/odd:id", "channels", body)
    assert first is not None and first.parent == tmp_path / "extract" / "youtube" / "UC_odd_id" / "channels"
    assert PageWriter(tmp_path).write("youtube", "UC/odd:id", "channels", body) is None  # a later run, same page
    # what a writer killed before its rename leaves behind is hidden: ingest skips it
    (first.parent / f".{first.name}.part").write_bytes(body[:20])
    reports = ingest_paths([tmp_path], landing_root=tmp_path, con=None, batch_id="dry")
    assert [report.file for report in reports] == [str(first.relative_to(tmp_path))]
