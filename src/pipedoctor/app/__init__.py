"""The application layer: the workflows commands and the TUI share.

Opening a snapshot or collecting live, the analysis and what counts as a finding, role diffs,
graph views and the baseline flow live here, so a command is argument parsing, one call and
printing. No module here imports the TUI.
"""
