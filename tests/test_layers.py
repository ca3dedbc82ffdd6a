"""Imports run one way, down the pipeline (issue 13, ARCHITECTURE.md).

Every import inside handouts/ — at module level or inside a function — goes
from a module to one of the same or a lower layer. A writer never imports the
CLI; the reader never imports a writer; no stage imports a front end.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "handouts"

# Lowest first. A module belongs to the first entry that names it or its
# package; model.package (the model's types) sits below read/, which records
# Notes, while the parser in model/ reads what read/ gives it.
LAYERS: list[tuple[str, ...]] = [
    ("handouts", "handouts.model.package", "handouts.places", "handouts.output"),
    ("handouts.read",),
    ("handouts.model",),
    ("handouts.typeset", "handouts.fonts"),
    ("handouts.compose",),
    ("handouts.pdf", "handouts.docx", "handouts.mail"),
    ("handouts.build",),
    ("handouts.check", "handouts.volume", "handouts.collect"),
    # The two front ends: the command line hands --serve to the page, the
    # page reuses the command line's loading and outline.
    ("handouts.cli", "handouts.web"),
    ("handouts.__main__",),
]


def layer(module: str) -> int:
    best: tuple[int, int] | None = None  # (length of the matching name, layer)
    for index, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and (best is None or len(name) > best[0]):
                best = (len(name), index)
    assert best is not None, module
    return best[1]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, me: str | None = None) -> list[tuple[int, str]]:
    """(line, module) of every import of handouts in path (me: its module name), wherever it stands."""
    me = me or module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            if node.module:
                found.append((node.lineno, ".".join([*base, node.module])))
            else:  # from . import x: x may be a module of that package
                found += [(node.lineno, ".".join([*base, a.name])) for a in node.names
                          if a.name != "__version__"]
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names = [node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            found += [(node.lineno, n) for n in names if n and n.split(".")[0] == "handouts"]
    return found


def test_every_layer_is_known() -> None:
    for path in PACKAGE.rglob("*.py"):
        layer(module_name(path))


def test_imports_run_down_the_pipeline() -> None:
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        me = module_name(path)
        for line, target in imports(path):
            if layer(target) > layer(me):
                upward.append(f"{path.relative_to(PACKAGE.parent)}:{line} {me} → {target}")
    assert upward == []


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    """The rule above could pass by finding nothing: a writer that imports the CLI
    inside a function is caught."""
    planted = tmp_path / "writer.py"
    source = (PACKAGE / "pdf" / "writer.py").read_text(encoding="utf-8")
    planted.write_text(source + "\n\ndef _late():\n    from ..cli import main\n", encoding="utf-8")
    found = [t for _, t in imports(planted, "handouts.pdf.writer")]
    assert "handouts.cli" in found
    assert layer("handouts.cli") > layer("handouts.pdf.writer")
    assert "handouts.cli" not in [t for _, t in imports(PACKAGE / "pdf" / "writer.py")]
