"""Benchmarks of tbu-mc: kernels and the block engine (``python -m benchmarks [--quick]``).

They measure and record; they never assert on timings. See ``benchmarks/README.md``.
"""
