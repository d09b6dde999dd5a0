"""Findings: what the data say, computed once above the statistics (GRADE's rules applied to each line)."""
