"""A checker of prompt words that need sight or standing, for the tests of the
low-vision and seated versions of the library.

Words are matched whole and case-blind; the short list of figurative uses below
("look forward to", "see how it feels") was reviewed sentence by sentence, and a
sentence is flagged only when a word is left once those phrases are taken out.
"""

from __future__ import annotations

import re

SIGHT = (r"look(s|ed|ing)?", r"watch(es|ed|ing)?", r"gaz(e|es|ed|ing)", r"eye contact",
         r"eye to eye", r"open your eyes", r"eyes open", r"see(s|ing)?", r"saw", r"seen",
         r"glanc(e|es|ed|ing)", r"writ(e|es|ing|ten)", r"wrote", r"paper", r"notebook",
         r"pen", r"pencil", r"read(s|ing)?", r"note ?book", r"your face", r"'s face",
         r"faces", r"glass")
STANDING = (r"stand(s|ing)?", r"stood", r"one foot", r"one leg", r"walk(s|ed|ing)?",
            r"stroll(s|ed|ing)?", r"tiptoe", r"jump(s|ing)?", r"get up", r"on your feet",
            r"tip (each other|.{1,20}) over", r"hop(s|ping)?", r"step in", r"step back",
            r"balanc(e|es|ed|ing) on", r"own (two )?feet", r"feet apart", r"off the floor")

FIGURATIVE = (r"look(s|ing)? forward to", r"see (how|what|whether|if)", r"let'?s see",
              r"(stand|standing) by", r"walk(ed)? (me|you|us|them) through",
              r"read (aloud )?(the|each) question", r"looking back", r"look back",
              r"see each other (anew|again)", r"look(ed|ing)? up to", r"look(s)? like",
              r"look for (ways|small)", r"looking at both", r"saw it", r"stands? out",
              r"jump(ing)? in", r"fine to step back",
              r"sees? (less|well enough)")  # who sees less: a description, not a task


def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(" + "|".join(words) + r")\b", re.IGNORECASE)


_SIGHT, _STANDING, _FIGURATIVE = _pattern(SIGHT), _pattern(STANDING), _pattern(FIGURATIVE)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


def needs(text: str, kind: str) -> list[str]:
    """The sentences of `text` that need sight (kind "sight") or standing ("standing")."""
    pattern = _SIGHT if kind == "sight" else _STANDING
    return [s for s in sentences(text) if pattern.search(_FIGURATIVE.sub(" ", s))]
