"""Exploring trade-offs: sweeps and executors, Optuna search, Pareto frontiers, estimates."""
