from typing import Optional

STREAM: str

class EmpiricalSamplerStats:
    min: float
    max: float
    mean: float
    median: float
    num_unique: int
    def __init__(
        self, min: float, max: float, mean: float, median: float, num_unique: int
    ) -> None: ...

class EmpiricalSampler:
    def __init__(self, data: list[int] | list[float], *, seed: Optional[int] = None) -> None: ...
    def sample(self) -> int | float: ...
    def sample_batch(self, size: int) -> list[int | float]: ...
    def get_stats(self) -> EmpiricalSamplerStats: ...
