"""Local file sources: which files are inputs, where their URL and date come from, and how they are read.

Inputs are ``.html``, ``.htm``, ``.txt`` and the same with ``.gz`` (:data:`_FILE_TYPES`); hidden files and
folders are skipped. A sidecar ``<file>.meta.json`` (``url``, ``fetched_at``, ``content_type``) wins over a
folder's ``urls.tsv``. :func:`_read_local` reads at most ``max_bytes`` (after decompression) and is also how local
feeds and sitemaps are read; :func:`_stat_key` identifies an unreadable file so that an unchanged one is not
retried every run.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import stat
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tasks.config import FetchConfig, SourceConfig
from tasks.fetch.items import FetchItem, _parse_iso, _Reject, _reject_row, _row, _utcnow
from tasks.fetch.media import _check_body

_FILE_TYPES = {".html": "text/html", ".htm": "text/html", ".txt": "text/plain"}


def _file_kind(name: str) -> tuple[str, bool] | None:
    """(content type guessed from the extension, gzipped?) for an input file name, else None."""
    lower = name.lower()
    gz = lower.endswith(".gz")
    if gz:
        lower = lower[:-3]
    ext = os.path.splitext(lower)[1]
    if ext in _FILE_TYPES:
        return _FILE_TYPES[ext], gz
    return None


def _read_urls_tsv(path: Path) -> dict[str, str]:
    """``urls.tsv`` → {relative POSIX file name: url}. Unreadable lines are ignored."""
    out: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return out
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split("\t")
        name = parts[0].strip().replace("\\", "/")
        while name.startswith("./"):
            name = name[2:]
        if len(parts) >= 2 and name and parts[1].strip():
            out[name] = parts[1].strip()
    return out


def _read_sidecar(path: Path) -> dict[str, Any]:
    """Read ``<file>.meta.json``. Raises :class:`_Reject` (read_error) when it is unreadable or malformed."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise _Reject("read_error", f"sidecar {path.name}: {exc}") from exc
    if not isinstance(raw, dict):
        raise _Reject("read_error", f"sidecar {path.name}: not a JSON object")
    meta: dict[str, Any] = {}
    for key in ("url", "fetched_at", "content_type"):
        value = raw.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise _Reject("read_error", f"sidecar {path.name}: {key} is not a string")
        meta[key] = value.strip()
    if "url" in meta and urlsplit(meta["url"]).scheme.lower() not in ("http", "https"):
        raise _Reject("invalid_url", f"sidecar {path.name}: url is not http(s): {meta['url'][:200]!r}")
    if "fetched_at" in meta:
        try:
            _parse_iso(meta["fetched_at"])
        except (ValueError, OverflowError) as exc:
            raise _Reject(
                "read_error", f"sidecar {path.name}: fetched_at not ISO 8601: {meta['fetched_at']!r}"
            ) from exc
    return meta


