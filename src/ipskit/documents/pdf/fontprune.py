"""Fonts cut down to one person's page, for files cut from a document made for many.

WeasyPrint subsets each font once per document, so a page cut from a batch laid out
together refers to fonts holding everyone's letters: in the font program's glyphs, the
widths (``/W``), the ``/CIDSet`` and the ``/ToUnicode`` map, from which other people's
names can be read back. This module reads which glyphs a page's content streams actually
show (following form XObjects), and makes copies of those font objects that hold only
those glyphs, under the same object numbers, for that page's own file.

Glyph ids are kept as they are (the subset retains them), so no content stream changes.
Parsing a font and its maps is done once per document; what is left per file is a
subset of a small font, about a tenth of a millisecond with HarfBuzz's subsetter.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from ipskit.core.errors import IpskitError

_TOKEN = re.compile(
    rb"[\s\x00]*(?:(<<|>>)|(<[0-9A-Fa-f\s]*>)|(\()|(/[^\s\x00/\[\]()<>{}%]*)|(\[)|(\])"
    rb"|(%[^\r\n]*)|((?:[+-]?(?:\d+\.?\d*|\.\d+)(?![^\s\x00/\[\]()<>{}%])[\s\x00]*)+)"
    rb"|([^\s\x00/\[\]()<>{}%]+))"
)
_LITERAL_STOP = re.compile(rb"[()\\]")
_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}
_IMAGE_END = re.compile(rb"\sEI(?=[\s\x00]|$)")
_CMAP_SECTION = re.compile(rb"\d+\s+begin(bfchar|bfrange|cidchar|cidrange)(.*?)end\1", re.S)
_CMAP_ITEM = re.compile(rb"<([0-9A-Fa-f]+)>|(\[)|(\])|(\d+)")
_SHOWS = {b"TJ", b"Tj", b"'", b'"'}


@dataclass
class Shown:
    """What some content streams draw: codes shown in each font, and the names they use.

    ``codes`` is keyed by the font dictionary's object number. ``fonts`` and ``xobjects``
    are the resource names the top-level streams use (not those of nested forms).
    """

    codes: dict[int, set[int]] = field(default_factory=dict)
    fonts: set[str] = field(default_factory=set)
    xobjects: set[str] = field(default_factory=set)

    def union(self, other: Shown) -> Shown:
        """Both together, as a new value."""
        codes = {n: set(c) for n, c in self.codes.items()}
        for number, found in other.codes.items():
            codes.setdefault(number, set()).update(found)
        return Shown(codes, self.fonts | other.fonts, self.xobjects | other.xobjects)


@dataclass
class _Font:
    """What one font dictionary needs to be cut down, read once per document."""

    width: int  # bytes per character code
    to_unicode: int | None = None
    unicode: dict[int, bytes] = field(default_factory=dict)  # code: ``<dst>`` or ``[...]``
    descendant: int | None = None
    widths: dict[int, Any] = field(default_factory=dict)  # CID: width
    encoding: int | None = None
    cids: dict[int, int] | None = None  # code: CID, from an embedded CMap; else identity
    program: int | None = None  # the font file's object number
    cidset: int | None = None


class Pruner:
    """Cut-down copies of a document's fonts, per file; what files share is read once."""

    def __init__(self, reader: Any) -> None:
        """Work on the objects of ``reader`` (a pypdf ``PdfReader``)."""
        self.reader = reader
        self._fonts: dict[int, _Font] = {}
        self._faces: dict[int, Any] = {}
        self._made: dict[Any, Any] = {}
        self._kinds: dict[int, bool] = {}
        self._refs: dict[int, list[int]] = {}

    # --- reading content ----------------------------------------------------------------

    def shown(self, content: bytes, resources: Any, into: Shown | None = None) -> Shown:
        """What ``content`` draws with ``resources``, forms it invokes included."""
        found = into if into is not None else Shown()
        self._walk(content, _resolve(resources), found, None, 0, top=True)
        return found

    def _walk(self, content: bytes, resources: Any, found: Shown, font: Any, depth: int,
              *, top: bool = False) -> None:  # fmt: skip
        if depth > 12:
            raise IpskitError("a page nests its drawings too deeply to be cut out")
        fonts = _resolve(resources.get("/Font")) if resources is not None else None
        xobjects = _resolve(resources.get("/XObject")) if resources is not None else None
        current = font  # a form draws in the font in use where it is invoked
        saved: list[Any] = []
        operands: list[Any] = []
        arrays: list[list[Any]] = []
        position, end = 0, len(content)
        while position < end:
            match = _TOKEN.match(content, position)
            if match is None:
                position += 1  # a character that begins no token: skip it
                continue
            position = match.end()
            kind = match.lastindex
            if kind == 3:  # a literal string
                value, position = _literal(content, position)
                (arrays[-1] if arrays else operands).append(value)
            elif kind == 2:  # a hexadecimal string
                text = re.sub(rb"\s", b"", match[2][1:-1])
                value = bytes.fromhex((text + b"0" if len(text) % 2 else text).decode())
                (arrays[-1] if arrays else operands).append(value)
            elif kind == 4:
                (arrays[-1] if arrays else operands).append(match[4].decode("latin-1"))
            elif kind == 5:
                arrays.append([])
            elif kind == 6:
                if arrays:
                    done = arrays.pop()
                    (arrays[-1] if arrays else operands).append(done)
            elif kind == 8 or arrays:  # numbers (a run of them stands for all), or a keyword
                (arrays[-1] if arrays else operands).append(None)
            elif kind == 9:
                word = match[9]
                if word in _SHOWS and current is not None and operands:
                    shown = operands[-1]
                    strings = [s for s in shown if isinstance(s, bytes)] if isinstance(
                        shown, list) else [shown] if isinstance(shown, bytes) else []  # fmt: skip
                    self._record(current, strings, found)
                elif word == b"Tf" and len(operands) >= 2 and isinstance(operands[-2], str):
                    current = self._font_of(fonts, operands[-2], found, top)
                elif word == b"q":
                    saved.append(current)
                elif word == b"Q" and saved:
                    current = saved.pop()
                elif word == b"Do" and operands and isinstance(operands[-1], str):
                    self._invoke(xobjects, operands[-1], resources, found, current, depth, top)
                elif word == b"BI":
                    position = _after_image(content, position)
                operands.clear()
            # dictionaries (kind 1) and comments (kind 7) show nothing

    def _font_of(self, fonts: Any, name: str, found: Shown, top: bool) -> Any:
        reference = fonts.raw_get(name) if fonts is not None and name in fonts else None
        if top:
            found.fonts.add(name)
        if reference is None:
            return None
        if not hasattr(reference, "idnum"):
            raise IpskitError("a page's font is not an object of its own: it cannot be cut out")
        return reference.idnum

    def _record(self, number: int, strings: list[bytes], found: Shown) -> None:
        width = self._font(number).width
        codes = found.codes.setdefault(number, set())
        for text in strings:
            if width == 2:
                codes.update(int.from_bytes(text[i : i + 2], "big") for i in range(0, len(text), 2))
            else:
                codes.update(text)

    def _invoke(self, xobjects: Any, name: str, resources: Any, found: Shown, font: Any,
                depth: int, top: bool) -> None:  # fmt: skip
        if top:
            found.xobjects.add(name)
        if xobjects is None or name not in xobjects:
            return
        reference = xobjects.raw_get(name)
        target = reference.get_object()
        if target.get("/Subtype") != "/Form":
            return
        inner = _resolve(target.get("/Resources")) if "/Resources" in target else resources
        self._walk(target.get_data(), inner, found, font, depth + 1)

    # --- the fonts ----------------------------------------------------------------------

    def is_font(self, number: int) -> bool:
        """Whether an object is a font a page uses by name (not a CIDFont within one)."""
        if number not in self._kinds:
            value = self.reader.get_object(number)
            self._kinds[number] = (
                isinstance(value, dict) and value.get("/Type") == "/Font"
                and value.get("/Subtype") not in ("/CIDFontType0", "/CIDFontType2")
            )  # fmt: skip
        return self._kinds[number]

    def fonts_in(self, value: Any) -> set[int]:
        """The fonts ``value`` refers to, directly or through other objects."""
        seen: set[int] = set()
        from ipskit.documents.pdf.objects import references

        stack = references(value, self.reader)
        while stack:
            number = stack.pop()
            if number in seen:
                continue
            seen.add(number)
            if number not in self._refs:
                self._refs[number] = references(self.reader.get_object(number), self.reader)
            stack.extend(self._refs[number])
        return {number for number in seen if self.is_font(number)}

    def _font(self, number: int) -> _Font:
        if number not in self._fonts:
            self._fonts[number] = self._read_font(self.reader.get_object(number))
        return self._fonts[number]

    def _read_font(self, font: Any) -> _Font:
        subtype = font.get("/Subtype")
        info = _Font(width=2 if subtype == "/Type0" else 1)
        if "/ToUnicode" in font:
            info.to_unicode = font.raw_get("/ToUnicode").idnum
            data = font["/ToUnicode"].get_object().get_data()
            info.unicode = {code: dst for code, dst, _ in _cmap_entries(data)}
        if subtype != "/Type0":
            if subtype == "/Type3" or "/FontDescriptor" not in font:
                return info  # no embedded program: its map is all it holds
            raise IpskitError(f"a {subtype[1:]} font cannot be cut down to one person's page")
        encoding = font.raw_get("/Encoding")
        if hasattr(encoding, "idnum"):
            info.encoding = encoding.idnum
            data = encoding.get_object().get_data()
            info.cids = {code: int(dst) for code, dst, _ in _cmap_entries(data)}
        reference = font["/DescendantFonts"][0]
        info.descendant = reference.idnum
        descendant = reference.get_object()
        if descendant.get("/CIDToGIDMap", "/Identity") != "/Identity":
            raise IpskitError("a font maps its characters to glyphs in a way ipskit cannot cut")
        info.widths = _widths(_resolve(descendant.get("/W")) or [])
        descriptor = descendant["/FontDescriptor"].get_object()
        for key in ("/FontFile2", "/FontFile3"):
            if key in descriptor:
                info.program = descriptor.raw_get(key).idnum
        if info.program is None:
            raise IpskitError("a font has no embedded program ipskit can cut down")
        if "/CIDSet" in descriptor:
            info.cidset = descriptor.raw_get("/CIDSet").idnum
        return info

    def replacements(self, shown: Shown, fonts: Iterable[int]) -> dict[int, Any]:
        """New objects, by the number they replace, cutting ``fonts`` down to ``shown``.

        ``fonts`` are the numbers of the font dictionaries a file holds; a font it holds
        but does not show is cut down to nothing. Streams come back compressed, as pypdf
        ``StreamObject``s whose ``_data`` is what to write.
        """
        out: dict[int, Any] = {}
        programs: dict[int, set[int]] = {}
        for number in sorted(set(fonts)):
            info = self._font(number)
            codes = frozenset(shown.codes.get(number, ()))
            if info.to_unicode is not None:
                out[info.to_unicode] = self._cached(_cmap_stream, info.unicode, codes)
            if info.descendant is None or info.program is None:
                continue  # a program is read with every descendant font
            cids = frozenset({info.cids.get(c, 0) for c in codes} if info.cids else codes)
            if info.encoding is not None:
                out[info.encoding] = self._cached(self._encoding, number, codes)
            # WeasyPrint gives a width to the code of a glyph no font has, too
            out[info.descendant] = self._cached(self._descendant, number, cids | codes)
            programs.setdefault(info.program, set()).update(cids)
            if info.cidset is not None:
                out[info.cidset] = self._cached(_cidset, cids)
        for program, glyphs in programs.items():
            out[program] = self._cached(self._program, program, frozenset(glyphs))
        return out

    def _cached(self, make: Any, *args: Any) -> Any:
        """``make(*args)``, made once: many people share a font's background glyphs."""
        key = (make.__name__, *(id(a) if isinstance(a, dict) else a for a in args))
        if key not in self._made:
            self._made[key] = make(*args)
        return self._made[key]

    def _encoding(self, number: int, codes: frozenset[int]) -> Any:
        info = self._font(number)
        original = self.reader.get_object(info.encoding)
        cids = info.cids or {}  # read with the encoding, so always there
        return _stream(_cmap(
            {c: str(cids[c]).encode() for c in sorted(codes) if c in cids},
            "cid", b"/CMapName /WP-Encod-0 def\n/CMapType 1 def\n",
        ), original, drop=("/Length", "/Filter", "/DecodeParms"))  # fmt: skip

    def _descendant(self, number: int, cids: frozenset[int]) -> Any:
        from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject
        from pypdf.generic import NumberObject as Number

        info = self._font(number)
        original = self.reader.get_object(info.descendant)
        copy = DictionaryObject({k: original.raw_get(k) for k in original})
        runs = ArrayObject()
        last = -2
        for cid in sorted(c for c in cids if c in info.widths):
            width = info.widths[cid]
            value = Number(width) if float(width) == int(width) else FloatObject(width)
            if runs and isinstance(runs[-1], ArrayObject) and last + 1 == cid:
                runs[-1].append(value)
            else:
                runs.extend([Number(cid), ArrayObject([value])])
            last = cid
        copy[NameObject("/W")] = runs
        return copy

    def _program(self, number: int, glyphs: frozenset[int]) -> Any:
        original = self.reader.get_object(number)
        data = _subset(self._face(number, original), glyphs | {0})
        extra: dict[str, Any] = {}
        if original.get("/Subtype") is None:  # FontFile2 wants its uncompressed length
            from pypdf.generic import NumberObject

            extra["/Length1"] = NumberObject(len(data))
        return _stream(data, original, drop=("/Length", "/Filter", "/DecodeParms", "/Length1"),
                       extra=extra)  # fmt: skip

    def _face(self, number: int, original: Any) -> Any:
        if number not in self._faces:
            data = original.get_data()
            if original.get("/Subtype") not in (None, "/OpenType"):
                raise IpskitError("a font is a bare CFF program, which ipskit cannot cut down")
            self._faces[number] = _face(data)
        return self._faces[number]


