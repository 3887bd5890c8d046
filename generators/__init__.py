"""Synthetic exports in the platforms' own formats, deterministic by seed: the input of `ror demo`, `ror generate`, the
benchmarks and many tests. One engine writes them all:

- ``scale``: the engine. Any number of interactions, brands and days, drawn day by day from streams seeded by (seed,
  brand, platform, day); ``generate_exports`` writes one landing folder a day that more days never change (`ror
  generate`); ``scale.window`` writes a fixed profile whole, one file per brand and platform and one per table over
  the window: ``DEMO`` (three brands, 90 days, told as a story: a giveaway, a delivery crisis, ads that bring cheap
  leads, customers' photos) is what ``write_demo_exports`` and ``write_demo_config`` write for `ror demo`;
- ``formats``: one writer per export format (twarc2 X pages, Facebook / Instagram / YouTube / Reddit API documents,
  a Sprout Social report, Fivetran's Meta Ads and HubSpot tables);
- ``brands``, ``profiles``, ``phrases``, ``ids``, ``draws``: the brands, their voices and events, and the seeded draws.

Nothing here imports ``ingest``: the readers are tested against these files, never the other way round.
"""

from generators.scale import DEFAULT_START, generate_exports
from generators.scale.window import DEMO, write_demo_config, write_demo_exports

__all__ = ["DEFAULT_START", "DEMO", "generate_exports", "write_demo_config", "write_demo_exports"]
