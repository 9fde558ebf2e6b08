"""Benchmarks of the whole job at 61, 1,000 and 10,000 actions, beside the naive way of doing each step."""
