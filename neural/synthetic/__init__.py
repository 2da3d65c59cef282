"""Synthetic people for training and benchmarking: sampled Anny bodies, cameras, appearance."""
