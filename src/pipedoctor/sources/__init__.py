"""Parsers for repository files: Dockerfiles, buildspecs, pipeline definitions."""
