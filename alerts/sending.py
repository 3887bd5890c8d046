"""Send alerts to the configured channels, once each: a Slack-compatible webhook (JSON ``{"text": ...}``) and SMTP.

A channel that cannot be reached is logged and reported in the ``SendReport``; it never raises, so an alert never
fails a run. What each channel received is kept in ``<warehouse>.alerts-sent.json`` beside the warehouse file: a rerun
sends nothing already delivered, and retries what a channel missed.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import duckdb

from alerts.model import Alert, AlertKind, CheckOutcome, Spike
from ror_config.models import AlertsConfig, EmailAlerts, RorConfig, WebhookAlerts

log = logging.getLogger(__name__)

# The newest identities kept in the state file: far more than a refresh raises, so the file stays small.
MAX_REMEMBERED = 5_000
# Spikes on the latest days of data are alerted (as the spike checks report them); older ones were news before.
SPIKE_RECENT_DAYS = 7
MAX_RESPONSE_BYTES = 64 * 1024


@dataclass
class SendReport:
    """What happened: ``sent`` and ``already_sent`` as (channel, alert identity), ``failures`` one line per channel
    that could not be reached (the host, never the webhook's full URL)."""

    sent: list[tuple[str, str]] = field(default_factory=list)
    already_sent: list[tuple[str, str]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def read_recent_spikes(connection: duckdb.DuckDBPyConnection, days: int = SPIKE_RECENT_DAYS) -> list[Spike]:
    """The account-scope spike days dbt flagged on marts.sentiment_trend in the latest ``days`` days of data, summed
    per brand, platform and day (counts only: no account, text or author is read)."""
    rows = connection.execute(
        "with recent as (select max(activity_date) - ? as since from marts.sentiment_trend) "
        "select activity_date, platform, brand_id, "
        "sum(sentiment_scored_interactions) filter (where is_negative_spike)::bigint, "
        "sum(negative_share * sentiment_scored_interactions) filter (where is_negative_spike) "
        "/ nullif(sum(sentiment_scored_interactions) filter (where is_negative_spike), 0), "
        "sum(audience_interactions) filter (where is_volume_spike)::bigint "
        "from marts.sentiment_trend, recent "
        "where campaign_scope = 'account' and (is_negative_spike or is_volume_spike) and activity_date > since "
        "group by all order by activity_date, platform, brand_id",
        [days],
    ).fetchall()
    spikes = []
    for day, platform, brand_id, scored, negative_share, audience in rows:
        if scored is not None:
            spikes.append(Spike(AlertKind.NEGATIVE_SPIKE, brand_id, platform, day, scored, negative_share))
        if audience is not None:
            spikes.append(Spike(AlertKind.VOLUME_SPIKE, brand_id, platform, day, audience))
    return spikes


def send_alerts(
    config: RorConfig,
    check_results: Iterable[CheckOutcome],
    spikes: Iterable[Spike],
    warehouse: Path | str,
    today: date | None = None,
) -> SendReport:
    """Send the alerts the configuration asks for (failed blocking checks, spikes) to its channels, each alert once
    per channel; ``warehouse`` is the warehouse file the state file sits beside."""
    settings = config.alerts
    report = SendReport()
    channels = _channels(settings)
    if not channels:
        return report
    today = today or datetime.now(UTC).date()
    alerts = _alerts(settings, check_results, spikes, today)
    state_path = Path(f"{warehouse}.alerts-sent.json")
    delivered = _read_state(state_path)
    for channel, deliver in channels.items():
        due = [alert for alert in alerts if f"{channel}|{alert.identity}" not in delivered]
        report.already_sent += [(channel, alert.identity) for alert in alerts if alert not in due]
        if not due:
            continue
        failure = deliver(due)
        if failure:
            log.warning("Alerts not sent by %s: %s", channel, failure)
            report.failures.append(f"{channel}: {failure}")
            continue
        report.sent += [(channel, alert.identity) for alert in due]
        delivered += [f"{channel}|{alert.identity}" for alert in due]
    _write_state(state_path, delivered)
    return report


def _alerts(
    settings: AlertsConfig, check_results: Iterable[CheckOutcome], spikes: Iterable[Spike], today: date
) -> list[Alert]:
    wanted = set(settings.send)
    alerts = []
    if AlertKind.FAILED_CHECK in wanted:
        alerts += [Alert.from_check(check, today) for check in check_results if check.blocking and not check.passed]
    alerts += [Alert.from_spike(spike) for spike in spikes if spike.kind in wanted]
    unique = {alert.identity: alert for alert in alerts}
    return list(unique.values())


def _channels(settings: AlertsConfig) -> dict[str, Callable[[list[Alert]], str | None]]:
    channels: dict[str, Callable[[list[Alert]], str | None]] = {}
    if settings.webhook is not None:
        webhook = settings.webhook
        channels["webhook"] = lambda alerts: _post_webhook(webhook, alerts)
    if settings.email is not None:
        email = settings.email
        channels["email"] = lambda alerts: _send_email(email, alerts)
    return channels


def _post_webhook(webhook: WebhookAlerts, alerts: list[Alert]) -> str | None:
    """POST one message per alert; the first failure stops the batch (the rest are retried with it next time)."""
    host = urlsplit(webhook.url).hostname
    for alert in alerts:
        request = urllib.request.Request(
            webhook.url,
            data=json.dumps({"text": alert.message}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=webhook.timeout_seconds) as response:
                response.read(MAX_RESPONSE_BYTES)  # the answer is not used: read a little, never a flood
        except urllib.error.HTTPError as error:
            return f"the webhook at {host} answered HTTP {error.code}"
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            return f"the webhook at {host} could not be reached ({type(reason).__name__})"
    return None


def _send_email(email: EmailAlerts, alerts: list[Alert]) -> str | None:
    """One email listing every alert."""
    password = None
    if email.password_env is not None:
        password = os.environ.get(email.password_env)
        if not password:
            return f"the environment variable {email.password_env} (alerts.email.password_env) is not set"
    message = EmailMessage()
    message["Subject"] = f"ROR warehouse: {len(alerts)} alert{'s' if len(alerts) > 1 else ''}"
    message["From"] = email.sender
    message["To"] = ", ".join(email.to)
    message.set_content("\n".join(alert.message for alert in alerts) + "\n")
    try:
        with _smtp(email) as server:
            if email.username is not None:
                server.login(email.username, password)
            server.send_message(message)
    except smtplib.SMTPNotSupportedError:
        return f"the mail server {email.host} does not offer STARTTLS (set alerts.email.security: ssl, or its TLS port)"
    except smtplib.SMTPAuthenticationError as error:
        return f"the mail server {email.host} refused the login (SMTP {error.smtp_code})"
    except smtplib.SMTPResponseException as error:
        return f"the mail server {email.host} answered SMTP {error.smtp_code}"
    except (smtplib.SMTPException, OSError) as error:
        return f"the mail server {email.host}:{email.port} could not be reached ({type(error).__name__})"
    return None


def _smtp(email: EmailAlerts) -> smtplib.SMTP:
    if email.security == "ssl":
        return smtplib.SMTP_SSL(
            email.host, email.port, timeout=email.timeout_seconds, context=ssl.create_default_context()
        )
    server = smtplib.SMTP(email.host, email.port, timeout=email.timeout_seconds)
    if email.security == "starttls":
        try:
            server.starttls(context=ssl.create_default_context())
        except BaseException:
            server.close()
            raise
    return server


def _read_state(path: Path) -> list[str]:
    try:
        remembered = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []  # no file yet, or a damaged one: sending again beats never sending
    return [key for key in remembered if isinstance(key, str)] if isinstance(remembered, list) else []


def _write_state(path: Path, delivered: list[str]) -> None:
    temporary = path.with_name(path.name + ".tmp")
    try:
        temporary.write_text(json.dumps(delivered[-MAX_REMEMBERED:]), encoding="utf-8")
        os.replace(temporary, path)
    except OSError as error:
        log.warning("Could not record the alerts sent in %s (%s): a rerun may send them again", path, error.strerror)
