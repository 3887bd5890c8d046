"""Synthetic exports in the platforms' own formats, deterministic by seed: the input of `ror demo`, `ror generate`, the
benchmarks and many tests.

- ``demo``: the demo's three brands over a fixed 90-day window, told as a story (a giveaway, a delivery crisis, ads
  that bring cheap leads): ``write_demo_exports`` and ``write_demo_config``;
- ``scale``: any number of interactions, brands and days, one landing folder a day that more days never change:
  ``generate_exports``;
- ``formats``: one writer per export format (twarc2 X pages, Facebook / Instagram / YouTube / Reddit API documents,
  Fivetran's Meta Ads and HubSpot tables, CSV reports), shared by both;
- ``brands``, ``profiles``, ``phrases``, ``ids``, ``draws``: the brands, their voices and the seeded draws both use.

Nothing here imports ``ingest``: the readers are tested against these files, never the other way round.
"""

from generators.demo import build_world, write_demo_config, write_demo_exports
from generators.scale import DEFAULT_START, generate_exports

__all__ = ["DEFAULT_START", "build_world", "generate_exports", "write_demo_config", "write_demo_exports"]
