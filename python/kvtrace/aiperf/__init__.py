"""kvtrace.aiperf: a drop-in for AIPerf's `aiperf.dataset.synthesis` on kvtrace's C++ library.

Same public names, submodules, signatures, defaults, return types and numbers as AIPerf main
@ 03140740; swap the import:

    # from aiperf.dataset.synthesis import PrefixAnalyzer, Synthesizer, SynthesisParams
    from kvtrace.aiperf import PrefixAnalyzer, Synthesizer, SynthesisParams

See docs/python.md ("kvtrace.aiperf") for the differences kept and why.
"""
from kvtrace.aiperf.empirical_sampler import EmpiricalSampler, EmpiricalSamplerStats
from kvtrace.aiperf.models import AnalysisStats, MetricStats, SynthesisParams
from kvtrace.aiperf.prefix_analyzer import PrefixAnalyzer
from kvtrace.aiperf.radix_tree import RadixNode, RadixTree, RadixTreeStats
from kvtrace.aiperf.rolling_hasher import RollingHasher
from kvtrace.aiperf.synthesizer import Synthesizer

__all__ = [
    "AnalysisStats",
    "EmpiricalSampler",
    "EmpiricalSamplerStats",
    "MetricStats",
    "PrefixAnalyzer",
    "RadixNode",
    "RadixTree",
    "RadixTreeStats",
    "RollingHasher",
    "Synthesizer",
    "SynthesisParams",
]