def _discover_files(source: SourceConfig) -> tuple[list[FetchItem], list[dict[str, Any]]]:
    """Input files of a ``files`` source (a folder walked recursively, hidden entries skipped, or one file) and
    reject rows: a missing or unreachable source path, a folder that cannot be listed (``file:<folder>/``), a
    file that is not regular or has a broken sidecar - each one ``read_error`` (sidecar URL: ``invalid_url``).
    Never raises for bad input."""
    items: list[FetchItem] = []
    rejects: list[dict[str, Any]] = []
    if not source.path:
        return [], [_reject_row(source.name, f"source:{source.name}", "read_error", "files source without a path")]
    root = Path(source.path)
    files: list[tuple[Path, str]] = []  # (absolute path, relative POSIX name)
    tsv: dict[str, str] = {}

    def unreadable(exc: OSError) -> None:
        """``os.walk`` error handler: a folder that cannot be listed is one ``read_error`` reject (``uri``
        ``file:<folder relative to the source>/``), never a silent gap."""
        where = Path(str(exc.filename or root))
        try:
            rel = where.relative_to(root).as_posix()
        except ValueError:
            rel = where.as_posix()
        uri = "file:" + ("" if rel == "." else rel) + "/"
        rejects.append(_reject_row(source.name, uri, "read_error", f"cannot list folder: {exc.strerror or exc}"))

    try:
        root_stat = root.stat()
    except OSError as exc:  # missing, or a parent folder not searchable
        detail = f"no such file or folder: {root}" if isinstance(exc, FileNotFoundError) else f"{root}: {exc}"
        return [], [_reject_row(source.name, "file:" + root.name, "read_error", detail)]
    if stat.S_ISREG(root_stat.st_mode):
        base = root.parent
        files.append((root, root.name))
        tsv = _read_urls_tsv(base / "urls.tsv")
    elif stat.S_ISDIR(root_stat.st_mode):
        base = root
        for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            folder = Path(dirpath)
            rel_folder = folder.relative_to(root).as_posix()
            prefix = "" if rel_folder == "." else rel_folder + "/"
            if "urls.tsv" in filenames:
                for name, mapped in _read_urls_tsv(folder / "urls.tsv").items():
                    tsv.setdefault(prefix + name, mapped)
            for name in sorted(filenames):
                if not name.startswith("."):
                    files.append((folder / name, prefix + name))
    else:
        return [], [_reject_row(source.name, "file:" + root.name, "read_error", f"not a file or folder: {root}")]

    for path, rel in files:
        kind = _file_kind(rel)
        if kind is None:
            continue
        uri = "file:" + rel
        try:
            rel.encode("utf-8")
        except UnicodeEncodeError:
            safe = "file:" + rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            rejects.append(_reject_row(source.name, safe, "read_error", "file name is not valid UTF-8"))
            continue
        try:
            if not path.is_file():  # FIFOs, sockets, devices, dangling links: never opened (a FIFO would block)
                raise _Reject("read_error", "not a regular file (or a broken link)")
            meta: dict[str, Any] = {}
            sidecar = path.with_name(path.name + ".meta.json")
            if sidecar.is_file():
                meta = _read_sidecar(sidecar)
            url = meta.pop("url", None) or tsv.get(rel)
            items.append(FetchItem(source=source.name, uri=uri, path=str(path.resolve()), url=url, meta=meta))
        except _Reject as rej:
            rejects.append(_reject_row(source.name, uri, rej.reason, rej.detail))
        except (OSError, RuntimeError, ValueError) as exc:  # e.g. a symlink loop: this file only, not the source
            rejects.append(_reject_row(source.name, uri, "read_error", f"{type(exc).__name__}: {exc}"))
    return items, rejects


def _stat_key(path: Path) -> str | None:
    """Identity of a local file that could not be read or hashed: ``"stat:"`` + a hash of its size and
    modification time (ns), stored as the reject's ``content_sha256`` so an unchanged failing file is not retried
    every run (and not rejected twice), while a changed one is. None when even ``stat`` fails."""
    try:
        st = path.stat()
    except (OSError, RuntimeError, ValueError):
        return None
    return stat_key(st.st_size, st.st_mtime_ns)


def stat_key(size: int, mtime_ns: int) -> str:
    """The :func:`_stat_key` of a file of ``size`` bytes modified at ``mtime_ns`` (ns since the epoch)."""
    return "stat:" + hashlib.sha256(f"{size}:{mtime_ns}".encode()).hexdigest()[:40]


def _read_local(path: str, max_bytes: int) -> bytes:
    """Bytes of a local input, gunzipped for ``.gz``, at most ``max_bytes``. Raises :class:`_Reject`."""
    try:
        if path.lower().endswith(".gz"):
            with gzip.open(path, "rb") as fh:
                data = fh.read(max_bytes + 1)
        else:
            if os.path.getsize(path) > max_bytes:
                raise _Reject("too_large", f"{os.path.getsize(path)} bytes > max_bytes {max_bytes}")
            with open(path, "rb") as fh:
                data = fh.read(max_bytes + 1)
    except _Reject:
        raise
    except (OSError, EOFError, zlib.error) as exc:
        raise _Reject("read_error", f"{type(exc).__name__}: {exc}") from exc
    if len(data) > max_bytes:
        raise _Reject("too_large", f"more than max_bytes {max_bytes} bytes (after decompression)")
    return data


