"""Stage 3, compose: Package → Document through Jinja2 templates and the style sheet.

Owns the Document layout tree, templates/style.toml (StyleSheet) and the
per-branch sheets. Imports model/; never a writer, build or the CLI.
"""
