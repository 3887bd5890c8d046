"""Competitors in the configuration file (brands[].competitors): their shape, the bounds, the checks against the
brand's own accounts, and the config table dbt reads."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from ror_config import ConfigError, config_tables, load_config
from ror_config.landing_scan import UnreachedAccount, landing_report, scan_landing
from ror_config.models import MAX_COMPETITORS_PER_BRAND

ACME = """\
brands:
  - id: acme
    name: Acme Coffee
    accounts:
      - {platform: x, account_id: "1500000000000000001", handle: AcmeCoffee}
    competitors:
      - id: rival
        name: Rival Roasters
        accounts:
          - {platform: x, handle: "@RivalRoasters"}
          - {platform: bluesky, handle: rival.bsky.social}
      - id: beanco
        name: BeanCo
        accounts: [{platform: x, account_id: 1500000000000000009}]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ror.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return [str(problem) for problem in caught.value.problems]


def test_competitors_load_and_become_one_config_row_per_account(tmp_path):
    config = load_config(write(tmp_path, ACME))

    assert [competitor.id for competitor in config.brands[0].competitors] == ["rival", "beanco"]
    assert config_tables(config)["competitor_accounts"].rows() == [
        ("acme", "rival", "Rival Roasters", "x", None, "RivalRoasters"),
        ("acme", "rival", "Rival Roasters", "bluesky", None, "rival.bsky.social"),
        ("acme", "beanco", "BeanCo", "x", "1500000000000000009", None),  # an unquoted id keeps every digit
    ]


def test_a_brand_without_competitors_has_an_empty_table_and_competitors_change_the_warehouse_hash(tmp_path):
    with_competitors = load_config(write(tmp_path, ACME))
    document = yaml.safe_load(ACME)
    del document["brands"][0]["competitors"]
    without = load_config(write(tmp_path, yaml.safe_dump(document)))

    assert config_tables(without)["competitor_accounts"].height == 0
    # the hash decides when incremental models are rebuilt: a new competitor must rebuild them
    assert without.warehouse_hash() != with_competitors.warehouse_hash()


def test_a_competitor_handle_or_id_that_is_the_brands_own_is_refused_with_its_line(tmp_path):
    path = write(
        tmp_path,
        """\
        brands:
          - id: acme
            name: Acme
            accounts: [{platform: x, account_id: "1", handle: AcmeCoffee}]
            competitors:
              - id: rival
                name: Rival
                accounts:
                  - {platform: x, handle: "@acmecoffee"}
                  - {platform: x, account_id: "1"}
                  - {platform: bluesky, handle: acmecoffee}
        """,
    )
    own = "is one of the brand's own accounts (brands[0].accounts[0]): an account is the brand's or a competitor's"
    assert problems_of(path) == [
        f"{path}:9: brands[0].competitors[0].accounts[0]: x handle acmecoffee {own}, not both; remove it from one of "
        "the two lists",
        f"{path}:10: brands[0].competitors[0].accounts[1]: x account 1 {own}, not both; remove it from one of the two "
        "lists",
    ]  # the same handle on another platform is another account


def test_another_brands_account_may_be_a_competitor(tmp_path):
    config = load_config(
        write(
            tmp_path,
            """\
            brands:
              - {id: acme, name: Acme, accounts: [{platform: x, handle: AcmeCoffee}],
                 competitors: [{id: bolt, name: Bolt, accounts: [{platform: x, handle: BoltCoffee}]}]}
              - {id: bolt, name: Bolt, accounts: [{platform: x, handle: BoltCoffee}],
                 competitors: [{id: acme, name: Acme, accounts: [{platform: x, handle: AcmeCoffee}]}]}
            """,
        )
    )
    assert config_tables(config)["competitor_accounts"].height == 2


