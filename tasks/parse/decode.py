"""Bytes to text: the WHATWG Encoding Standard's order (BOM, transport charset, ``<meta>`` prescan, content
detection with charset-normalizer), and MIME sniffing of fetched bytes (binary signatures, markup).
"""

from __future__ import annotations

import codecs
import re

# WHATWG label -> encoding name for the labels that differ from Python's codec of the same name.
_WHATWG_ALIASES = {
    "latin1": "windows-1252",
    "latin-1": "windows-1252",
    "iso-8859-1": "windows-1252",
    "iso8859-1": "windows-1252",
    "iso_8859-1": "windows-1252",
    "l1": "windows-1252",
    "ascii": "windows-1252",
    "us-ascii": "windows-1252",
    "cp1252": "windows-1252",
    "x-cp1252": "windows-1252",
    "cp819": "windows-1252",
    "ibm819": "windows-1252",
    "iso-ir-100": "windows-1252",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "iso-8859-9": "windows-1254",
    "latin5": "windows-1254",
    "iso-8859-11": "windows-874",
    "tis-620": "windows-874",
    "gb2312": "gbk",
    "x-gbk": "gbk",
    "ks_c_5601-1987": "euc-kr",
    "x-sjis": "shift_jis",
    "sjis": "shift_jis",
    "ms_kanji": "shift_jis",
}

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_CHARSET_RE = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.I)
_META_RE = re.compile(rb"<meta\b[^>]*>", re.I)


def _normalise_label(label: str | bytes | None) -> str | None:
    """Map an encoding label to a Python-usable codec name using WHATWG semantics, or None if unknown."""
    if label is None:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", "ignore")
    label = label.strip().strip("\"'").lower()
    if not label:
        return None
    label = _WHATWG_ALIASES.get(label, label)
    try:
        codec = codecs.lookup(label)
    except LookupError:
        return None
    name = codec.name
    # Python's canonical names -> WHATWG names for the common single-byte encodings
    name = {"cp1252": "windows-1252", "utf_8": "utf-8", "latin_1": "windows-1252"}.get(name, name)
    if name.startswith("cp125"):
        name = "windows-" + name[2:]
    return name


def _charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = _CHARSET_RE.search(content_type.encode("latin-1", "ignore"))
    return _normalise_label(m.group(1)) if m else None


def _prescan_meta(data: bytes, limit: int = 8192) -> str | None:
    """Find ``<meta charset>`` / ``<meta http-equiv=content-type content=...charset=>`` near the start."""
    head = data[:limit]
    for m in _META_RE.finditer(head):
        tag = m.group(0)
        low = tag.lower()
        if b"charset" not in low:
            continue
        if b"http-equiv" in low and b"content-type" not in low:
            continue
        cm = _CHARSET_RE.search(tag)
        if cm:
            enc = _normalise_label(cm.group(1))
            if enc:
                # WHATWG: a meta-declared UTF-16 means UTF-8 (the bytes were readable as ASCII)
                if enc.startswith("utf-16") or enc.startswith("utf_16"):
                    enc = "utf-8"
                return enc
    return None


def _is_non_ascii_utf8(data: bytes) -> bool:
    """True when ``data`` contains non-ASCII bytes and is entirely valid UTF-8."""
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# charset-normalizer's guesses among these Latin single-byte code pages are unreliable on short pages
# (latin-1 French -> windows-1250 "crčme", Polish windows-1250 -> windows-1252 "by³o")
_LATIN_SINGLE_BYTE = frozenset(
    {
        "windows-1250",
        "windows-1252",
        "windows-1257",
        "iso8859-1",
        "iso8859-2",
        "iso8859-4",
        "iso8859_10",
        "iso8859-13",
        "iso8859-15",
        "iso8859-16",
        "hp-roman8",
        "mac-roman",
        "cp850",
        "cp775",
    }
)
_HTML_LANG_RE = re.compile(rb"""<html\b[^>]*?\blang\s*=\s*["']?\s*([A-Za-z]{2,3})\b""", re.I)
_WESTERN_LANGS = frozenset(
    "en fr de es it pt nl da sv no nb nn fi is ca gl eu ga gd cy af sq lb fo oc rm wa br co mt id ms sw".split()  # noqa: SIM905
)
_CENTRAL_LANGS = frozenset({"pl", "cs", "sk", "hu", "sl", "hr", "bs", "sr", "ro"})
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")


