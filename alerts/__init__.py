"""Alerts that reach people: failed checks and sentiment or volume spikes, sent to a Slack-compatible webhook and by
email, as the configuration's ``alerts:`` section says (nothing configured: nothing sent).

A plain library (no Dagster): ``send_alerts(config, check_results, spikes, warehouse)`` after a refresh's checks.
Messages carry counts, dates, brand ids, platforms and check names only, never a row's values; a failure to send is
logged and reported, never raised; an alert already delivered to a channel is not sent there again.
"""

from alerts.model import Alert, AlertKind, CheckOutcome, Spike
from alerts.sending import SendReport, read_recent_spikes, send_alerts

__all__ = ["Alert", "AlertKind", "CheckOutcome", "SendReport", "Spike", "read_recent_spikes", "send_alerts"]