def test_repeated_competitor_ids_and_accounts_are_refused(tmp_path):
    path = write(
        tmp_path,
        """\
        brands:
          - id: acme
            name: Acme
            competitors:
              - {id: rival, name: Rival, accounts: [{platform: x, handle: Rival}]}
              - {id: rival, name: Rival again, accounts: [{platform: x, handle: RIVAL}]}
              - {id: acme, name: Acme itself, accounts: [{platform: x, handle: other}]}
        """,
    )
    assert problems_of(path) == [
        f"{path}:6: brands[0].competitors[1].id: competitor id 'rival' already given at brands[0].competitors[0].id",
        f"{path}:6: brands[0].competitors[1].accounts[0]: x handle rival already given at "
        "brands[0].competitors[0].accounts[0]",
        f"{path}:7: brands[0].competitors[2].id: competitor id 'acme' is the brand's own id",
    ]


def test_unknown_keys_bad_ids_platforms_and_sizes_are_refused_with_their_lines(tmp_path):
    too_many = "\n".join(
        f"      - {{id: c{n}, name: C{n}, accounts: [{{platform: x, handle: c{n}}}]}}"
        for n in range(MAX_COMPETITORS_PER_BRAND + 1)
    )
    path = write(
        tmp_path,
        f"""\
brands:
  - id: acme
    name: Acme
    competitors:
      - {{id: Rival Co, name: Rival, accounts: [{{platform: x, handle: r}}]}}
      - {{id: beanco, name: BeanCo, acounts: [{{platform: x, handle: b}}]}}
      - {{id: nobody, name: Nobody, accounts: []}}
      - {{id: typo, name: Typo, accounts: [{{platform: twiter, handle: t}}]}}
  - id: big
    name: Big
    competitors:
{too_many}
""",
    )
    problems = problems_of(path)
    assert problems == [
        f"{path}:5: brands[0].competitors[0].id: a competitor id is lowercase letters, digits, _ and -, starting with "
        "a letter or digit (e.g. acme_coffee)",
        f"{path}:6: brands[0].competitors[1].accounts: 'accounts' is required here",
        f"{path}:6: brands[0].competitors[1].acounts: unknown key 'acounts' (check the spelling; see "
        "docs/your-own-data.md)",
        f"{path}:7: brands[0].competitors[2].accounts: must have at least 1 item(s)",
        f"{path}:11: brands[1].competitors: must have at most {MAX_COMPETITORS_PER_BRAND} items",
    ]
    # the platform is checked once the shape is valid
    misspelt = (
        "brands:\n  - {id: a, name: A, competitors: [{id: t, name: T, accounts: [{platform: twiter, handle: t}]}]}"
    )
    (problem,) = problems_of(write(tmp_path, misspelt))
    assert "brands[0].competitors[0].accounts[0].platform: unknown platform 'twiter'" in problem


def test_the_landing_check_names_a_competitors_account_no_export_mentions(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    (tmp_path / "mappings").mkdir()
    (tmp_path / "mappings" / "listening.yaml").write_text(
        textwrap.dedent("""\
            name: listening_for_test
            identify: [post_id, user, message, posted_at]
            columns: {post_id: interaction_id, user: author_handle, message: text, posted_at: created_at}
            constants: {platform: x, interaction_type: mention}
            """)
    )
    (landing / "listening.csv").write_text(
        "post_id,user,message,posted_at\n1,cust_a,@AcmeCoffee or @RivalRoasters?,2026-03-02T10:00:00Z\n"
    )
    config = load_config(
        write(
            tmp_path,
            """\
            brands:
              - id: acme
                name: Acme
                accounts: [{platform: x, handle: AcmeCoffee}]
                competitors:
                  - {id: rival, name: Rival, accounts: [{platform: x, handle: RivalRoasters}]}
                  - {id: ghost, name: Ghost, accounts: [{platform: x, handle: GhostBeans}]}
            mappings: [mappings]
            """,
        )
    )

    assert scan_landing(config, landing).unreached == [UnreachedAccount("acme", "x", None, "GhostBeans", "ghost")]
    assert "  acme competitor ghost x @GhostBeans" in landing_report(config, landing).splitlines()
