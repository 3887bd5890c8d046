"""The configuration file: what it accepts, how it says what is wrong (file, line, what to fix), its tables."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import EXIT_INPUT, EXIT_USAGE, main
from ror_config import ConfigError, DbtVars, RorConfig, config_tables, load_config, write_config_tables
from ror_config.tables import changed_since_last_build, record_build

CONTRACT_EXAMPLE = """\
brands:
  - id: acme
    name: Acme Coffee
    accounts:   [{platform: x, account_id: "1500000000000000001", handle: AcmeCoffee}]
    employees:  [{platform: x, person_id: "16000000000000011", handle: maria_at_acme, role: community manager}]
    campaigns:  [{utm_campaign: acme_autumn, name: Autumn launch, channel: paid_social}]
mappings: [mappings]
ad_action_types: [{platform: meta, action_type: lead, counts_as: lead}]
vars: {spike_k: 2.5, lookback_days: 5}
extract: {look_back_hours: 6, x: {request_budget: 50}}
"""


def write(tmp_path: Path, text: str, name: str = "ror.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return [str(problem) for problem in caught.value.problems]


def test_the_contract_example_loads_with_mapping_folders_beside_the_file(tmp_path):
    (tmp_path / "mappings").mkdir()
    config = load_config(write(tmp_path, CONTRACT_EXAMPLE))
    (acme,) = config.brands
    assert acme.accounts[0].account_id == "1500000000000000001"
    assert acme.employees[0].role == "community manager"
    assert config.mappings == [tmp_path / "mappings"]
    assert config.vars.given() == {"spike_k": 2.5, "lookback_days": 5}
    assert config.extract == {"look_back_hours": 6, "x": {"request_budget": 50}}


def test_empty_file_empty_lists_and_handle_only_accounts_are_fine(tmp_path):
    assert load_config(write(tmp_path, "")) == RorConfig()
    config = load_config(
        write(
            tmp_path,
            """\
            brands:
              - id: solo
                name: Solo
                accounts: [{platform: X, handle: "@SoloBrand"}]
                employees: []
                campaigns:
            mappings:
            """,
        )
    )
    account = config.brands[0].accounts[0]
    assert (account.platform, account.account_id, account.handle) == ("x", None, "SoloBrand")
    assert config.brands[0].employees == [] and config.brands[0].campaigns == [] and config.mappings == []


def test_unquoted_integer_ids_keep_every_digit_and_floats_are_refused_with_their_line(tmp_path):
    unquoted = "brands: [{id: a, name: A, accounts: [{platform: x, account_id: 1500000000000000001}]}]"
    config = load_config(write(tmp_path, unquoted))
    assert config.brands[0].accounts[0].account_id == "1500000000000000001"
    path = write(
        tmp_path,
        """\
        brands:
          - id: a
            name: A
            accounts:
              - platform: x
                account_id: 1.5e+18
        """,
    )
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:6: brands[0].accounts[0].account_id: ")
    assert "write the id in quotes" in problem


def test_every_problem_is_reported_with_its_line_and_what_to_fix(tmp_path):
    path = write(
        tmp_path,
        """\
        brands:
          - id: acme
            name: Acme
            acounts: []
          - id: acme
            name: Acme again
            accounts:
              - platform: x
            campaigns:
              - {utm_campaign: c1, channel: tv}
        vars:
          spike_k: -1
        mappings: [no/such/folder]
        """,
    )
    problems = problems_of(path)
    unknown = "unknown key 'acounts' (check the spelling; see docs/your-own-data.md)"
    assert f"{path}:4: brands[0].acounts: {unknown}" in problems
    assert f"{path}:8: brands[1].accounts[0]: give account_id or handle (or both)" in problems
    assert f"{path}:10: brands[1].campaigns[0].channel: must be one of 'paid_social', 'organic_social'" in problems
    assert f"{path}:12: vars.spike_k: must be greater than 0" in problems
    assert len(problems) == 4  # cross-checks (the repeated brand id) and folders wait for a valid document


def test_duplicates_and_missing_mapping_folders_are_reported_after_the_shape_is_valid(tmp_path):
    path = write(
        tmp_path,
        """\
        brands:
          - id: acme
            name: Acme
            accounts: [{platform: x, account_id: "1"}]
          - id: acme
            name: Acme again
            accounts: [{platform: x, account_id: "1"}]
        mappings: [no/such/folder]
        """,
    )
    assert problems_of(path) == [
        f"{path}:5: brands[1].id: brand id 'acme' already given at brands[0].id",
        f"{path}:7: brands[1].accounts[0]: x account 1 already given at brands[0].accounts[0]",
        f"{path}:8: mappings[0]: no such folder: {tmp_path / 'no/such/folder'}",
    ]


def test_invalid_yaml_and_a_missing_file_say_so(tmp_path):
    (problem,) = problems_of(write(tmp_path, "brands:\n  - id: a\n   name: broken indent\n"))
    assert ":3: not valid YAML" in problem
    (problem,) = problems_of(tmp_path / "absent.yaml")
    assert problem == f"{tmp_path / 'absent.yaml'}: the configuration file does not exist"


def test_config_tables_have_fixed_columns_even_when_empty(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        rows = write_config_tables(con, RorConfig())
        assert rows == {name: 0 for name in rows} | {"warehouse_hash": 1}
        columns = con.execute(
            "select column_name, data_type from duckdb_columns() where schema_name = 'config' "
            "and table_name = 'employees' order by column_index"
        ).fetchall()
    assert columns == [(name, "VARCHAR") for name in ("brand_id", "platform", "person_id", "handle", "role")]


def test_config_tables_carry_every_brand_row_and_a_hash_that_follows_the_content(tmp_path):
    (tmp_path / "mappings").mkdir()
    config = load_config(write(tmp_path, CONTRACT_EXAMPLE))
    tables = config_tables(config)
    assert tables["owned_accounts"].rows() == [("acme", "x", "1500000000000000001", "AcmeCoffee")]
    assert tables["campaigns"].rows() == [("acme", "acme_autumn", "Autumn launch", "paid_social")]
    assert tables["ad_action_types"].rows() == [("meta", "lead", "lead")]
    changed = config.model_copy(update={"vars": config.vars.model_copy(update={"spike_k": 3.0})})
    assert changed.warehouse_hash() != config.warehouse_hash()
    # mapping folders and extract settings are not read by dbt: they do not force a rebuild
    moved = config.model_copy(update={"mappings": [], "extract": None})
    assert moved.warehouse_hash() == config.warehouse_hash()


def test_ror_config_check_prints_ok_or_the_problems(tmp_path, capsys):
    (tmp_path / "mappings").mkdir()
    assert main(["config", "check", str(write(tmp_path, CONTRACT_EXAMPLE))]) == 0
    assert capsys.readouterr().out.startswith("OK: ")
    bad = write(tmp_path, "brands: [{id: Not A Slug, name: x}]\n", "bad.yaml")
    assert main(["config", "check", str(bad)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert f"{bad}:1: brands[0].id: a brand id is lowercase letters, digits, _ and -" in err
    assert "pattern" not in err and "^[a-z" not in err
    assert main(["config", "check", str(tmp_path / "absent.yaml")]) == EXIT_INPUT
    assert "the configuration file does not exist" in capsys.readouterr().err


def test_a_changed_configuration_or_dbt_project_is_noticed_until_a_build_records_it(tmp_path):
    acme = RorConfig.model_validate({"brands": [{"id": "acme", "name": "Acme"}]})
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        write_config_tables(con, acme)
        assert changed_since_last_build(con, "project-1")  # no build recorded yet
        record_build(con, "project-1")
        write_config_tables(con, acme)
        assert not changed_since_last_build(con, "project-1")
        assert changed_since_last_build(con, "project-2")  # an upgraded dbt project
        write_config_tables(con, acme.model_copy(update={"vars": DbtVars(spike_k=3)}))
        assert changed_since_last_build(con, "project-1")


def test_a_warehouse_built_before_the_project_was_recorded_rebuilds_once(tmp_path):
    acme = RorConfig.model_validate({"brands": [{"id": "acme", "name": "Acme"}]})
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        write_config_tables(con, acme)
        # the build state as earlier versions wrote it: the configuration's hash only
        con.execute("create table config.dbt_build_state (config_hash varchar, built_at timestamptz)")
        con.execute("insert into config.dbt_build_state select config_hash, now() from config.warehouse_hash")
        assert changed_since_last_build(con, "project-1")
        record_build(con, "project-1")
        assert not changed_since_last_build(con, "project-1")


def test_mapping_folders_of_the_configuration_reach_the_readers(tmp_path):
    mappings, landing = tmp_path / "my_mappings", tmp_path / "landing"
    mappings.mkdir()
    landing.mkdir()
    (mappings / "helpdesk.yaml").write_text(
        textwrap.dedent(
            """\
            name: helpdesk_tickets
            identify: [ticket_ref, opened_at, customer, body]
            columns: {ticket_ref: interaction_id, opened_at: created_at, customer: author_id, body: text}
            constants: {platform: x, interaction_type: comment}
            """
        )
    )
    (landing / "tickets.csv").write_text("ticket_ref,opened_at,customer,body\nt1,2026-08-01T10:00:00Z,c9,Help please\n")
    config = write(tmp_path, "mappings: [my_mappings]\n")
    result = subprocess.run(
        [Path(sys.executable).with_name("ror"), "ingest", landing, "--dry-run", "--config", config],
        capture_output=True,
        text=True,
        timeout=300,
    )
    (report,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert (report["detected_format"], report["rows_accepted"]) == ("helpdesk_tickets", 1), result.stderr


def test_an_unknown_top_level_key_is_reported_on_its_own_line(tmp_path):
    path = write(tmp_path, "# brands and their accounts\nbrnads:\n  - id: acme\n    name: Acme\n")
    assert problems_of(path) == [
        f"{path}:2: brnads: unknown key 'brnads' (check the spelling; see docs/your-own-data.md)"
    ]


def test_the_extract_section_is_validated_with_its_lines(tmp_path):
    path = write(
        tmp_path,
        """\
        extract:
          look_back_hours: many
          x:
            base_ulr: https://api.x.com/2
        """,
    )
    assert problems_of(path) == [
        f"{path}:2: extract.look_back_hours: must be a number",
        f"{path}:4: extract.x.base_ulr: unknown key 'base_ulr' (check the spelling; see docs/apis.md)",
    ]


def test_an_unknown_platform_is_refused_with_the_known_ones_unless_listed_as_extra(tmp_path):
    text = """\
        brands:
          - id: acme
            name: Acme
            accounts:
              - {platform: tiktokk, handle: acme}
        """
    path = write(tmp_path, text)
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:5: brands[0].accounts[0].platform: unknown platform 'tiktokk': known are ")
    assert "bluesky, facebook, instagram, linkedin, meta, reddit, x, youtube" in problem
    assert load_config(write(tmp_path, text + "extra_platforms: [TikTokk]\n")).extra_platforms == ["tiktokk"]


def test_a_yaml_alias_bomb_is_refused_before_it_is_expanded(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ",".join(f"*{previous}" for _ in range(9)) + "]")
    path = write(tmp_path, "\n".join(lines) + "\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:") and "aliases repeat more than 10,000 values" in problem
    loop = write(tmp_path, "brands: &b [*b]\n", "loop.yaml")
    assert "an alias refers to a value that contains it" in problems_of(loop)[0]


def test_a_few_aliases_are_fine(tmp_path):
    config = load_config(
        write(
            tmp_path,
            """\
            brands:
              - id: acme
                name: Acme
                accounts: &acme_accounts [{platform: x, handle: acme}]
                employees: []
              - id: acme_eu
                name: Acme EU
                campaigns: [{utm_campaign: eu, channel: paid_social}]
            """,
        )
    )
    assert [brand.id for brand in config.brands] == ["acme", "acme_eu"]


def test_support_hours_and_response_targets_become_rows_per_open_day_holiday_and_target(tmp_path):
    # unquoted 9:00 is read by YAML as the number 540 (base 60): the same minutes, accepted
    config = load_config(
        write(
            tmp_path,
            """\
        brands:
          - id: acme
            name: Acme
            support_hours:
              time_zone: Europe/London
              days: [mon, tue, wed, thu, fri]
              opens: 9:00
              closes: "17:30"
              holidays: [2026-12-25, 2026-12-24]
            response_targets:
              - {kind: complaint, business_minutes: 60, platform: X}
              - {kind: question, business_minutes: 240}
          - id: plain
            name: Plain
        """,
        )
    )
    tables = config_tables(config)
    assert tables["support_hours"].rows() == [("acme", "Europe/London", str(day), "540", "1050") for day in range(1, 6)]
    assert tables["support_holidays"].rows() == [("acme", "2026-12-24"), ("acme", "2026-12-25")]
    assert tables["response_targets"].rows() == [("acme", "x", "complaint", "60"), ("acme", None, "question", "240")]


def test_bad_support_hours_and_targets_are_reported_with_their_line(tmp_path):
    path = write(
        tmp_path,
        """\
        brands:
          - id: acme
            name: Acme
            support_hours:
              time_zone: Europe/Londn
              days: [mon, funday]
              opens: "18:00"
              closes: "09:00"
            response_targets:
              - {kind: question, business_minutes: 0}
              - {kind: praise, business_minutes: 10}
              - {kind: any, business_minutes: 10, platform: myspace}
        """,
    )
    problems = problems_of(path)
    assert any(p.startswith(f"{path}:5: brands[0].support_hours.time_zone: unknown time zone") for p in problems)
    assert any(p.startswith(f"{path}:6: brands[0].support_hours.days[1]: must be one of 'mon'") for p in problems)
    assert f"{path}:10: brands[0].response_targets[0].business_minutes: must be at least 1" in problems
    assert any(p.startswith(f"{path}:11: brands[0].response_targets[1].kind: must be one of") for p in problems)
    path = write(
        tmp_path,
        """\
        brands:
          - id: acme
            name: Acme
            support_hours: {time_zone: UTC, days: [mon], opens: "18:00", closes: "09:00"}
            response_targets:
              - {kind: any, business_minutes: 10, platform: myspace}
        """,
    )
    problems = problems_of(path)
    assert any(":4: brands[0].support_hours: closes must be later than opens" in p for p in problems)
    path = write(
        tmp_path,
        """\
        brands:
          - id: acme
            name: Acme
            response_targets:
              - {kind: any, business_minutes: 10, platform: myspace}
        """,
    )
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:5: brands[0].response_targets[0].platform: unknown platform 'myspace'")


def test_a_brand_currency_is_an_iso_code_and_reaches_the_brands_table(tmp_path):
    good = load_config(write(tmp_path, "brands:\n  - {id: acme, name: Acme Coffee, currency: EUR}\n"))
    assert config_tables(good)["brands"].rows() == [("acme", "Acme Coffee", "EUR")]
    path = write(tmp_path, "brands:\n  - id: acme\n    name: Acme\n    currency: euro\n", name="bad.yaml")
    assert problems_of(path) == [
        f"{path}:4: brands[0].currency: a currency is a three-letter ISO 4217 code in capitals (e.g. EUR, GBP, USD)"
    ]
