"""The code location: `dagster dev -w workspace.yaml` and `dg` load `defs` from here.

The one place Dagster's own tools read the settings: from the environment (and the `.env` file `dagster dev` loads),
once, when the location loads; nothing is built at import.
"""

import dagster as dg

from orchestration.build import build_definitions
from orchestration.settings import Settings


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(Settings.from_env())
