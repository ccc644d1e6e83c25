"""Runs: the optimisers, the fast reference losses, option checks, and the content, style and paint runs."""
