"""The screens: one module per view."""
