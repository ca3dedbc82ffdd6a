"""--collect: read the record sheets the branches return, summarise the month.

Beside the build, after it in the pipeline: it reads filled sheets (PDF form
fields or page text, Word tables), checks them against the branch list and
the seed's month, and writes the summary (.xlsx, and .docx/.pdf composed
with templates/summary.xml.j2 through the ordinary writers). It imports
read/, model/, compose/ and the writers; nothing imports it but the CLI.
"""
