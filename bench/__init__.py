"""Benchmarks: speed, memory and storage, each printing its figures (not part of make test)."""
