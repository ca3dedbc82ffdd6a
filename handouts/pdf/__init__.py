"""Stage 4, write (PDF): Document → PDF bytes with ReportLab.

Owns page layout (lines, pages, slots), the composite CJK fonts, the AcroForm
fields and the writer. Imports compose/ (Document, StyleSheet), typeset/ and
fonts/; never build or the CLI.
"""
