"""Shared layer: font roles → Word family names and embeddable PDF faces.

Owns fonts/fonts.toml, font discovery, CFF → TrueType conversion with its
cache, glyph checks and the per-process memo of font programs. Imports no
stage; the writers, build and --check import it.
"""
