"""Which content encodings we advertise and how a compressed body is decoded within ``max_bytes``.

Content decoding: we stream raw bytes and decompress them ourselves with an output cap, so a small compressed body
(a "gzip bomb") can never grow past ``max_bytes`` in memory (``too_large``); an unknown or stacked encoding or a
corrupt / truncated stream is ``decode_error``. Only decodable encodings are advertised (:data:`ACCEPT_ENCODING`;
``br`` only when a brotli module that can cap its output is installed).
"""

from __future__ import annotations

import zlib
from typing import Any

from tasks.fetch.items import _Reject

try:  # brotli is optional: "br" is advertised only when a decoder that can cap its output is installed
    import brotli as _brotli  # type: ignore[import-not-found, import-untyped, unused-ignore]

    _brotli.Decompressor().process(b"", output_buffer_limit=1)
    _HAS_BROTLI = hasattr(_brotli.Decompressor, "can_accept_more_data")
except Exception:
    _HAS_BROTLI = False

ACCEPT_ENCODING = "gzip, deflate, br" if _HAS_BROTLI else "gzip, deflate"


class _Decoder:
    """Incremental decoder of one ``Content-Encoding`` (gzip, deflate - zlib-wrapped or raw -, br) whose total
    output is capped: :meth:`feed` raises ``too_large`` as soon as more than ``cap`` bytes would come out, without
    ever holding more than ``cap + 1`` decoded bytes, and ``decode_error`` for corrupt data."""

    def __init__(self, encoding: str, cap: int):
        self.encoding = encoding
        self.cap = cap
        self.total = 0
        self._z: Any = None
        self._br: Any = None
        self._head = b""

    def _room(self) -> int:
        return self.cap + 1 - self.total

    def _emit(self, out: bytes) -> bytes:
        self.total += len(out)
        if self.total > self.cap:
            raise _Reject("too_large", f"body over max_bytes {self.cap} after {self.encoding} decoding")
        return out

    def feed(self, data: bytes) -> bytes:
        try:
            if self.encoding == "br":
                return self._feed_br(data)
            if self._z is None:
                if self.encoding == "deflate":
                    self._head += data
                    if len(self._head) < 2:
                        return b""
                    b0, b1 = self._head[0], self._head[1]
                    zlib_wrapped = (b0 & 0x0F) == 8 and (b0 * 256 + b1) % 31 == 0
                    self._z = zlib.decompressobj(zlib.MAX_WBITS if zlib_wrapped else -zlib.MAX_WBITS)
                    data, self._head = self._head, b""
                else:
                    self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out = self._z.decompress(data, self._room())
            if self._z.unconsumed_tail:  # the output cap was hit with input left: certainly too large
                self._emit(out + b"\0")
            return self._emit(out)
        except zlib.error as exc:
            raise _Reject("decode_error", f"corrupt {self.encoding} body: {exc}") from exc

    def _feed_br(self, data: bytes) -> bytes:
        if self._br is None:
            self._br = _brotli.Decompressor()
        out = bytearray(self._br.process(data, output_buffer_limit=self._room()))
        while not self._br.can_accept_more_data():
            if len(out) >= self._room():
                self._emit(bytes(out) + b"\0")
            out += self._br.process(b"", output_buffer_limit=self._room() - len(out))
        return self._emit(bytes(out))

    def finish(self) -> bytes:
        """Rest of the output; ``decode_error`` when the compressed stream was cut short."""
        try:
            if self.encoding == "br":
                if self._br is not None and not self._br.is_finished():
                    raise _Reject("decode_error", "truncated br body")
                return b""
            if self._z is None:
                if self._head:
                    raise _Reject("decode_error", f"truncated {self.encoding} body")
                return b""
            out = self._emit(self._z.flush())
            if not self._z.eof:
                raise _Reject("decode_error", f"truncated {self.encoding} body")
            return out
        except zlib.error as exc:
            raise _Reject("decode_error", f"corrupt {self.encoding} body: {exc}") from exc


def _decoder(content_encoding: str | None, cap: int) -> _Decoder | None:
    """Decoder for a ``Content-Encoding`` header value (None for identity); ``decode_error`` for an encoding we
    did not advertise or stacked encodings."""
    codes = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    codes = [c for c in codes if c != "identity"]
    if not codes:
        return None
    known = {"gzip", "x-gzip", "deflate"} | ({"br"} if _HAS_BROTLI else set())
    if len(codes) > 1 or codes[0] not in known:
        raise _Reject("decode_error", f"unsupported Content-Encoding {content_encoding!r}")
    return _Decoder("gzip" if codes[0] == "x-gzip" else codes[0], cap)
