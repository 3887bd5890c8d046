"""The reliability diagrams are a PNG drawn offline (matplotlib), the same bytes for the same figures."""

from pathlib import Path

import numpy as np

from models.evaluate import multiclass_result, write_reliability_plot
from models.schema import SENTIMENT_LABELS

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _runs() -> dict:
    generator = np.random.default_rng(3)
    probabilities = generator.dirichlet(np.ones(3), size=300)
    truth = generator.integers(0, 3, size=300)
    calibrated = multiclass_result("sentiment", SENTIMENT_LABELS, truth, probabilities.argmax(axis=1), probabilities)
    sharper = probabilities**2 / (probabilities**2).sum(axis=1, keepdims=True)
    previous = multiclass_result("sentiment", SENTIMENT_LABELS, truth, sharper.argmax(axis=1), sharper)
    return {"fp32": ([calibrated, previous], {}, "v", 0.0), "int8": ([calibrated, previous], {}, "v", 0.0)}


def test_the_plot_is_a_png_with_the_same_bytes_for_the_same_figures(tmp_path: Path) -> None:
    runs = _runs()
    first, second = tmp_path / "a.png", tmp_path / "b.png"
    write_reliability_plot(runs, first)
    write_reliability_plot(runs, second)
    assert first.read_bytes().startswith(PNG_SIGNATURE)
    assert first.read_bytes() == second.read_bytes()
    assert first.stat().st_size > 10_000  # drawn, not an empty canvas
    other = _runs()
    other["int8"] = (other["int8"][0][::-1], {}, "v", 0.0)  # other figures, another picture
    write_reliability_plot(other, second)
    assert first.read_bytes() != second.read_bytes()
