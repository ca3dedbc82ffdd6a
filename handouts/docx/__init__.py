"""Stage 4, write (Word): Document → .docx bytes.

Owns WordprocessingML helpers (oxml), named styles, the font table, the OPC
package and the writer. Imports compose/, typeset/ and fonts/; never build
or the CLI. (Absolute `import docx` inside still means python-docx.)
"""
