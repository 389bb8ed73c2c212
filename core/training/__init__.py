"""Training: ``train()``, progress and stop flags, honest timing (perf), worker processes."""
