"""PDF/A-2b (ISO 19005-2, level B) for every PDF the tool writes.

The archive keeps each month's PDF; PDF/A makes the file self-contained so
that it renders the same in twenty years. Most of what level B asks is true
of the writer's output by construction: every face drawn is embedded with
its widths and a ToUnicode map (handouts.pdf.fonts), nothing is encrypted,
there is no transparency, JavaScript or action, widgets carry the print flag
and an appearance stream (handouts.pdf.form). This module adds the
document-level parts:

- the PDF 1.7 header (ReportLab writes the binary comment line after it);
- XMP metadata equal to the Info dictionary, with pdfaid:part 2 and
  pdfaid:conformance B. The packet is made by pikepdf from the same
  values, not written by hand; its dates are the Info dates (the document's
  date), so builds stay byte-identical. The metadata stream is not
  compressed (ISO 19005-2, 6.6.2.1);
- an OutputIntent GTS_PDFA1 with the sRGB profile of icc/ (see its README):
  the pages use DeviceGray and DeviceRGB, which PDF/A allows only under an
  output intent;
- ViewerPreferences DisplayDocTitle and the document language.

The form fields' font (handouts.pdf.form) stays unembedded on purpose, so
that any character can be typed. PDF/A-2 requires embedding only of fonts
used for rendering (6.2.11.4.1), and a resource that no content stream
names is exempt (6.2.2): the field font is named only by /DA strings and
the resource dictionaries of the empty appearances "/Tx BMC EMC", which
draw nothing. A form filled in and saved by a viewer gets appearances in
that font and is no longer PDF/A; the archive keeps the blank sheets.

write_pdf() calls apply_to_canvas() and finish_canvas() for ReportLab
documents; the volume (handouts.volume) calls apply_to_pikepdf() on the
merged file.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import zlib
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportlab.pdfbase.pdfdoc import PDFArray, PDFCatalog, PDFDictionary, PDFName, PDFObject, PDFString

ICC_PROFILE = Path(__file__).with_name("icc") / "sRGB.icc"
OUTPUT_CONDITION = "sRGB IEC61966-2.1"
PDF_VERSION = (1, 7)
LANG = "zh-CN"
PDFA_PART, PDFA_CONFORMANCE = "2", "B"
XMP_CACHE = "xmp"  # beside the converted fonts (HANDOUTS_FONT_CACHE)

if TYPE_CHECKING:
    import pikepdf


@dataclass(frozen=True)
class ArchiveInfo:
    """The Info dictionary's entries, as written: the XMP packet repeats them."""

    title: str
    author: str
    subject: str
    keywords: str
    creator: str
    producer: str
    date: str  # a PDF date, "D:YYYYMMDDHHmmSS+08'00'": creation and modification

    def docinfo(self) -> dict[str, str]:
        return {"/Title": self.title, "/Author": self.author, "/Subject": self.subject,
                "/Keywords": self.keywords, "/Creator": self.creator, "/Producer": self.producer,
                "/CreationDate": self.date, "/ModDate": self.date}


@lru_cache(maxsize=256)
def xmp_packet(info: ArchiveInfo) -> bytes:
    """The XMP packet for info, made by pikepdf's metadata support.

    Remembered on disk by the values and pikepdf's version: importing
    pikepdf costs a tenth of a second, an eighth of a month's build, and a
    month's packets are the same from one build to the next. A packet
    read back is the one pikepdf would make, so the cache never changes
    the output; one that cannot be written only costs the time."""
    path = _cache_path(info)
    if path is not None:
        try:
            return path.read_bytes()
        except OSError:
            pass
    data = _make_xmp(info)
    if path is not None:
        _store(path, data)
    return data


def _cache_path(info: ArchiveInfo) -> Path | None:
    from ..places.resources import default_cache_dir

    version = _pikepdf_version()
    if version is None:
        return None
    key = hashlib.sha256(version + json.dumps(asdict(info), ensure_ascii=False).encode("utf-8"))
    return default_cache_dir() / XMP_CACHE / f"{key.hexdigest()}.xmp"


@functools.lru_cache(maxsize=1)
def _pikepdf_version() -> bytes | None:
    """pikepdf's _version.py, read once per process (the XMP it makes is keyed by it)."""
    spec = importlib.util.find_spec("pikepdf")
    if spec is None or not spec.submodule_search_locations:
        return None
    try:
        return (Path(next(iter(spec.submodule_search_locations))) / "_version.py").read_bytes()
    except OSError:
        return None


