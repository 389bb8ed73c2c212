"""Evaluation: metrics, thresholds, calibration, cross-validation, imbalance, tiles."""
