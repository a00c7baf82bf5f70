"""Tests of the benchmarks' pure helpers (``benchmarks/``): no browser, no server."""
