"""Shared layer: typesetting decisions both writers follow (LAYOUT.md).

Owns Chinese line-breaking rules (禁则, justification) and title balancing, so
the PDF and the Word file break titles in the same places. Pure functions;
imports only model.textrules.
"""
