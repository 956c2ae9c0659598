"""AIPerf's `aiperf analyze-trace` display: a report and a statistics table, the JSON report
optionally written to a file. Rich renders the table when it is installed; without it a
plain-text table with the same title, columns and rows (docs/python.md)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from kvtrace.aiperf.models import MetricStats
from kvtrace.aiperf.prefix_analyzer import PrefixAnalyzer

_STAT_COLUMNS = ["Mean", "Std Dev", "Min", "P25", "Median", "P75", "Max"]

try:
    from rich.console import Console
    from rich.table import Table
except ImportError:

    class _Column:
        def __init__(self, header: str) -> None:
            self.header = header

    class Table:  # type: ignore[no-redef]
        """The part of rich.table.Table the report uses: title, columns, rows."""

        def __init__(self, title: Optional[str] = None) -> None:
            self.title = title
            self.columns: list[_Column] = []
            self.rows: list[tuple[str, ...]] = []

        def add_column(self, header: str, **_style: object) -> None:
            self.columns.append(_Column(header))

        def add_row(self, *cells: str) -> None:
            self.rows.append(tuple(c.replace("[dim]", "").replace("[/dim]", "") for c in cells))

        @property
        def row_count(self) -> int:
            return len(self.rows)

        def __str__(self) -> str:
            lines = [[c.header for c in self.columns], *self.rows]
            widths = [max(len(line[i]) for line in lines) for i in range(len(self.columns))]
            text = [" ".join(cell.rjust(w) for cell, w in zip(line, widths)) for line in lines]
            return "\n".join([self.title or "", *text])

    class Console:  # type: ignore[no-redef]
        """print() with rich's markup tags dropped."""

        def __init__(self, width: int = 120) -> None:
            self.width = width

        def print(self, text: object = "") -> None:
            for tag in ("[bold]", "[/bold]"):
                text = str(text).replace(tag, "")
            print(text)


def _build_stats_table(metrics: dict[str, Optional[MetricStats]]) -> Table:
    """The "Trace Statistics" table: one row per metric, N/A for a metric without data."""
    table = Table(title="Trace Statistics")
    table.add_column("Metric", justify="right", style="cyan", no_wrap=True)
    for name in _STAT_COLUMNS:
        table.add_column(name, justify="right", style="green", no_wrap=True)
    for name, s in metrics.items():
        if s is None:
            table.add_row(name, *(["[dim]N/A[/dim]"] * len(_STAT_COLUMNS)))
            continue
        values = (s.mean, s.std_dev, s.min, s.p25, s.median, s.p75, s.max)
        table.add_row(name, *(f"{v:,.2f}" for v in values))
    return table


def analyze_trace(
    input_file: Path, block_size: int = 512, output_file: Optional[Path] = None
) -> None:
    """Print the analysis of a Mooncake trace file; write its JSON to `output_file` if set.
    A missing input file is reported on stdout, not raised (as AIPerf does)."""
    input_file = Path(input_file)
    if not input_file.exists():
        print(f"Error: Input file not found: {input_file}")
        return
    stats = PrefixAnalyzer(block_size=block_size).analyze_file(input_file)
    console = Console(width=120)
    console.print()
    console.print("[bold]Trace Analysis Report[/bold]")
    console.print(f"Total requests:   {stats.total_requests:,}")
    console.print(f"Unique prefixes:  {stats.unique_prefixes:,}")
    console.print(f"Prefix groups:    {stats.num_prefix_groups:,}")
    console.print()
    console.print(
        _build_stats_table(
            {
                "Input Length": stats.isl_stats,
                "Context Length": stats.context_length_stats,
                "Unique Prompt Length": stats.unique_prompt_length_stats,
                "Output Length": stats.osl_stats,
                "Theoretical Hit Rates": stats.hit_rate_stats,
            }
        )
    )
    console.print()
    if output_file:
        output_file = Path(output_file)
        output_file.parent.mkdir(parents=True, exist_ok=True)
        output_file.write_text(stats.model_dump_json(indent=2))
        console.print(f"Analysis report saved to {output_file}")
