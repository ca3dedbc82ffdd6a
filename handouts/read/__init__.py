"""Stage 1, read: seed bytes (.txt in any clerk's encoding, .docx) and the branch
list → clean text lines with notes.

Owns decoding, Word-artefact removal and the branch list. Imports only the
model's Note type; never a later stage.
"""
