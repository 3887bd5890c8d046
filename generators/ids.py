"""Identifiers shaped like the platforms' own, drawn from a seeded generator and never repeated."""

from __future__ import annotations

import random
import string
from datetime import UTC, datetime

TWITTER_EPOCH_MS = 1_288_834_974_657  # snowflake ids count milliseconds from 2010-11-04T01:42:54.657Z
_ALNUM = string.ascii_letters + string.digits


class IdMint:
    """Hands out unique ids; ``snowflake`` ids sort like their timestamps, as X's do."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def _claim(self, make) -> str:
        while True:
            value = make()
            if value not in self._used:
                self._used.add(value)
                return value

    def reserve(self, value: str) -> None:
        """Mark an id that exists already (from DEMO_BRANDS) as taken."""
        self._used.add(value)

    def snowflake(self, when: datetime) -> str:
        millis = int(when.astimezone(UTC).timestamp() * 1000) - TWITTER_EPOCH_MS
        return self._claim(lambda: str((millis << 22) | (self._rng.randrange(1024) << 12) | self._rng.randrange(64)))

    def digits(self, length: int, first: str = "") -> str:
        """A number of ``length`` digits, starting with ``first`` when given (never with a zero)."""
        head = first or str(self._rng.randint(1, 9))
        return self._claim(lambda: head + "".join(self._rng.choices(string.digits, k=length - len(head))))

    def token(self, length: int, alphabet: str = _ALNUM) -> str:
        return self._claim(lambda: "".join(self._rng.choices(alphabet, k=length)))

    def tco(self) -> str:
        return "https://t.co/" + self.token(10)

    def uuid(self) -> str:
        hexes = self.token(32, "0123456789abcdef")
        return f"{hexes[:8]}-{hexes[8:12]}-4{hexes[13:16]}-a{hexes[17:20]}-{hexes[20:]}"
