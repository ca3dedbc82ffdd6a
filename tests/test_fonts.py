"""The font layer: resolution, CFF conversion, disk cache, fallback, permissions.

Fixture fonts are built in tmp_path from the installed system fonts; no font
file belongs to the repository.
"""

from __future__ import annotations

import functools
import json
import tomllib
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from fontTools import subset
from fontTools.ttLib import TTFont
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfgen import canvas

from handouts.fonts import cmap as fontcmap
from handouts.fonts import convert as fontconvert
from handouts.fonts import fontset as fonts
from handouts.fonts import registry as fontregistry
from handouts.fonts import scan as fontscan
from handouts.fonts.fontset import (
    ROLES,
    FontConfigError,
    FontSet,
    MissingGlyphError,
    PreparedFonts,
    fonts_report,
)
from handouts.fonts.scan import FaceInfo, match_key
from handouts.pdf.fonts import DocumentFonts

PROJECT = Path(__file__).resolve().parent.parent
CONFIG = PROJECT / "fonts" / "fonts.toml"
SYSTEM = [Path("/usr/share/fonts")]
SAMPLE = "关于3月份教职工政治理论学习的通知（2024—2035年）“学习强国”。"
RARE = "𬍛㮾"  # U+2C35B (Ext. E), U+3BBE (Ext. A): missing from many CJK fonts


@pytest.fixture(autouse=True)
def _fresh_memo():
    # Each test reads fonts as a new process would.
    fonts.clear_memo()
    yield
    fonts.clear_memo()


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def font_dir(tmp_path: Path) -> Path:
    path = tmp_path / "fonts"
    path.mkdir()
    return path


@functools.cache
def _system_faces() -> tuple[FaceInfo, ...]:
    return tuple(f for p in fontscan.scan_dirs(SYSTEM) for f in fontscan.read_faces(p))


def find_face(name: str) -> FaceInfo:
    """The installed Regular face of a family (or a full name); skip if absent."""
    key = match_key(name)
    found = [f for f in _system_faces() if key in f.full_names or key in f.families]
    if not found:
        pytest.skip(f"{name} is not installed")
    return min(found, key=lambda f: (key not in f.full_names, abs(f.weight - 400)))


def load(cache: Path, font_dir: Path, config: Path = CONFIG) -> FontSet:
    return FontSet.load(config=config, font_dir=font_dir, cache_dir=cache, system_dirs=SYSTEM)


