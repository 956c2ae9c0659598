"""AIPerf's EmpiricalSampler: draws from the distribution of observed values, on NumPy's
generator seeded as AIPerf's derived stream "dataset.synthesis.empirical_sampler"."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from kvtrace.aiperf._compat import child_seed

STREAM = "dataset.synthesis.empirical_sampler"


@dataclass(slots=True)
class EmpiricalSamplerStats:
    """min, max, mean (weighted: the data's mean), median (of the unique values),
    num_unique."""

    min: float
    max: float
    mean: float
    median: float
    num_unique: int


class EmpiricalSampler:
    """Samples values with the frequencies they have in `data`.

    `seed` (kvtrace's addition, keyword only) is a root seed as AIPerf's --random-seed;
    without it the stream comes from AIPerf's global generator when AIPerf is installed.
    """

    def __init__(self, data: list[int] | list[float], *, seed: Optional[int] = None) -> None:
        if len(data) == 0:
            self._values = np.array([0])
            self._probs = np.array([1.0])
        else:
            self._values, counts = np.unique(data, return_counts=True)
            self._probs = counts / counts.sum()
        self._rng = np.random.default_rng(child_seed(STREAM, seed))

    def sample(self) -> int | float:
        """One value drawn from the distribution (a Python scalar)."""
        return self._rng.choice(self._values, p=self._probs).item()

    def sample_batch(self, size: int) -> list[int | float]:
        """`size` values drawn from the distribution."""
        return self._rng.choice(self._values, size=size, p=self._probs).tolist()

    def get_stats(self) -> EmpiricalSamplerStats:
        """Statistics of the learned distribution."""
        return EmpiricalSamplerStats(
            min=float(self._values.min()),
            max=float(self._values.max()),
            mean=float(np.average(self._values, weights=self._probs)),
            median=float(np.median(self._values)),
            num_unique=int(self._values.size),
        )
