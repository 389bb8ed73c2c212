"""The lab's chart colours, fixed across every chart: accuracy-like quantities in ACCURACY_COLOR, time in
TIME_COLOR, runs set aside (off a frontier, a stage not reached) in OTHER_COLOR. A module of its own so a chart
drawn without Altair (History's SVG frontier, ``ui/history_chart.py``) uses the same ones as ``core.charts``."""

ACCURACY_COLOR = "#1f77b4"
TIME_COLOR = "#ff7f0e"
VALIDATION_COLOR = "#2ca02c"
BASELINE_COLOR = "#d62728"
OTHER_COLOR = "#bbbbbb"
