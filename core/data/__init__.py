"""Data: the dataset registry, CSV tables, and leak-free preparation (split, scale, resample)."""
