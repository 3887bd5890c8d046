"""Measuring one command: wall time and the peak memory of its whole process tree, sampled with psutil throughout.

Used by ``benchmarks.run``; also what the acceptance check does by hand (a refresh timed with its process tree's
memory). The peak is the largest sum of resident set sizes over the process and all its descendants at one sample,
which counts dbt's subprocess and anything else the command starts.
"""

from __future__ import annotations

import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

SAMPLE_SECONDS = 0.2


@dataclass(frozen=True)
class Measured:
    returncode: int
    seconds: float
    peak_rss_bytes: int
    output_tail: str
    # (time.time(), the tree's resident bytes) at every sample: what benchmarks.run splits into each stage's peak
    samples: tuple[tuple[float, int], ...] = ()

    @property
    def peak_rss_gib(self) -> float:
        return self.peak_rss_bytes / 2**30


def tree_rss(process: psutil.Process) -> int:
    """Resident bytes of a process and every descendant right now (processes that just ended count as nothing)."""
    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total


class PeakTreeMemory:
    """The largest resident memory of a process and all its descendants together (``tree_rss``), sampled every 100 ms
    on a thread from construction until ``stop``: for a process this one started or this process itself."""

    def __init__(self, pid: int | None = None) -> None:
        self.process, self.peak, self._stop = psutil.Process(pid), 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, tree_rss(self.process))

    def stop(self) -> int:
        """Stop sampling; the peak in bytes."""
        self._stop.set()
        self._thread.join()
        return self.peak


def run_measured(command: list[str], env: dict[str, str], cwd: Path, log: Path, timeout: float) -> Measured:
    """Run ``command`` with stdout and stderr to ``log``, sampling the tree's memory until it exits."""
    log.parent.mkdir(parents=True, exist_ok=True)
    samples: list[tuple[float, int]] = []
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as sink:
        child = subprocess.Popen(command, env=env, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT)
        watched = psutil.Process(child.pid)
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                samples.append((time.time(), tree_rss(watched)))
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            returncode = child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            returncode = child.wait()
        finally:
            done.set()
            sampler.join()
    seconds = time.perf_counter() - started
    tail = log.read_text(encoding="utf-8", errors="replace")[-4000:]
    peak = max((rss for _, rss in samples), default=0)
    return Measured(returncode, seconds, peak, tail, tuple(samples))
