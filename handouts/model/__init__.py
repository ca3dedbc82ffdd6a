"""Stage 2, parse: clean lines → Package, the semantic model every later stage reads.

Owns the model types, the parser and the recognisers of 公文 pieces
(textrules). Imports read/ for the SourceText it parses; nothing later.
"""
