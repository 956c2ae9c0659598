from pathlib import Path
from typing import Any, Optional

from kvtrace.aiperf.models import MetricStats

def _build_stats_table(metrics: dict[str, Optional[MetricStats]]) -> Any: ...
def analyze_trace(
    input_file: Path, block_size: int = 512, output_file: Optional[Path] = None
) -> None: ...
