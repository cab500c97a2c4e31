"""The embedded demo snapshot."""
