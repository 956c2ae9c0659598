from kvtrace.aiperf.empirical_sampler import EmpiricalSampler as EmpiricalSampler
from kvtrace.aiperf.empirical_sampler import EmpiricalSamplerStats as EmpiricalSamplerStats
from kvtrace.aiperf.models import AnalysisStats as AnalysisStats
from kvtrace.aiperf.models import MetricStats as MetricStats
from kvtrace.aiperf.models import SynthesisParams as SynthesisParams
from kvtrace.aiperf.prefix_analyzer import PrefixAnalyzer as PrefixAnalyzer
from kvtrace.aiperf.radix_tree import RadixNode as RadixNode
from kvtrace.aiperf.radix_tree import RadixTree as RadixTree
from kvtrace.aiperf.radix_tree import RadixTreeStats as RadixTreeStats
from kvtrace.aiperf.rolling_hasher import RollingHasher as RollingHasher
from kvtrace.aiperf.synthesizer import Synthesizer as Synthesizer

__all__: list[str]
