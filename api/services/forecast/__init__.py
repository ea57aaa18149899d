"""Period end: days to close, expected value and ranking, the quota plan, and the pipeline."""
