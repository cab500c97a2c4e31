"""The interactive Textual TUI. The only package that imports textual."""
