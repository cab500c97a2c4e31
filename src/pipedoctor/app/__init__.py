"""The application layer: the workflows commands and the TUI share.

Opening a snapshot or collecting live, check's and diagnose's analyses and what counts as a
finding, a role's generated policy with the usage it was seen making, role diffs, graph views and
the baseline flow live here, so a command is argument parsing, one call and
printing. No module here imports the TUI.
"""