def _fetch_file(
    item: FetchItem, cfg: FetchConfig, skip: Callable[[FetchItem, str | None], bool] | None
) -> dict[str, Any] | None:
    """Fetched row for a local file, None when skipped. Raises :class:`_Reject`."""
    assert item.path is not None
    stat_key = _stat_key(Path(item.path))
    if skip is not None and stat_key is not None and skip(item, stat_key):
        return None  # this very file (same size and mtime) was rejected before: not read again
    try:
        data = _read_local(item.path, cfg.max_bytes)
    except _Reject as rej:
        rej.sha = rej.sha or stat_key
        raise
    sha = hashlib.sha256(data).hexdigest()
    if skip is not None and skip(item, sha):
        return None
    kind = _file_kind(item.path)
    content_type = item.meta.get("content_type") or (kind[0] if kind else None)
    _check_body(data, content_type, sha)
    fetched_at = _parse_iso(item.meta["fetched_at"]) if item.meta.get("fetched_at") else _utcnow()
    return _row(item, data, sha, fetched_at, content_type=content_type)


#: One entry of a local source's stat manifest: ``(relative POSIX path, size in bytes, mtime in ns)``; a folder that
#: cannot be listed is ``("<folder>/", -1, -1)``, a file that cannot be stat'ed has size and mtime -1.
StatEntry = tuple[str, int, int]


def stat_manifest(root: Path, skip_hidden_dirs: bool = True) -> list[StatEntry] | None:
    """What a local source holds, by ``stat`` only (no file is opened): one :data:`StatEntry` per non-hidden file
    below ``root`` (every file, not only inputs: a changed sidecar or ``urls.tsv`` counts), sorted. For a single
    file: the file, its ``.meta.json`` sidecar and the ``urls.tsv`` beside it (those that exist). Hidden folders are
    skipped like :func:`_discover_files` does (``skip_hidden_dirs=False`` for WARC folders, which are searched
    whole). None when ``root`` itself cannot be stat'ed (the caller cannot decide anything then).

    Two equal manifests mean "no file added, removed, resized or modified" under the assumption rsync and make
    use: a file whose size and modification time (ns) are unchanged has unchanged content."""

    def entry(path: Path, rel: str) -> StatEntry:
        try:
            st = path.stat()
        except (OSError, RuntimeError, ValueError):
            return (rel, -1, -1)
        return (rel, st.st_size, st.st_mtime_ns)

    try:
        root_stat = root.stat()
    except (OSError, ValueError):
        return None
    out: list[StatEntry] = []
    if not stat.S_ISDIR(root_stat.st_mode):
        out.append((root.name, root_stat.st_size, root_stat.st_mtime_ns))
        for extra in (root.with_name(root.name + ".meta.json"), root.with_name("urls.tsv")):
            if os.path.lexists(extra):
                out.append(entry(extra, extra.name))
        return sorted(out)

    def unlistable(exc: OSError) -> None:
        where = Path(str(exc.filename or root))
        rel = where.relative_to(root).as_posix() if where.is_relative_to(root) else where.as_posix()
        out.append((("" if rel == "." else rel) + "/", -1, -1))

    for dirpath, dirnames, filenames in os.walk(root, onerror=unlistable):
        if skip_hidden_dirs:
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        folder = Path(dirpath)
        rel_folder = folder.relative_to(root).as_posix()
        prefix = "" if rel_folder == "." else rel_folder + "/"
        for name in filenames:
            if not name.startswith("."):
                out.append(entry(folder / name, prefix + name))
    return sorted(out)
