"""Piped input cut into lines, none of them longer than a key or a choice could be.

A key, a command's name or a practice's title is a few bytes. A line of megabytes
(a file piped in by mistake) would be gathered, decoded and answered whole, and the
`q` after it would wait minutes for its turn. So a line is kept only up to `LONGEST`
bytes: past that, what has come of it is dropped, the rest is dropped piece by piece
as it arrives, and the line stands as one `TOO_LONG`, answered in one sentence.
"""

from __future__ import annotations

LONGEST = 4096  # bytes of a typed line
# what stands for a line too long: told apart by identity, as no line read is this object
TOO_LONG = "\x00(a line too long)\n"
SKIPPED = (f"A typed line longer than {LONGEST:,} bytes was skipped; type one key, word or "
           "number a line.")


class BoundedLines:
    """Bytes as they are read, in, and whole lines (with their "\\n") out."""

    def __init__(self, longest: int = LONGEST) -> None:
        self.longest = longest
        self._pending = bytearray()  # the line so far, never longer than `longest`
        self._skipping = False  # inside a line already told as too long

    def feed(self, chunk: bytes) -> list[str]:
        """The lines `chunk` ends; a line too long as `TOO_LONG`, once."""
        lines: list[str] = []
        start = 0
        while (end := chunk.find(b"\n", start)) >= 0:
            if self._skipping:
                self._skipping = False
            elif len(self._pending) + end - start > self.longest:
                lines.append(TOO_LONG)
            else:
                lines.append(_text(bytes(self._pending) + chunk[start:end]) + "\n")
            self._pending.clear()
            start = end + 1
        if not self._skipping:
            if len(self._pending) + len(chunk) - start > self.longest:
                self._pending.clear()
                self._skipping = True
                lines.append(TOO_LONG)
            else:
                self._pending += chunk[start:]
        return lines

    def taken(self) -> bytes:
        """The line begun so far, taken out (single keys read on from it)."""
        rest, self._pending, self._skipping = bytes(self._pending), bytearray(), False
        return rest

    def end(self) -> list[str]:
        """The last line, where the input ended without a newline."""
        rest, self._pending = bytes(self._pending), bytearray()
        return [_text(rest)] if rest else []


def too_long(line: str | None) -> bool:
    return line is TOO_LONG


def _text(line: bytes) -> str:
    return line.decode("utf-8", "replace")