def trimmed(resources: Any, shown: Shown) -> Any:
    """A copy of a resource dictionary with only the fonts and XObjects ``shown`` uses.

    It always has a ``/Font`` and an ``/XObject`` dictionary, if only an empty one.
    """
    from pypdf.generic import DictionaryObject, NameObject

    resources = _resolve(resources)
    copy = DictionaryObject({k: resources.raw_get(k) for k in resources})
    for key, used in (("/Font", shown.fonts), ("/XObject", shown.xobjects)):
        entries = _resolve(resources.get(key)) or DictionaryObject()
        copy[NameObject(key)] = DictionaryObject(
            {NameObject(k): entries.raw_get(k) for k in entries if k in used}
        )
    return copy


def font_numbers(resources: Any) -> list[int]:
    """The object numbers of the fonts a resource dictionary lists."""
    fonts = _resolve(_resolve(resources).get("/Font"))
    return [fonts.raw_get(k).idnum for k in fonts] if fonts else []


# --- font programs ------------------------------------------------------------------------


def _face(data: bytes) -> Any:
    try:
        import uharfbuzz
    except ImportError:  # fontTools does the same, about a hundred times slower
        return data
    return uharfbuzz.Face(data)


def _subset(face: Any, glyphs: AbstractSet[int]) -> bytes:
    """The font program with only ``glyphs`` (and their components), ids unchanged."""
    if isinstance(face, bytes):
        return _subset_fonttools(face, glyphs)
    import uharfbuzz as hb

    request = hb.SubsetInput()
    request.glyph_set.update(glyphs)
    flags = hb.SubsetFlags
    request.flags = (flags.RETAIN_GIDS | flags.NOTDEF_OUTLINE | flags.PASSTHROUGH_UNRECOGNIZED
                     | flags.DESUBROUTINIZE)  # fmt: skip
    result = hb.subset(face, request)
    if result is None:
        raise IpskitError("a font could not be cut down to one person's page")
    return bytes(result.blob.data)


