"""Shared layer: where things are, whether run from a checkout or an installed wheel.

Owns the built-in templates and font configuration (package data read through
importlib.resources), the user's folders that override them file by file, and
the cache folder. Imports no stage; fonts/, compose/, check and cli import it.
"""
