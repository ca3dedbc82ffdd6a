"""The Word font table (word/fontTable.xml) and optional font embedding.

The document names the conventional families (仿宋_GB2312, 黑体, …). The font
table tells Word and WPS what each one is, so a PC without 仿宋_GB2312 but
with 仿宋 (Windows 10 and later) substitutes sensibly: w:altName names the
first alternate, charset 86 (GB2312) and the PANOSE/family/pitch hints say
"a Chinese face of this kind".

Embedding (optional): the faces the PDF used are subset to the characters of
their role, renamed to the conventional family (Word and LibreOffice match an
embedded font by the family name inside the file) and stored obfuscated as
ECMA-376 Part 1 §17.8.1 prescribes: the first 32 bytes XORed with the 16
bytes of the font key GUID taken in reverse string order. The GUID is derived
from the font bytes, so builds stay reproducible. A face whose OS/2 fsType
forbids embedding (restricted licence, bitmap only) is never embedded.
CFF faces (Noto CJK) are embedded from the TrueType conversion the PDF build
made and cached (handouts.fonts.convert), so Word gets the same outlines.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from lxml import etree

from .oxml import NAMESPACES, el, qn

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont

# PANOSE, family and pitch of the faces 公文 uses, as Windows reports them.
# A hint only: Word uses them to pick a look-alike when the family is absent.
_KNOWN = {
    "仿宋_GB2312": ("02010609030101010101", "modern", "fixed"),
    "仿宋": ("02010609060101010101", "modern", "fixed"),
    "楷体_GB2312": ("02010609030101010101", "modern", "fixed"),
    "楷体": ("02010609060101010101", "modern", "fixed"),
    "黑体": ("02010609060101010101", "modern", "fixed"),
    "宋体": ("02010600030101010101", "auto", "variable"),
    "方正小标宋简体": ("02000000000000000000", "auto", "variable"),
}
_GENERIC = ("02010600030101010101", "auto", "variable")
_GB2312 = "86"

# OS/2 fsType bits (OpenType spec): 0x0002 restricted licence embedding,
# 0x0100 no subsetting, 0x0200 bitmap embedding only.
_FS_RESTRICTED = 0x0002
_FS_NO_SUBSET = 0x0100
_FS_BITMAP_ONLY = 0x0200


@dataclass(frozen=True)
class EmbeddedFont:
    """One obfuscated font part to add to the package."""

    family: str
    key: str  # "{GUID}" for w:fontKey
    data: bytes  # obfuscated bytes of the .odttf part


def font_entry(name: str, alternates: Iterable[str] = (), embedded: tuple[str, str] | None = None
               ) -> etree._Element:
    """A w:font element; `embedded` is (relationship id, font key) of the regular face."""
    panose, family, pitch = _KNOWN.get(name, _GENERIC)
    alt = next((a for a in alternates if a != name), None)
    return el(
        "w:font",
        el("w:altName", val=alt) if alt else None,
        el("w:panose1", val=panose),
        el("w:charset", val=_GB2312),
        el("w:family", val=family),
        el("w:pitch", val=pitch),
        # Unicode ranges Latin + CJK, code pages Latin 1 + GB2312: "a Chinese font".
        el("w:sig", usb0="00000003", usb1="288F0000", usb2="00000016", usb3="00000000",
           csb0="00040001", csb1="00000000"),
        el("w:embedRegular", r_id=embedded[0], fontKey=embedded[1]) if embedded else None,
        name=name,
    )


def font_table(entries: list[etree._Element]) -> etree._Element:
    root = etree.Element(qn("w:fonts"), nsmap=NAMESPACES)
    for entry in entries:
        root.append(entry)
    return root


# -- embedding ---------------------------------------------------------------


class EmbedRefused(Exception):
    """The face's licence bits forbid embedding it."""


def embeddable(font: TTFont) -> bool:
    fs_type = font["OS/2"].fsType if "OS/2" in font else 0
    return not fs_type & (_FS_RESTRICTED | _FS_BITMAP_ONLY)


def font_key(data: bytes) -> str:
    """A GUID derived from the font bytes: stable across builds, distinct across fonts."""
    return "{" + str(uuid.UUID(bytes=hashlib.sha256(data).digest()[:16])).upper() + "}"


def obfuscate(data: bytes, key: str) -> bytes:
    """XOR the first 32 bytes with the key's bytes in reverse string order (§17.8.1).

    The same operation undoes it.
    """
    key_bytes = bytes.fromhex(key.strip("{}").replace("-", ""))[::-1]
    head = bytes(b ^ key_bytes[i % 16] for i, b in enumerate(data[:32]))
    return head + data[32:]


# Tables Word and LibreOffice do not need to show the text: shaping, vertical
# metrics, bitmaps, editor leftovers. Dropping them keeps subsetting fast.
_DROP = ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "VORG", "vhea", "vmtx", "FFTM",
         "BDF ", "EBDT", "EBLC", "EBSC", "bdat", "bloc", "DSIG", "LTSH", "PCLT", "hdmx", "VDMX"]


def subset_face(path: str, index: int, text: str, family: str) -> bytes:
    """A TrueType face cut down to the characters of `text` and named `family`.

    `path` must hold glyf outlines (the PDF build converts CFF faces; see
    handouts.fonts.convert). Raises EmbedRefused when fsType forbids embedding.
    """
    # fontTools' subsetter takes a fifth of a second to import: only --embed-fonts needs it.
    from fontTools import subset as ft_subset
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=True, recalcTimestamp=False)
    if not embeddable(font):
        raise EmbedRefused(family)
    if "glyf" not in font:
        raise EmbedRefused(family)  # Word embeds TrueType outlines only
    fs_type = font["OS/2"].fsType
    if not fs_type & _FS_NO_SUBSET:
        options = ft_subset.Options()
        options.layout_features = []
        options.drop_tables = [*options.drop_tables, *_DROP]
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.notdef_outline = True
        options.hinting = False
        options.recalc_timestamp = False
        subsetter = ft_subset.Subsetter(options)
        subsetter.populate(unicodes={ord(ch) for ch in text} | {0x20, 0x3000})
        subsetter.subset(font)
    _rename(font, family)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _rename(font: TTFont, family: str) -> None:
    """Family, full and PostScript names → the conventional family, in English and Chinese records.

    Word and LibreOffice register an embedded face under the names inside it,
    so the file must call itself what the runs ask for.
    """
    name = font["name"]
    name.names = [n for n in name.names if n.nameID not in (1, 2, 3, 4, 6, 16, 17, 21, 22)]
    ps = "Handouts-" + hashlib.sha1(family.encode("utf-8")).hexdigest()[:12]
    for lang in (0x409, 0x804):
        name.setName(family, 1, 3, 1, lang)
        name.setName("Regular", 2, 3, 1, lang)
        name.setName(f"{family} (subset)", 3, 3, 1, lang)
        name.setName(family, 4, 3, 1, lang)
    name.setName(ps, 6, 3, 1, 0x409)


@lru_cache(maxsize=32)
def embed(family: str, path: str, index: int, text: str) -> EmbeddedFont:
    """The obfuscated subset; memoised because every handout of a month asks the same."""
    raw = subset_face(path, index, text, family)
    key = font_key(raw)
    return EmbeddedFont(family, key, obfuscate(raw, key))