def _declared_lang_group(data: bytes) -> str | None:
    """``"western"``/``"central"`` when ``<html lang>`` names a Latin-script language of either code page."""
    m = _HTML_LANG_RE.search(data[:8192])
    lang = m.group(1).decode("ascii").lower() if m else None
    if lang in _WESTERN_LANGS:
        return "western"
    if lang in _CENTRAL_LANGS:
        return "central"
    return None


def _western_or_central(data: bytes) -> str:
    """Choose windows-1252 or windows-1250 for undeclared single-byte Latin text.

    Rule: the ``<html lang>`` of the page decides when it names a Western (windows-1252) or Central
    European (windows-1250) language (then also over a multi-byte guess: a declared Latin-script language).
    Otherwise the bytes decide: windows-1250 when windows-1252 cannot decode them (0x81/0x8D/0x8F/0x90/0x9D
    are undefined there but are Ť ť Ź in windows-1250) or when the Central European evidence outweighs the
    Western one. Central evidence (weight 3): a windows-1252 symbol inside a word where windows-1250 has a
    letter ("by³o" = "było", "mo¿e" = "może", "¹" = "ą"; weight 1 at a word edge, Spanish ¿ ¡ and « » ° ± ·
    excepted); (weight 1): š ž Š Ž (same bytes in both, common in Czech/Slovak/Slovene, rare in Western
    text) and ě ("ì" followed by a letter; Italian ì ends words). Western evidence (weight 1): a byte that
    is a different letter in the two code pages, read as windows-1252 (è à ñ ê ã ...; ø/ì excluded as
    ambiguous). Ties go to windows-1252, the WHATWG default for these locales and what
    ``latin-1``/``iso-8859-1`` mean on the web. Known limit: undeclared Hungarian (ő/ű) reads as
    windows-1252 unless ``<html lang="hu">``.
    """
    group = _declared_lang_group(data)
    if group == "western":
        return "windows-1252"
    if group == "central":
        return "windows-1250"
    sample = data[:200_000]
    try:
        western = sample.decode("windows-1252")
    except UnicodeDecodeError:
        return "windows-1250"
    central = sample.decode("windows-1250", errors="replace")
    ce = we = 0
    n = len(western)
    for m in _NON_ASCII_RE.finditer(western):  # single-byte codecs: character i is byte i in both
        i = m.start()
        w, c = western[i], central[i]
        if w == c:
            if w in "šžŠŽ":
                ce += 1
            continue
        if not c.isalpha():
            continue
        if not w.isalpha():
            prev_l = i > 0 and western[i - 1].isalpha()
            next_l = i + 1 < n and western[i + 1].isalpha()
            if prev_l and next_l:
                ce += 3
            elif (prev_l or next_l) and w not in "¿¡«»°±·":
                ce += 1
        elif w == "ì":
            if i + 1 < n and western[i + 1].isalpha():
                ce += 1
        elif w != "ø":
            we += 1
    return "windows-1250" if ce > we else "windows-1252"


