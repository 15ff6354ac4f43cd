"""A design file's JSON text read exactly: the standard library's parser refusing what a
design may not hold (NaN, ±Infinity, a key twice in one object, a lone UTF-16 surrogate)
with the place of the first, and orjson in its stead where it is sure to read the same
(three times faster on a 1M-chip campus). :mod:`designer.io.dcplan` turns a
:class:`RefusedText` into its one-line :class:`~designer.io.dcplan.DesignFileError`."""

from __future__ import annotations

import json
import re
from typing import Any


class RefusedText(ValueError):
    """The text is JSON a design may not hold; ``str()`` names the place and the problem."""


class _Rejected:
    """Stands in for a value the JSON parser met but a design may not hold (NaN, a
    repeated key) until :func:`_find_rejected` knows its place for the message."""

    __slots__ = ("problem",)

    def __init__(self, problem: str) -> None:
        self.problem = problem


def parse_json(text: str, from_utf8: bool = False, raw: bytes | None = None) -> Any:
    """Parse a design's JSON; ``from_utf8``: ``text`` was decoded from UTF-8 bytes, so it
    holds no surrogate character (the strict decoder refuses them) and only a ``\\u``
    escape can make one; ``raw``: those bytes (without a byte order mark)."""
    doc = _parse_plain(raw if raw is not None else text.encode("utf-8", "surrogatepass"))
    if doc is _NOT_PLAIN:
        doc = _parse_careful(text)
    # (a substring test is ~10x faster than the pattern over a 3 MB file)
    if (not from_utf8 or "\\u" in text) and _MAYBE_SURROGATE.search(text):
        _refuse_surrogates(doc)
    return doc


_NOT_PLAIN = object()
#: every decimal digit to ``0``: a run of 19 of them is a number orjson may read otherwise
_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")


def _parse_plain(raw: bytes) -> Any:
    """The document of the UTF-8 text ``raw`` as :func:`_parse_careful` reads it, by orjson
    (about twice as fast, with these checks), when that is sure to be the same; else
    ``_NOT_PLAIN``. The same: the text is JSON orjson reads (no NaN, no number beyond a
    double, no lone surrogate, not nested past 1,024) and:

    - no run of 19 digits: orjson reads an integer beyond 64 bits as a float, Python as an
      int (its floats are Python's, correctly rounded: checked on 700,000 numbers);
    - no key repeated in an object (orjson keeps the last, the careful parser refuses it):
      every ``:`` outside text separates a key, orjson writes each stored key's and every
      ``:`` inside text as it is, so its text of the document holds fewer ``:`` exactly when
      a key was dropped (a ``\\u003a`` escape writes one the file does not hold: then the
      careful parser reads it)."""
    try:
        import orjson
    except ImportError:  # (installed without it: the careful parser)
        return _NOT_PLAIN
    if b"\\u003" in raw or b"0" * 19 in raw.translate(_DIGITS_TO_ZERO):
        return _NOT_PLAIN
    try:
        doc = orjson.loads(raw)
        text = orjson.dumps(doc)
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):   # (the careful parser says what and where;
        return _NOT_PLAIN                                          # orjson writes 255 levels, reads 1,024)
    return doc if text.count(b":") == raw.count(b":") else _NOT_PLAIN


def _parse_careful(text: str) -> Any:
    """The standard library's parser, refusing NaN, ±Infinity and repeated keys with the
    place of the first (:func:`_find_rejected`)."""
    rejected: list[_Rejected] = []

    def reject(problem: str) -> _Rejected:
        rejected.append(_Rejected(problem))
        return rejected[-1]

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict:
        out = dict(pairs)
        if len(out) == len(pairs):
            return out
        out = {}
        for k, v in pairs:
            out[k] = reject("the key appears twice in one object") if k in out else v
        return out

    doc = json.loads(text, object_pairs_hook=pairs_hook,
                     parse_constant=lambda name: reject(f"{name} is not a number a design may hold"))
    if rejected:
        place, problem = _find_rejected(doc)
        raise RefusedText(f"{place}: {problem}")
    return doc


#: A UTF-16 surrogate escape (``\ud800``) or a surrogate character in the text: only then
#: can a parsed string hold a lone surrogate (a pair of escapes decodes to one character).
_MAYBE_SURROGATE = re.compile("\\\\u[dD][89a-fA-F]|[\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _refuse_surrogates(doc: Any) -> None:
    """Refuse the first text (key or value, in file order) holding a lone UTF-16 surrogate:
    UTF-8 cannot store it, so the design could be neither reported nor saved."""
    stack: list[tuple[str, Any]] = [("", doc)]
    while stack:
        place, node = stack.pop()
        if isinstance(node, str):
            bad = _SURROGATE.search(node)
            if bad:
                raise RefusedText(f"{place or 'the file'}: the text holds a lone UTF-16 surrogate "
                                      f"(\\u{ord(bad.group()):04x}), which UTF-8 cannot store")
        elif isinstance(node, dict):
            for k in reversed(node):
                stack.append((f"{place}.{k}" if place else k, node[k]))
                stack.append((f"{place}.{k}" if place else k, k))
        elif isinstance(node, list):
            stack.extend((f"{place}[{i}]", v) for i, v in reversed(list(enumerate(node))))


def _find_rejected(doc: Any) -> tuple[str, str]:
    """The place (``equipment[1].x``) and problem of the first rejected value, in file order."""
    stack: list[tuple[str, Any]] = [("", doc)]
    while stack:
        place, node = stack.pop()
        if isinstance(node, _Rejected):
            return place or "the file", node.problem
        if isinstance(node, dict):
            stack.extend((f"{place}.{k}" if place else k, v) for k, v in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend((f"{place}[{i}]", v) for i, v in reversed(list(enumerate(node))))
    return "the file", "invalid value"
