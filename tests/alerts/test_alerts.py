"""Alerts reach people: a webhook and an SMTP server started here receive them, once, and never a row's values."""

from __future__ import annotations

import json
import socket
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml

from alerts import AlertKind, CheckOutcome, Spike, read_recent_spikes, send_alerts
from ror_config import AlertsConfig, ConfigError, RorConfig, parse_config
from tests.support.smtp_sink import start_smtp_sink

MARKER = "Zelda Marker zelda.marker@example.com +44 7700 900123"
TODAY = date(2026, 10, 31)


@pytest.fixture
def smtp():
    sink, server = start_smtp_sink()
    yield sink
    server.shutdown()
    server.server_close()


@pytest.fixture
def warehouse(tmp_path) -> Path:
    """A warehouse file whose marts.sentiment_trend has a negative and a volume spike, with the marker in every text
    column a row carries (account, author-ish fields) and in a brand id and platform the marts would never hold."""
    path = tmp_path / "ror.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.sentiment_trend (activity_date date, platform varchar, brand_id varchar, "
            "account_id varchar, campaign_scope varchar, campaign_id varchar, is_negative_spike boolean, "
            "is_volume_spike boolean, sentiment_scored_interactions integer, audience_interactions integer, "
            "negative_share double)"
        )
        rows = [
            ("2026-10-20", "x", "acme", MARKER, "account", None, True, False, 40, 50, 0.5),
            ("2026-10-20", "x", "acme", "1500000000000000001", "account", None, True, False, 60, 70, 0.25),
            ("2026-10-21", "bluesky", "acme", MARKER, "account", None, False, True, 10, 300, 0.1),
            ("2026-10-21", MARKER, MARKER, MARKER, "account", None, True, True, 5, 5, 1.0),
            ("2026-10-21", "x", "acme", MARKER, "campaign", MARKER, True, True, 9, 9, 0.9),  # not account scope
            ("2026-09-01", "x", "acme", MARKER, "account", None, True, True, 9, 9, 0.9),  # older than a week
        ]
        con.executemany("insert into marts.sentiment_trend values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return path


def spikes_of(warehouse: Path) -> list[Spike]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return read_recent_spikes(con)


def config(**alerts) -> RorConfig:
    return RorConfig.model_validate({"alerts": alerts})


def email_settings(smtp, **more) -> dict:
    return {"host": smtp.host, "port": smtp.port, "from": "ror@example.com", "to": ["team@example.com"],
            "security": "none", **more}  # fmt: skip


FAILED = [
    CheckOutcome("raw_row_accounting", "raw/exports", passed=False, blocking=True, failed_rows=3),
    CheckOutcome("source_freshness", "raw/exports", passed=False, blocking=False),
    CheckOutcome("not_null_fct_interactions_id", "marts/fct_interactions", passed=True, blocking=True),
]


def webhook_texts(httpserver) -> list[str]:
    return [json.loads(request.get_data())["text"] for request, _ in httpserver.log]


def test_nothing_configured_sends_nothing_and_writes_nothing(warehouse):
    report = send_alerts(RorConfig(), FAILED, spikes_of(warehouse), warehouse, today=TODAY)

    assert (report.sent, report.failures) == ([], [])
    assert not Path(f"{warehouse}.alerts-sent.json").exists()


def test_spikes_are_read_per_brand_platform_and_day_from_the_latest_week(warehouse):
    spikes = spikes_of(warehouse)

    assert [(s.kind, s.brand_id, s.platform, s.day.isoformat(), s.interactions) for s in spikes] == [
        (AlertKind.NEGATIVE_SPIKE, "acme", "x", "2026-10-20", 100),
        (AlertKind.NEGATIVE_SPIKE, MARKER, MARKER, "2026-10-21", 5),
        (AlertKind.VOLUME_SPIKE, MARKER, MARKER, "2026-10-21", 5),
        (AlertKind.VOLUME_SPIKE, "acme", "bluesky", "2026-10-21", 300),
    ]
    negative = next(s for s in spikes if s.brand_id == "acme" and s.kind is AlertKind.NEGATIVE_SPIKE)
    assert negative.negative_share == pytest.approx((40 * 0.5 + 60 * 0.25) / 100)


def test_webhook_and_email_receive_the_alerts_without_any_row_value(httpserver, smtp, warehouse):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    settings = config(webhook={"url": httpserver.url_for("/hook")}, email=email_settings(smtp))

    report = send_alerts(settings, FAILED, spikes_of(warehouse), warehouse, today=TODAY)

    assert report.failures == []
    texts = webhook_texts(httpserver)
    assert len(texts) == 5  # one blocking check failed, four spikes; the warning check is not an alert
    assert "check raw_row_accounting on raw/exports failed: 3 failing rows" in texts[0]
    assert any("negative-sentiment spike (100 scored interactions, 35% negative) for brand acme on x on 2026-10-20"
               in text for text in texts)  # fmt: skip
    assert any("audience volume spike (300 interactions) for brand acme on bluesky on 2026-10-21" in t for t in texts)
    assert any("for brand (no brand) on (unknown platform)" in text for text in texts)
    [mail] = smtp.received
    assert (mail.sender, mail.recipients) == ("ror@example.com", ["team@example.com"])
    assert mail.message["Subject"] == "ROR warehouse: 5 alerts"
    body = mail.message.get_payload(decode=True).decode()
    assert body.splitlines() == texts
    for part in ("Zelda", "zelda.marker", "7700", "example.com +44"):
        assert part not in json.dumps(texts) and part not in body


def test_a_rerun_sends_nothing_new_and_a_new_spike_only_itself(httpserver, smtp, warehouse):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    settings = config(webhook={"url": httpserver.url_for("/hook")}, email=email_settings(smtp))
    spikes = spikes_of(warehouse)
    send_alerts(settings, FAILED, spikes, warehouse, today=TODAY)

    rerun = send_alerts(settings, FAILED, spikes, warehouse, today=TODAY)

    assert rerun.sent == [] and len(rerun.already_sent) == 10
    assert len(httpserver.log) == 5 and len(smtp.received) == 1

    new = Spike(AlertKind.VOLUME_SPIKE, "acme", "x", date(2026, 10, 22), 900)
    later = send_alerts(settings, FAILED, [*spikes, new], warehouse, today=date(2026, 11, 1))

    # The new spike, and the check that still fails on a new day (reported once a day).
    assert len(later.sent) == 4
    assert "for brand acme on x on 2026-10-22" in webhook_texts(httpserver)[-1]
    assert len(smtp.received) == 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_webhook_is_reported_and_retried_on_the_next_run(httpserver, smtp, warehouse, caplog):
    secret_url = f"http://127.0.0.1:{free_port()}/services/T000/B000/SECRETTOKEN"
    spikes = spikes_of(warehouse)

    report = send_alerts(
        config(webhook={"url": secret_url}, email=email_settings(smtp)), FAILED, spikes, warehouse, today=TODAY
    )

    [failure] = report.failures
    assert failure.startswith("webhook: the webhook at 127.0.0.1 could not be reached")
    assert "SECRETTOKEN" not in failure + caplog.text and "Alerts not sent by webhook" in caplog.text
    assert len(smtp.received) == 1  # the other channel is not held back

    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    retry = send_alerts(config(webhook={"url": httpserver.url_for("/hook")}, email=email_settings(smtp)), FAILED,
                        spikes, warehouse, today=TODAY)  # fmt: skip
    assert {channel for channel, _ in retry.sent} == {"webhook"}
    assert len(httpserver.log) == 5 and len(smtp.received) == 1


def test_a_webhook_error_status_is_reported(httpserver, warehouse):
    httpserver.expect_request("/hook", method="POST").respond_with_data("no", status=500)

    report = send_alerts(config(webhook={"url": httpserver.url_for("/hook")}), FAILED, [], warehouse, today=TODAY)

    assert report.failures == ["webhook: the webhook at localhost answered HTTP 500"]
    assert report.sent == []


def test_only_the_kinds_asked_for_are_sent(smtp, warehouse):
    settings = config(email=email_settings(smtp), send=["volume_spikes"])

    send_alerts(settings, FAILED, spikes_of(warehouse), warehouse, today=TODAY)

    body = smtp.received[0].message.get_payload(decode=True).decode()
    assert len(body.splitlines()) == 2 and all("volume spike" in line for line in body.splitlines())


def test_email_problems_are_reported_not_raised(smtp, warehouse, monkeypatch):
    monkeypatch.delenv("ROR_SMTP_PASSWORD", raising=False)
    login = email_settings(smtp, host="127.0.0.1", username="ror", password_env="ROR_SMTP_PASSWORD")
    starttls = email_settings(smtp, security="starttls")
    tls = email_settings(smtp, security="ssl")

    missing_password = send_alerts(config(email=login), FAILED, [], warehouse, today=TODAY)
    no_tls = send_alerts(config(email=starttls), FAILED, [], warehouse, today=TODAY)
    plain_server = send_alerts(config(email=tls), FAILED, [], warehouse, today=TODAY)

    assert missing_password.failures == [
        "email: the environment variable ROR_SMTP_PASSWORD (alerts.email.password_env) is not set"
    ]
    assert no_tls.failures == [
        "email: the mail server 127.0.0.1 does not offer STARTTLS (set alerts.email.security: ssl, or its TLS port)"
    ]
    assert plain_server.failures == [f"email: the mail server 127.0.0.1:{smtp.port} could not be reached (SSLError)"]
    assert smtp.received == []


BAD_ALERTS = """\
alerts:
  webhook: {url: "http://hooks.example.com/services/SECRETTOKEN"}
  email:
    host: smtp.example.com
    from: not-an-address
    to: []
    username: ror
    password: hunter2
  send: [failed_checks, spikes]
"""


def test_configuration_mistakes_are_clear_and_never_quote_the_webhook_url():
    with pytest.raises(ConfigError) as raised:
        parse_config(BAD_ALERTS, file="ror.yaml")

    assert str(raised.value).splitlines() == [
        "ror.yaml:2: alerts.webhook.url: must start with https:// (plain http only to 127.0.0.1 or localhost)",
        "ror.yaml:5: alerts.email.from: must be an email address such as warehouse@example.com",
        "ror.yaml:6: alerts.email.to: must have at least 1 item(s)",
        "ror.yaml:8: alerts.email.password: unknown key 'password' (check the spelling; see docs/your-own-data.md)",
        "ror.yaml:9: alerts.send[1]: must be one of 'failed_checks', 'negative_spikes', 'volume_spikes'",
    ]


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ({"username": "ror"}, "give username and password_env together"),
        ({"username": "ror", "password_env": "P", "security": "none"}, "a login needs security: starttls or ssl"),
        ({"password_env": "hunter2!", "username": "ror"}, "password_env: must name an environment variable"),
    ],
)
def test_a_login_needs_its_password_variable_and_encryption(email, message):
    settings = {"host": "smtp.example.com", "from": "ror@example.com", "to": ["team@example.com"], **email}

    with pytest.raises(ConfigError, match=message):
        parse_config(json.dumps({"alerts": {"email": settings}}), file="ror.yaml")


def test_alerts_default_to_every_kind_once_a_channel_is_given():
    parsed = parse_config('alerts: {webhook: {url: "https://hooks.example.com/x"}}', file="ror.yaml")

    assert parsed.alerts.send == ["failed_checks", "negative_spikes", "volume_spikes"]
    assert parse_config("", file="ror.yaml").alerts.webhook is None


def test_the_documented_example_alerts_section_is_valid():
    page = (Path(__file__).parents[2] / "docs" / "your-own-data.md").read_text(encoding="utf-8")
    example = page.split("## Your own data", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]

    alerts = AlertsConfig.model_validate(yaml.safe_load(example)["alerts"])

    assert alerts.email.password_env == "ROR_SMTP_PASSWORD" and alerts.webhook.url.startswith("https://")