def write_config(path: Path, **roles: dict) -> Path:
    """fonts.toml of the project with some role fields replaced."""
    data = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    for role, fields in roles.items():
        data["roles"][role].update(fields)
    lines = []
    for role, table in data["roles"].items():
        lines.append(f"[roles.{role}]")
        # A JSON string or list of strings is valid TOML.
        lines += [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in table.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def make_font(
    info: FaceInfo, dest: Path, chars: str, family: str | None = None, fs_type: int | None = None
) -> Path:
    """A small TrueType copy of a system face, optionally renamed (Chinese name) or re-licensed."""
    font = TTFont(info.path, fontNumber=info.index, lazy=True)
    options = subset.Options()
    options.name_IDs, options.name_languages, options.layout_features = ["*"], ["*"], []
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    if family is not None:
        names = font["name"]
        names.names = [r for r in names.names if r.nameID not in (1, 2, 3, 4, 6, 16, 17)]
        ascii_name = "HandoutsTest" + family.encode().hex()[:16]
        for lang, text in ((0x804, family), (0x409, ascii_name)):
            names.setName(text, 1, 3, 1, lang)
            names.setName(text, 4, 3, 1, lang)
            names.setName("Regular", 2, 3, 1, lang)
        names.setName(ascii_name, 6, 3, 1, 0x409)
    if fs_type is not None:
        font["OS/2"].fsType = fs_type
    font.save(dest)
    return dest


def draw_pdf(path: Path, prepared: PreparedFonts, role: str, text: str) -> Path:
    """text in the role's fonts, drawn the way handouts.pdf.writer draws (pdf_fonts)."""
    pdf = canvas.Canvas(str(path), invariant=1, initialFontName=prepared.font_name(role))
    fonts = DocumentFonts(pdf._doc)
    ops = []
    x = 72.0
    for name, part in prepared.segments(role, text):
        resource, codes = fonts.show(name, part)
        ops.append(f"BT /{resource} 16 Tf 1 0 0 1 {x:.3f} 700 Tm <{codes}> Tj ET")
        x += prepared.width(role, part, 16)
    pdf.addLiteral("\n".join(ops))
    pdf.showPage()
    fonts.finish()
    pdf.save()
    return path


def extracted_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return (pdf.pages[0].extract_text() or "").replace(" ", "").replace("\n", "")


def embedded_fonts(path: Path) -> list[str]:
    """BaseFont of every font on page 1 whose program is embedded as TrueType."""
    page = pypdf.PdfReader(path).pages[0]
    out = []
    for ref in page["/Resources"]["/Font"].values():
        font = ref.get_object()
        for cid_font in font.get("/DescendantFonts", [font]):
            descriptor = cid_font.get_object().get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                out.append(str(font["/BaseFont"]))
    return out


def best_cmap(face_path: Path | str, index: int) -> dict[int, str]:
    """fontTools' own reading, to check ours independently."""
    with TTFont(face_path, fontNumber=index, lazy=True) as font:
        return font.getBestCmap()


# --- resolution ------------------------------------------------------------------


def test_user_font_named_in_candidates_wins_over_the_system_font(
    tmp_path: Path, cache: Path, font_dir: Path
) -> None:
    kai = find_face("AR PL UKai CN")
    copy = make_font(kai, font_dir / "my-kai.ttf", SAMPLE)  # same names as the system face
    config = write_config(tmp_path / "fonts.toml",
                          heading2={"candidates": ["AR PL UKai CN"], "substitutes": ["WenQuanYi Zen Hei"]})
    fontset = load(cache, font_dir, config)

    first, second = fontset.candidates("heading2")[:2]
    assert (first.path.resolve(), first.origin) == (copy.resolve(), "user")
    assert (second.path, second.origin) == (Path(kai.path), "system")
    prepared = fontset.prepare({"heading2": SAMPLE})
    assert prepared.face(prepared.font_name("heading2")).path.resolve() == copy.resolve()


def test_user_font_is_matched_by_its_chinese_name_before_system_candidates(
    tmp_path: Path, cache: Path, font_dir: Path
) -> None:
    ming = find_face("AR PL UMing CN")
    mine = make_font(ming, font_dir / "fs.ttf", SAMPLE, family="测试仿宋")
    # The system face is named first, but files in fonts/ are tried first.
    config = write_config(tmp_path / "fonts.toml", body={"candidates": ["AR PL UMing CN", "测试仿宋"]})
    fontset = load(cache, font_dir, config)

    chosen = fontset.chosen("body")
    assert (chosen.path.resolve(), chosen.family, chosen.origin) == (mine.resolve(), "测试仿宋", "user")
    assert fontset.candidates("body")[1].path == Path(ming.path)
    assert fontset.word_family("body") == "仿宋_GB2312"
    assert fontset.word_alternates("body") == ["仿宋", "FangSong"]


def test_font_index_is_cached_on_disk(cache: Path, font_dir: Path, monkeypatch) -> None:
    first = load(cache, font_dir)
    assert (cache / fontscan.INDEX_FILE).is_file()
    fonts.clear_memo()

    def refuse(path: Path) -> list[FaceInfo]:
        raise AssertionError(f"{path} read again although unchanged")

    monkeypatch.setattr(fontscan, "read_faces", refuse)
    again = load(cache, font_dir)
    assert [again.chosen(r) for r in ROLES] == [first.chosen(r) for r in ROLES]


def test_cache_dir_defaults_to_the_environment_variable(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HANDOUTS_FONT_CACHE", str(tmp_path / "env-cache"))
    assert fonts.default_cache_dir() == tmp_path / "env-cache"
    fontset = FontSet.load(font_dir=tmp_path, system_dirs=SYSTEM)
    assert fontset.cache_dir == tmp_path / "env-cache"


# --- CFF conversion and cache ---------------------------------------------------------


def _serif_config(tmp_path: Path) -> Path:
    find_face("Noto Serif CJK SC")
    return write_config(tmp_path / "fonts.toml", body={"candidates": [], "substitutes": ["Noto Serif CJK SC"]})


def test_cff_font_is_converted_to_truetype_and_embedded(tmp_path: Path, cache: Path, font_dir: Path) -> None:
    fontset = load(cache, font_dir, _serif_config(tmp_path))
    face = fontset.chosen("body")
    assert face.is_cff and face.origin == "substitute"

    prepared = fontset.prepare({"body": SAMPLE})
    converted = Path(pdfmetrics.getFont(prepared.font_name("body")).face.filename)
    assert cache in converted.parents
    assert prepared.font_file(prepared.font_name("body")) == (converted, 0)
    new = TTFont(converted)
    old = TTFont(face.path, fontNumber=face.index, lazy=True)
    assert "glyf" in new and "CFF " not in new and "VORG" not in new
    assert new["maxp"].tableVersion == 0x00010000
    new_cmap, old_cmap = new.getBestCmap(), old.getBestCmap()
    for ch in set(SAMPLE):
        new_glyph, old_glyph = new_cmap[ord(ch)], old_cmap[ord(ch)]
        assert new["hmtx"][new_glyph][0] == old["hmtx"][old_glyph][0], ch
        assert new["glyf"][new_glyph].numberOfContours > 0, ch
        upem = old["head"].unitsPerEm
        assert prepared.advance("body", ch, 16) == pytest.approx(old["hmtx"][old_glyph][0] * 16 / upem)
    assert len({new_cmap[ord(c)] for c in SAMPLE}) == len({old_cmap[ord(c)] for c in SAMPLE})

    pdf = draw_pdf(tmp_path / "out.pdf", prepared, "body", SAMPLE)
    assert extracted_text(pdf) == SAMPLE
    assert any("NotoSerifCJK" in name for name in embedded_fonts(pdf))


def test_conversion_is_deterministic() -> None:
    serif = find_face("Noto Serif CJK SC")
    codepoints = [ord(c) for c in SAMPLE]
    first = fontconvert.build_truetype(Path(serif.path), serif.index, codepoints)
    assert first == fontconvert.build_truetype(Path(serif.path), serif.index, reversed(codepoints))
    with TTFont(serif.path, fontNumber=serif.index, lazy=True) as original:
        created = original["head"].created
    assert TTFont(fontconvert.io.BytesIO(first))["head"].created == created


def test_conversion_copies_the_glyphs_an_earlier_set_shares(tmp_path: Path, monkeypatch) -> None:
    serif = find_face("Noto Serif CJK SC")
    src, more = Path(serif.path), SAMPLE + "民营经济"
    earlier = tmp_path / "earlier.ttf"
    earlier.write_bytes(fontconvert.build_truetype(src, serif.index, map(ord, SAMPLE)))
    fresh = fontconvert.build_truetype(src, serif.index, map(ord, more))

    converted = []
    convert = fontconvert._convert
    monkeypatch.setattr(fontconvert, "_convert", lambda *a: converted.append(a) or convert(*a))
    assert fontconvert.build_truetype(src, serif.index, map(ord, more), reuse=earlier) == fresh
    assert len(converted) == len("民营经济") + 1  # the new glyphs and .notdef


def test_second_prepare_with_fresh_fontset_hits_the_disk_cache(
    tmp_path: Path, cache: Path, font_dir: Path, monkeypatch
) -> None:
    config = _serif_config(tmp_path)
    load(cache, font_dir, config).prepare({"body": SAMPLE})
    files = sorted((cache / "truetype").glob("*.ttf"))
    assert len(files) == 1
    mtimes = [f.stat().st_mtime_ns for f in files]

    fonts.clear_memo()
    calls = []
    monkeypatch.setattr(fontconvert, "build_truetype", lambda *a, **k: calls.append(a))
    prepared = load(cache, font_dir, config).prepare({"body": SAMPLE})
    # A smaller set is served by the cached superset, in memory and on disk.
    prepared_subset = load(cache, font_dir, config).prepare({"body": SAMPLE[:6]})
    fonts.clear_memo()
    load(cache, font_dir, config).prepare({"body": SAMPLE[:6]})

    assert calls == []
    assert sorted((cache / "truetype").glob("*.ttf")) == files
    assert [f.stat().st_mtime_ns for f in files] == mtimes
    assert prepared_subset.font_name("body") == prepared.font_name("body") == "HO-body-0"


def test_pdf_does_not_depend_on_what_the_cache_held(tmp_path: Path, font_dir: Path) -> None:
    config = _serif_config(tmp_path)
    text = SAMPLE[:10]
    exact = load(tmp_path / "c1", font_dir, config).prepare({"body": text})
    first = draw_pdf(tmp_path / "exact.pdf", exact, "body", text).read_bytes()

    fonts.clear_memo()
    fontset = load(tmp_path / "c2", font_dir, config)
    fontset.prepare({"body": SAMPLE + "民营经济发展前景广阔"})
    served = fontset.prepare({"body": text})
    assert draw_pdf(tmp_path / "served.pdf", served, "body", text).read_bytes() == first


# --- TrueType subsets and the warm path ----------------------------------------------------


def _kai_config(tmp_path: Path) -> Path:
    find_face("AR PL UKai CN")
    return write_config(tmp_path / "fonts.toml", heading2={"candidates": ["AR PL UKai CN"], "substitutes": []})


def test_truetype_face_is_registered_from_a_small_cached_subset(
    tmp_path: Path, cache: Path, font_dir: Path
) -> None:
    fontset = load(cache, font_dir, _kai_config(tmp_path))
    face = fontset.chosen("heading2")
    assert not face.is_cff

    prepared = fontset.prepare({"heading2": SAMPLE})
    name = prepared.font_name("heading2")
    path, index = prepared.font_file(name)
    assert cache in path.parents and index == 0
    assert path.stat().st_size * 20 < face.path.stat().st_size
    assert pdfmetrics.getFont(name).face.filename == str(path)
    assert prepared.face(name) == face  # the report and Word embedding still see the real face


def test_truetype_subset_embeds_exactly_like_the_whole_font(
    tmp_path: Path, cache: Path, font_dir: Path, monkeypatch
) -> None:
    config = _kai_config(tmp_path)
    fontset = load(cache, font_dir, config)
    face = fontset.chosen("heading2")
    text = SAMPLE + "ABC xyz"
    # Not given to prepare(): the subset's font switches to the whole face for them.
    late = "".join(ch for ch in "民营经济发展" if ord(ch) in fontset.cover(face))
    assert late
    subset = fontset.prepare({"heading2": text})
    name = subset.font_name("heading2")
    assert cache in subset.font_file(name)[0].parents
    first = draw_pdf(tmp_path / "subset.pdf", subset, "heading2", text).read_bytes()
    assert cache in Path(pdfmetrics.getFont(name).face.filename).parents
    with_late = draw_pdf(tmp_path / "subset-late.pdf", subset, "heading2", text + late).read_bytes()
    assert pdfmetrics.getFont(name).face.filename == str(face.path)

    fonts.clear_memo()
    # What ReportLab read before faces were subset: the font file itself.
    monkeypatch.setattr(FontSet, "_subset_source", lambda self, face, cps: (str(face.path), face.index))
    whole = load(cache, font_dir, config).prepare({"heading2": text})
    assert whole.font_file(whole.font_name("heading2")) == (face.path, face.index)
    assert draw_pdf(tmp_path / "whole.pdf", whole, "heading2", text).read_bytes() == first
    assert draw_pdf(tmp_path / "whole-late.pdf", whole, "heading2", text + late).read_bytes() == with_late


def test_subset_keeps_reportlabs_reading_of_lone_side_bearings(tmp_path: Path) -> None:
    # Glyphs after the last full hmtx entry get that entry's advance from
    # ReportLab, scaled to 1000 units, and it embeds the scaled value: the
    # subset must make it do the same (DejaVu has 2048 units per em). Greek,
    # because ASCII is always kept in a subset.
    path = make_font(find_face("DejaVu Sans"), tmp_path / "short.ttf", "αβγδεζηθικ")
    font = TTFont(path)
    for glyph in font.getGlyphOrder()[-4:]:  # a run of equal advances is stored as lsb only
        font["hmtx"][glyph] = (777, font["hmtx"][glyph][1])
    font.save(path)
    assert TTFont(path)["hhea"].numberOfHMetrics < len(font.getGlyphOrder())
    cmap = fontcmap.read_cmap(path, 0, reportlab_choice=True)
    codes = [ord("α"), *sorted(cp for cp, gid in cmap.items() if gid >= len(font.getGlyphOrder()) - 3)]
    assert len(codes) > 1
    sub_path = tmp_path / "subset.ttf"
    sub_path.write_bytes(fontconvert.build_subset(path, 0, codes))
    whole, sub = ttfonts.TTFontFace(str(path)), ttfonts.TTFontFace(str(sub_path))
    assert sub.makeSubset([0, *codes]) == whole.makeSubset([0, *codes])
    assert [sub.getCharWidth(cp) for cp in codes] == [whole.getCharWidth(cp) for cp in codes]


@pytest.mark.parametrize("family", ["AR PL UKai CN", "DejaVu Sans"])
def test_subset_gives_reportlab_the_same_glyphs_and_metrics(tmp_path: Path, family: str) -> None:
    info = find_face(family)
    src = Path(info.path)
    cmap = fontcmap.read_cmap(src, info.index, reportlab_choice=True)
    by_glyph = sorted(cmap, key=lambda cp: (cmap[cp], cp))
    # The lowest and highest glyph ids (the AR PL fonts' last ones lie past their
    # last full hmtx entry) and accented letters (composite glyphs in DejaVu).
    codes = sorted({*map(ord, SAMPLE), *by_glyph[:40], *by_glyph[-40:], *range(0xC0, 0x100)} & set(cmap))
    path = tmp_path / "subset.ttf"
    path.write_bytes(fontconvert.build_subset(src, info.index, codes))
    whole = ttfonts.TTFontFace(info.path, subfontIndex=info.index)
    sub = ttfonts.TTFontFace(str(path))

    for attr in ("name", "ascent", "descent", "capHeight", "bbox", "italicAngle", "stemV", "flags",
                 "defaultWidth"):
        assert getattr(sub, attr) == getattr(whole, attr), attr
    first = [0] * 32 + list(range(32, 128))  # ReportLab's first PDF subset, drawn or not
    rest = [0] + [cp for cp in codes if cp >= 128 and cp != 0xA0]
    for pdf_subset in (first, rest):
        assert sub.makeSubset(pdf_subset) == whole.makeSubset(pdf_subset)
        assert [sub.getCharWidth(cp) for cp in pdf_subset] == [whole.getCharWidth(cp) for cp in pdf_subset]


def test_warm_prepare_reads_coverage_from_the_cache_and_only_small_files(
    cache: Path, font_dir: Path, monkeypatch
) -> None:
    fontset = load(cache, font_dir)
    faces = list(dict.fromkeys(fontset.chosen(role) for role in ROLES))
    expected = {}
    for face in faces:
        cmap = fontcmap.read_cmap(face.path, face.index, reportlab_choice=not face.is_cff)
        assert set(fontset.cover(face)) == set(cmap) and len(fontset.cover(face)) == len(cmap)
        cp = next(iter(cmap))
        assert fontset.cover(face)[cp] == cmap[cp]  # glyph ids are still there when asked for
        expected[face.key] = set(cmap)
    fontset.prepare({role: SAMPLE for role in ROLES})
    assert len(list((cache / fontcmap.COVERAGE_DIR).glob("*.bin"))) >= len(faces)

    fonts.clear_memo()

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"font read on the warm path: {args}")

    for module, name in ((fontcmap, "read_cmap"), (fonts, "read_cmap"), (fontconvert, "read_cmap"),
                         (fontconvert, "build_subset"), (fontconvert, "build_truetype")):
        monkeypatch.setattr(module, name, refuse)
    opened: list[Path] = []
    reportlab_font = fontregistry.TTFont

    def recording(name: str, path: str, **kwargs: object) -> ttfonts.TTFont:
        opened.append(Path(path))
        return reportlab_font(name, path, **kwargs)

    monkeypatch.setattr(fontregistry, "TTFont", recording)
    warm = load(cache, font_dir)
    for face in faces:
        assert set(warm.cover(face)) == expected[face.key]
    warm.prepare({role: SAMPLE for role in ROLES})
    assert opened and all(cache in path.parents for path in opened)
    assert all(path.stat().st_size < 2_000_000 for path in opened)


def test_damaged_coverage_file_is_read_again(cache: Path, font_dir: Path) -> None:
    fontset = load(cache, font_dir)
    face = fontset.chosen("body")
    covered = set(fontset.cover(face))
    [stored] = (cache / fontcmap.COVERAGE_DIR).glob("*.bin")
    stored.write_bytes(stored.read_bytes()[:-4])

    fonts.clear_memo()
    assert set(load(cache, font_dir).cover(face)) == covered
    coverage = fontcmap.Coverage.from_bytes(stored.read_bytes(), dict)
    assert coverage is not None and set(coverage) == covered


def test_truetype_face_that_cannot_be_subset_is_read_whole(
    tmp_path: Path, cache: Path, font_dir: Path, monkeypatch
) -> None:
    def broken(*args: object) -> bytes:
        raise ValueError("no subset today")

    monkeypatch.setattr(fontconvert, "build_subset", broken)
    fontset = load(cache, font_dir, _kai_config(tmp_path))
    face = fontset.chosen("heading2")
    prepared = fontset.prepare({"heading2": SAMPLE})
    assert prepared.font_file(prepared.font_name("heading2")) == (face.path, face.index)
    assert extracted_text(draw_pdf(tmp_path / "out.pdf", prepared, "heading2", SAMPLE)) == SAMPLE


# --- per-character fallback --------------------------------------------------------------


def _fallback_cases(fontset: FontSet) -> list[tuple[str, str]]:
    """(role, character) where the role's face lacks the character and a later face has it.

    The rare characters when some installed main face lacks them; otherwise a
    Han character derived from the cmaps.
    """
    cases = []
    for role in ROLES:
        main = fontset.chosen(role)
        main_cmap = best_cmap(main.path, main.index)
        for ch in RARE:
            if ord(ch) not in main_cmap and any(ord(ch) in fontset.cover(f) for f in fontset.chain(role)):
                cases.append((role, ch))
    if cases:
        return cases
    for role in ROLES:
        main = fontset.chosen(role)
        main_cmap = best_cmap(main.path, main.index)
        for face in fontset.chain(role)[1:]:
            extra = sorted(cp for cp in best_cmap(face.path, face.index)
                           if cp not in main_cmap and 0x3400 <= cp <= 0x9FFF)
            if extra:
                return [(role, chr(extra[0]))]
    pytest.skip("every installed CJK font covers the same characters")


def test_rare_characters_fall_back_to_a_font_that_has_them(
    tmp_path: Path, cache: Path, font_dir: Path
) -> None:
    fontset = load(cache, font_dir)
    for role, ch in _fallback_cases(fontset):
        chain = fontset.chain(role)
        pos, expected = next((i, f) for i, f in enumerate(chain) if ord(ch) in best_cmap(f.path, f.index))
        assert pos > 0
        prepared = fontset.prepare({role: SAMPLE + ch})

        assert (ch, role, expected.family) in prepared.fallbacks
        assert prepared.segments(role, "学" + ch) == [(prepared.font_name(role), "学"), (f"HO-{role}-{pos}", ch)]
        assert prepared.face(f"HO-{role}-{pos}") == expected
        pdf = draw_pdf(tmp_path / f"{role}.pdf", prepared, role, "学" + ch)
        assert extracted_text(pdf) == "学" + ch


def test_rare_characters_in_the_main_face_do_not_fall_back(cache: Path, font_dir: Path) -> None:
    fontset = load(cache, font_dir)
    for role in ROLES:
        main = fontset.chosen(role)
        has = [ch for ch in RARE if ord(ch) in best_cmap(main.path, main.index)]
        prepared = fontset.prepare({role: "".join(has)})
        assert prepared.fallbacks == []
        assert all(name == prepared.font_name(role) for name, _ in prepared.segments(role, "".join(has)))


def test_character_no_font_has_raises_missing_glyph_error(cache: Path, font_dir: Path) -> None:
    fontset = load(cache, font_dir)
    with pytest.raises(MissingGlyphError) as info:
        fontset.prepare({"title": "通知", "body": "正文\U0010fffd"})
    error = info.value
    assert (error.char, error.codepoint, error.role) == ("\U0010fffd", "U+10FFFD", "body")
    assert "U+10FFFD" in str(error) and "\U0010fffd" in str(error) and "字形" in str(error)


def test_whitespace_never_raises_and_is_drawn_with_a_real_glyph(cache: Path, font_dir: Path) -> None:
    fontset = load(cache, font_dir)
    text = "甲 乙\u3000丙\u2002丁\u00a0戊\t己\u2009庚\u200a辛"
    for role in ROLES:
        prepared = fontset.prepare({role: text})
        assert prepared.fallbacks == []
        drawn = "".join(part for _, part in prepared.segments(role, text))
        assert len(drawn) == len(text)
        for name, part in prepared.segments(role, text):
            char_to_glyph = pdfmetrics.getFont(name).face.charToGlyph
            assert all(char_to_glyph.get(ord(c)) for c in part), (role, name, part)
        assert prepared.advance(role, "\u3000", 16) > 0


# --- embedding permissions ---------------------------------------------------------------


@pytest.mark.parametrize("fs_type", [0x0002, 0x0100, 0x0102])
def test_font_whose_license_forbids_embedding_is_skipped(
    tmp_path: Path, cache: Path, font_dir: Path, fs_type: int
) -> None:
    kai = find_face("AR PL UKai CN")
    locked = make_font(kai, font_dir / "locked.ttf", SAMPLE, family="受限楷体", fs_type=fs_type)
    config = write_config(tmp_path / "fonts.toml",
                          heading2={"candidates": ["受限楷体", "AR PL UKai CN"], "substitutes": []})
    fontset = load(cache, font_dir, config)

    [(face, reason)] = fontset.skipped("heading2")
    assert face.path.resolve() == locked.resolve()
    assert f"0x{fs_type:04X}" in reason and "fsType" in reason
    assert fontset.chosen("heading2").path == Path(kai.path)
    prepared = fontset.prepare({"heading2": SAMPLE})
    assert all(prepared.face(name).path == Path(kai.path) for name, _ in prepared.segments("heading2", SAMPLE))
    assert "受限楷体" in fonts_report(fontset, {"heading2": SAMPLE})


# --- configuration and report --------------------------------------------------------------


def test_bad_configuration_is_a_chinese_error(tmp_path: Path, font_dir: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[roles.body\nword = ", encoding="utf-8")
    with pytest.raises(FontConfigError, match="格式错误"):
        FontSet.load(config=broken, font_dir=font_dir, cache_dir=tmp_path, system_dirs=SYSTEM)
    incomplete = tmp_path / "incomplete.toml"
    incomplete.write_text('[roles.body]\nword = "仿宋"\ncandidates = ["仿宋"]\n', encoding="utf-8")
    with pytest.raises(FontConfigError, match=r"\[roles.title\] 缺失"):
        FontSet.load(config=incomplete, font_dir=font_dir, cache_dir=tmp_path, system_dirs=SYSTEM)
    with pytest.raises(FontConfigError, match="未知的字体角色"):
        load(tmp_path / "c", font_dir).prepare({"caption": "图"})


def test_no_chinese_font_at_all_is_a_config_error(tmp_path: Path, font_dir: Path) -> None:
    with pytest.raises(FontConfigError, match="中文字体"):
        FontSet.load(font_dir=font_dir, cache_dir=tmp_path, system_dirs=[tmp_path / "nothing"])


def test_fonts_report_mentions_every_role(cache: Path, font_dir: Path) -> None:
    fontset = load(cache, font_dir)
    report = fonts_report(fontset, {role: SAMPLE + RARE for role in ROLES})
    for role in ROLES:
        face = fontset.chosen(role)
        assert f" {role}】" in report
        assert fontset.word_family(role) in report and str(face.path) in report
        if face.origin == "substitute":
            assert f"将 {fontset.word_family(role)} 字体文件（如 {fontset.hint(role)}）放入 fonts/ 目录" in report
    assert "替代字体" in report or "系统字体" in report or "用户字体" in report


def test_one_face_for_every_role_still_saves(tmp_path: Path) -> None:
    """A machine with a single CJK font gives every role the same face; ReportLab
    must get it once, or its save fails on a redefined ToUnicode object."""
    import io

    from reportlab.pdfgen import canvas

    config = Path(__file__).resolve().parent.parent / "fonts" / "fonts.toml"
    text = config.read_text(encoding="utf-8").replace(
        "substitutes = [", 'substitutes = ["AR PL UMing CN",')
    same = tmp_path / "fonts.toml"
    same.write_text(text, encoding="utf-8")
    fontset = FontSet.load(config=same, font_dir=tmp_path, cache_dir=tmp_path / "cache")
    roles = ("title", "body", "heading1", "heading2", "folio")
    if len({fontset.chosen(r).family for r in roles}) != 1:
        pytest.fail("AR PL UMing CN (fonts-arphic-uming) is needed for this test")
    prepared = fontset.prepare({r: "关于学习的通知— 1 —" for r in roles})
    assert len({prepared.font_name(r) for r in roles}) == 1
    c = canvas.Canvas(io.BytesIO(), invariant=1)
    for i, role in enumerate(roles):
        c.setFont(prepared.font_name(role), 12)
        c.drawString(72, 700 - 20 * i, "关于学习的通知")
    c.save()
