"""Least-privilege policies from observed usage and pipeline configuration, proven by the IAM engine."""
