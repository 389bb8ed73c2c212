"""Records: the RunResult, the run store, imports and exports, links and reports."""
