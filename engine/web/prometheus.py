"""The Prometheus text exposition format (version 0.0.4), and a latency histogram kept in memory.

Each gunicorn worker is a process of its own, so each keeps its own histogram, and a scrape
returns only the histogram of the worker that handled it.
"""

from __future__ import annotations

import bisect
import math
import threading
from collections.abc import Iterable, Mapping, Sequence

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

Labels = Mapping[str, str]


def escape_label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def format_value(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def _labels(labels: Labels) -> str:
    if not labels:
        return ""
    inner = ",".join(f'{name}="{escape_label_value(str(value))}"'
                     for name, value in labels.items())
    return "{" + inner + "}"


class Exposition:
    """Collects metric families and renders them as one exposition text."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def family(self, name: str, kind: str, help_text: str,
               samples: Iterable[tuple[Labels, float]]) -> None:
        """Add a counter or gauge: its HELP and TYPE lines and one line per sample."""
        self._header(name, kind, help_text)
        for labels, value in samples:
            self.lines.append(f"{name}{_labels(labels)} {format_value(value)}")

    def histogram(self, name: str, help_text: str, histogram: LatencyHistogram) -> None:
        self._header(name, "histogram", help_text)
        for labels, counts, total, count in histogram.snapshot():
            cumulative = 0
            for bound, bucket_count in zip((*histogram.bounds, math.inf), counts, strict=True):
                cumulative += bucket_count
                bucket_labels = {**labels, "le": format_value(bound)}
                self.lines.append(f"{name}_bucket{_labels(bucket_labels)} {cumulative}")
            self.lines.append(f"{name}_sum{_labels(labels)} {format_value(total)}")
            self.lines.append(f"{name}_count{_labels(labels)} {count}")

    def _header(self, name: str, kind: str, help_text: str) -> None:
        self.lines.append(f"# HELP {name} {help_text.replace(chr(92), chr(92) * 2)}")
        self.lines.append(f"# TYPE {name} {kind}")

    def render(self) -> str:
        return "\n".join(self.lines) + "\n"


class LatencyHistogram:
    """Request durations by label set, in buckets with the given upper bounds (seconds)."""

    def __init__(self, bounds: Sequence[float], label_names: Sequence[str]) -> None:
        ordered = sorted(float(bound) for bound in bounds)
        if not ordered or any(bound <= 0 for bound in ordered):
            raise ValueError("METRICS_LATENCY_BUCKETS must list positive numbers of seconds, "
                             "such as [0.05, 0.1, 0.5, 1]")
        self.bounds = tuple(ordered)
        self.label_names = tuple(label_names)
        self._series: dict[tuple[str, ...], list[float]] = {}
        self._lock = threading.Lock()

    def observe(self, seconds: float, *label_values: str) -> None:
        """Count one observation of `seconds` under the labels, in the order of label_names."""
        index = bisect.bisect_left(self.bounds, seconds)
        with self._lock:
            # One slot per bucket (the last is +Inf), then the sum and the count.
            series = self._series.setdefault(label_values, [0.0] * (len(self.bounds) + 3))
            series[index] += 1
            series[-2] += seconds
            series[-1] += 1

    def snapshot(self) -> list[tuple[dict[str, str], list[int], float, int]]:
        """Return (labels, per-bucket counts, sum, count) for every label set, sorted."""
        with self._lock:
            items = sorted((key, list(values)) for key, values in self._series.items())
        return [(dict(zip(self.label_names, key, strict=True)),
                 [int(count) for count in values[:-2]], values[-2], int(values[-1]))
                for key, values in items]