def _subset_fonttools(data: bytes, glyphs: AbstractSet[int]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options(retain_gids=True, notdef_outline=True, glyph_names=False,
                             passthrough_tables=True, ignore_missing_glyphs=True,
                             desubroutinize=True, recalc_timestamp=False)  # fmt: skip
    subsetter = subset.Subsetter(options)
    font = TTFont(io.BytesIO(data))
    subsetter.populate(gids=[g for g in glyphs if g < font["maxp"].numGlyphs])
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


# --- small PDF pieces -----------------------------------------------------------------------


def _resolve(value: Any) -> Any:
    return value.get_object() if value is not None and hasattr(value, "get_object") else value


def _stream(data: bytes, original: Any, *, drop: tuple[str, ...],
            extra: dict[str, Any] | None = None) -> Any:  # fmt: skip
    """A compressed stream with ``original``'s other entries."""
    from pypdf.generic import NameObject, StreamObject

    stream = StreamObject()
    stream.update({k: original.raw_get(k) for k in original if k not in drop})
    stream.update({NameObject(k): v for k, v in (extra or {}).items()})
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    stream._data = zlib.compress(data, 6)
    return stream


def _cidset(cids: frozenset[int]) -> Any:
    from pypdf.generic import StreamObject

    bits = bytearray(max(cids | {0}) // 8 + 1)
    for cid in cids | {0}:
        bits[cid // 8] |= 0x80 >> (cid % 8)
    return _stream(bytes(bits), StreamObject(), drop=())


def _cmap_stream(entries: dict[int, bytes], codes: frozenset[int]) -> Any:
    from pypdf.generic import StreamObject

    kept = {code: entries[code] for code in sorted(codes) if code in entries}
    return _stream(_cmap(kept, "bf", b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"),
                   StreamObject(), drop=())  # fmt: skip


def _cmap(entries: dict[int, bytes], kind: str, names: bytes) -> bytes:
    """A CMap of single-code entries (``kind`` "bf" or "cid"), as WeasyPrint writes them."""
    ordering = b"UCS" if kind == "bf" else b"Identity"
    lines = [
        b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo\n"
        b"<< /Registry (Adobe) /Ordering (%s) /Supplement 0 >> def\n%s" % (ordering, names),
        b"1 begincodespacerange\n<0000> <ffff>\nendcodespacerange\n",
    ]
    items = list(entries.items())
    for start in range(0, len(items), 100):
        batch = items[start : start + 100]
        lines.append(b"%d begin%schar\n" % (len(batch), kind.encode()))
        lines.extend(b"<%04x> %s\n" % (code, dst) for code, dst in batch)
        lines.append(b"end%schar\n" % kind.encode())
    lines.append(b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
    return b"".join(lines)


def _cmap_entries(data: bytes) -> Iterable[tuple[int, bytes, None]]:
    """Each code of a CMap with what it maps to, as PDF text; ranges are spelt out."""
    for section in _CMAP_SECTION.finditer(data):
        kind, body = section[1], section[2]
        items: list[Any] = []
        array: list[bytes] | None = None
        for item in _CMAP_ITEM.finditer(body):
            if item[2]:
                array = []
            elif item[3]:
                items.append(array)
                array = None
            elif array is not None:
                array.append(item[0])
            else:
                items.append(item[0])
        step = 2 if kind.endswith(b"char") else 3
        for index in range(0, len(items) - step + 1, step):
            low = int(items[index][1:-1], 16)
            if step == 2:
                yield low, items[index + 1], None
                continue
            high, dst = int(items[index + 1][1:-1], 16), items[index + 2]
            for offset, code in enumerate(range(low, min(high, low + 0xFFFF) + 1)):
                yield code, _range_value(dst, offset), None


def _range_value(dst: Any, offset: int) -> bytes:
    if isinstance(dst, list):
        return dst[offset] if offset < len(dst) else b"<>"
    if dst.startswith(b"<"):
        digits = dst[1:-1]
        value = int(digits, 16) + offset
        return b"<%0*x>" % (len(digits), value)
    return str(int(dst) + offset).encode()


def _widths(array: Any) -> dict[int, Any]:
    """A CIDFont's ``/W`` as CID: width."""
    widths: dict[int, Any] = {}
    index = 0
    while index < len(array):
        first = int(array[index])
        following = array[index + 1].get_object() if hasattr(array[index + 1], "get_object") \
            else array[index + 1]  # fmt: skip
        if isinstance(following, list):
            for offset, width in enumerate(following):
                widths[first + offset] = width
            index += 2
        else:
            for cid in range(first, int(following) + 1):
                widths[cid] = array[index + 2]
            index += 3
    return widths


def _literal(data: bytes, position: int) -> tuple[bytes, int]:
    """A literal string's bytes, from just after its ``(``, and where it ends."""
    out = bytearray()
    depth = 1
    while True:
        stop = _LITERAL_STOP.search(data, position)
        if stop is None:
            return bytes(out + data[position:]), len(data)
        out += data[position : stop.start()]
        char, position = data[stop.start()], stop.start() + 1
        if char == 0x5C:  # a backslash
            escaped = data[position : position + 1]
            position += 1
            if escaped and escaped[0] in _ESCAPES:
                out += _ESCAPES[escaped[0]]
            elif digits := re.match(rb"[0-7]{1,3}", data[position - 1 : position + 2]):
                out.append(int(digits[0], 8) & 0xFF)
                position += len(digits[0]) - 1
            elif escaped == b"\r":
                position += data[position : position + 1] == b"\n"
            elif escaped != b"\n":
                out += escaped
        elif char == 0x28:
            depth += 1
            out.append(char)
        else:
            depth -= 1
            if depth == 0:
                return bytes(out), position
            out.append(char)


def _after_image(content: bytes, position: int) -> int:
    """Where an inline image's data ends (``BI ... ID data EI``), from after ``BI``."""
    start = re.compile(rb"\sID[\s\x00]").search(content, position)
    if start is None:
        return len(content)
    end = _IMAGE_END.search(content, start.end())
    return len(content) if end is None else end.end()