def decode_html(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode HTML bytes to text; return ``(text, encoding_name)``.

    Order (WHATWG Encoding Standard / HTML "encoding sniffing algorithm"): byte-order mark >
    charset of the HTTP ``Content-Type`` header (``content_type``) > ``<meta charset>`` or
    ``<meta http-equiv="Content-Type">`` prescan of the first bytes > charset-normalizer detection
    > UTF-8. Labels ``iso-8859-1``/``latin-1``/``us-ascii`` map to ``windows-1252`` as WHATWG requires.
    When detection picks a single-byte Latin code page, :func:`_western_or_central` re-decides between
    windows-1252 and windows-1250 (charset-normalizer confuses them on short pages).
    One deliberate deviation: a ``<meta>``-declared legacy charset is ignored when the bytes contain
    non-ASCII and are entirely valid UTF-8 (stale declaration on a page re-encoded as UTF-8).
    A declared UTF-8 that does not decode cleanly while no transport charset was given falls back to
    detection (common for mislabelled legacy pages). Never raises for undecodable bytes: they become
    U+FFFD.
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(enc, errors="replace"), enc.replace("-le", "").replace("-be", "")
    header = _charset_from_content_type(content_type)
    if header:
        return data.decode(header, errors="replace"), header
    meta = _prescan_meta(data)
    if meta and meta != "utf-8" and _is_non_ascii_utf8(data):
        # A page saved/re-served as UTF-8 that still carries its old legacy-charset <meta>: valid multi-byte
        # UTF-8 sequences essentially never occur in real single-byte text, so the declaration is stale.
        return data.decode("utf-8"), "utf-8"
    if meta:
        try:
            return data.decode(meta), meta
        except UnicodeDecodeError:
            if meta != "utf-8":
                return data.decode(meta, errors="replace"), meta
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    detected = None
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
        if best is not None:
            detected = _normalise_label(best.encoding)
    except Exception:  # pragma: no cover - detection is best effort
        detected = None
    if detected in _LATIN_SINGLE_BYTE or _declared_lang_group(data):
        detected = _western_or_central(data)
    if detected is None or detected.startswith("utf-16") or detected.startswith("utf_16"):
        # mostly-UTF-8 with a few broken bytes vs. a legacy single-byte page
        text = data.decode("utf-8", errors="replace")
        if text.count("\ufffd") > max(3, len(text) // 2000):
            return data.decode("windows-1252", errors="replace"), "windows-1252"
        return text, "utf-8"
    return data.decode(detected, errors="replace"), detected


_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"%!PS", "application/postscript"),
    (b"OggS", "audio/ogg"),
    (b"ID3", "audio/mpeg"),
    (b"\x00\x00\x01\x00", "image/x-icon"),
    (b"BM", "image/bmp"),
    (b"\xd0\xcf\x11\xe0", "application/msword"),
    (b"wOFF", "font/woff"),
    (b"wOF2", "font/woff2"),
)

_MARKUP_RE = re.compile(
    r"<\s*(?:!doctype|html|head|body|meta|title|p|div|article|main|span|a|br|h[1-6]|section|script|link)\b",
    re.I,
)


def sniff_mime(content: bytes, content_type: str | None = None) -> str:
    """Return a MIME type for ``content`` from its leading bytes (WHATWG MIME Sniffing, simplified).

    Binary signatures (PDF, images, archives, fonts, audio) win over the declared type; otherwise
    ``text/html`` if markup is found in the first 4 KiB, ``text/plain`` for other text.
    """
    head = content[:16].lstrip(b"\t\n\r \x0c")
    for magic, mime in _BINARY_MAGIC:
        if head.startswith(magic):
            return mime
    if head[:4] == b"RIFF" and content[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return "image/webp" if content[8:12] == b"WEBP" else "application/octet-stream"
    if content[4:8] == b"ftyp":
        return "video/mp4"
    sample = content[:4096]
    if any(sample.startswith(b) for b, _ in _BOMS[1:]):
        return "text/html" if _MARKUP_RE.search(sample.decode("utf-16", "ignore")) else "text/plain"
    # binary: more than 5 % C0 controls (NUL included); a few stray NULs in a real page keep it text
    # (_parse_tree / parse_text remove them)
    ctl = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if sample and ctl * 20 > len(sample):
        return "application/octet-stream"
    text = sample.decode("latin-1")
    if _MARKUP_RE.search(text):
        return "text/html"
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared in ("text/html", "application/xhtml+xml") and "<" in text and ">" in text:
        return "text/html"
    return "text/plain"
