"""Benchmarks of the realtime hub against a Channels-tutorial baseline.

``python -m bench.run`` starts both servers, drives them with ``bench.loadgen``
and prints the comparison (docs/performance.md has the figures).
"""
