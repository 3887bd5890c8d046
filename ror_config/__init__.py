"""The warehouse's configuration file: which brands, accounts, employees, campaigns and competitors exist, which ad
actions count as leads, the dbt tunables, and extra mapping folders.

A plain library (no Dagster): ``load_config(path)`` returns a validated ``RorConfig`` or raises ``ConfigError`` listing
every problem with its file, line and what to fix; ``write_config_tables`` loads it into the working database's
schema ``config``, where dbt reads it as the source ``config``.
"""

from ror_config.loading import (
    CONFIG_ENV_VARIABLE,
    ConfigError,
    ConfigFileMissing,
    ConfigProblem,
    load_config,
    parse_config,
)
from ror_config.models import (
    Account,
    AdActionType,
    AlertsConfig,
    Brand,
    Campaign,
    Competitor,
    DbtVars,
    Employee,
    ResponseTarget,
    RorConfig,
    SupportHours,
)
from ror_config.tables import CONFIG_SCHEMA, config_tables, write_config_tables

__all__ = [
    "CONFIG_ENV_VARIABLE",
    "CONFIG_SCHEMA",
    "Account",
    "AdActionType",
    "AlertsConfig",
    "Brand",
    "Campaign",
    "Competitor",
    "ConfigError",
    "ConfigFileMissing",
    "ConfigProblem",
    "DbtVars",
    "Employee",
    "ResponseTarget",
    "RorConfig",
    "SupportHours",
    "config_tables",
    "load_config",
    "parse_config",
    "write_config_tables",
]