def _store(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{os.getpid()}-{path.name}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass


def _make_xmp(info: ArchiveInfo) -> bytes:
    import pikepdf

    scratch = pikepdf.new()
    docinfo = pikepdf.Dictionary({k: pikepdf.String(v) for k, v in info.docinfo().items()})
    # Not "edited by pikepdf": that would stamp xmp:MetadataDate with the clock.
    with scratch.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta.load_from_docinfo(docinfo, raise_failure=True)
        meta["pdfaid:part"] = PDFA_PART
        meta["pdfaid:conformance"] = PDFA_CONFORMANCE
    return bytes(scratch.Root.Metadata.read_bytes())


@lru_cache(maxsize=1)
def srgb_profile() -> bytes:
    return ICC_PROFILE.read_bytes()


@lru_cache(maxsize=1)
def _compressed_profile() -> bytes:
    return zlib.compress(srgb_profile(), 9)


# -- ReportLab ----------------------------------------------------------------


class _Stream(PDFObject):
    """A stream whose bytes are final: the XMP packet (never filtered) and
    the profile (compressed once per process)."""

    def __init__(self, head: str, data: bytes) -> None:
        self.head, self.data = head, data

    def format(self, document: Any) -> bytes:
        return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (
            self.head.encode("ascii"), len(self.data), self.data)


# ReportLab's catalogue writes only the keys it lists; OutputIntents is not one.
_CATALOG_KEYS = (*PDFCatalog.__NoDefault__, "OutputIntents")


def info_of_canvas(doc: Any) -> ArchiveInfo:
    """The Info entries ReportLab will write for doc (its PDFDocument)."""
    i = doc.info
    return ArchiveInfo(title=i.title, author=i.author, subject=i.subject, keywords=i.keywords,
                       creator=i.creator, producer=i.producer,
                       date=i._dateFormatter(None) if i._dateFormatter else "")


def apply_to_canvas(canv: Any) -> None:
    """Make the canvas's document PDF/A-2b; call after its Info is set."""
    doc = canv._doc
    catalog = doc._catalog
    catalog.__NoDefault__ = _CATALOG_KEYS
    catalog.Metadata = _Stream("/Type /Metadata /Subtype /XML", xmp_packet(info_of_canvas(doc)))
    profile = doc.Reference(_Stream("/N 3 /Filter /FlateDecode", _compressed_profile()))
    catalog.OutputIntents = PDFArray([PDFDictionary({
        "Type": PDFName("OutputIntent"),
        "S": PDFName("GTS_PDFA1"),
        "OutputConditionIdentifier": PDFString(OUTPUT_CONDITION),
        "Info": PDFString(OUTPUT_CONDITION),
        "DestOutputProfile": profile,
    })])
    canv.setViewerPreference("DisplayDocTitle", "true")


def finish_canvas(canv: Any) -> None:
    """Before save: ReportLab gives every page an empty transition dictionary
    (/Trans << >>). It means nothing, and allowlist validators (pikepdf.pdfa)
    refuse to vouch for a key they do not check; the pages go without it."""
    for page in canv._doc.Pages.pages:
        trans = getattr(page, "Trans", None)
        if trans is not None and not getattr(trans, "dict", None):
            page.Trans = None


# -- pikepdf ------------------------------------------------------------------


def apply_to_pikepdf(pdf: pikepdf.Pdf, info: ArchiveInfo) -> None:
    """The same for a file assembled with pikepdf; save it with
    save_options() so that the header says 1.7 and the ID is the content's."""
    import pikepdf
    for key, value in info.docinfo().items():
        pdf.docinfo[key] = pikepdf.String(value)
    root = pdf.Root
    root.Metadata = pdf.make_stream(
        xmp_packet(info), pikepdf.Dictionary(Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML))
    profile = pdf.make_stream(srgb_profile(), pikepdf.Dictionary(N=3))
    root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1,
        OutputConditionIdentifier=pikepdf.String(OUTPUT_CONDITION),
        Info=pikepdf.String(OUTPUT_CONDITION), DestOutputProfile=profile)])
    root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
    root.Lang = pikepdf.String(LANG)


def save_options() -> dict[str, Any]:
    """pikepdf.Pdf.save() arguments for an archival, reproducible file: the
    1.7 header, an ID computed from the content, every stream kept as it
    is (the pages' were compressed by ReportLab; compressing the rest would
    filter the metadata stream, which PDF/A forbids)."""
    import pikepdf

    return {"min_version": "{}.{}".format(*PDF_VERSION), "deterministic_id": True,
            "compress_streams": False, "stream_decode_level": pikepdf.StreamDecodeLevel.none,
            "object_stream_mode": pikepdf.ObjectStreamMode.disable, "fix_metadata_version": False}
