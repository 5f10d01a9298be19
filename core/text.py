"""Text normalisation shared by search boxes, the database's search columns and single-line
inputs; two versions of a text compared word by word."""

import difflib
import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_SPACES = re.compile(r"\s+")
# Line and paragraph breaks of every kind (CR, LF, vertical tab, form feed, NEL, U+2028/9) and
# tabs, with the spaces around them; then any other control character.
_BREAKS = re.compile(r"[ ]*[\t\n\v\f\r\x1c-\x1e\x85\u2028\u2029]+[ ]*")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def single_line(value: str) -> str:
    """``value`` on one line: each run of line breaks or tabs becomes one space, other control
    characters go. For names, codes, positions, decision numbers: text that ends up in an e-mail
    subject, a spreadsheet cell or a header, where a line break breaks things."""
    if not value:
        return value
    return _CONTROLS.sub("", _BREAKS.sub(" ", value)).strip()


def search_text(value: str) -> str:
    """Lower-case ``value`` without diacritics: "Chùa Hang" → "chua hang", "Đức" → "duc".

    Agrees with the database function ``danvan_search_text`` (unaccent + lower), which fills the
    search columns, so a query typed with or without diacritics matches either way.
    """
    decomposed = unicodedata.normalize("NFD", value or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return _SPACES.sub(" ", stripped).strip().lower()


def whole_number(value) -> int | None:
    """The whole number ``value`` spells in ASCII digits (an id or a page number from an address
    or a form), else None. ``str.isdigit`` is not the test: "²" and "①" pass it, int() refuses
    them."""
    text = str(value if value is not None else "")
    return int(text) if text.isascii() and text.isdigit() else None


_WORDS = re.compile(r"\S+")


def _words(text: str) -> tuple[str, list[str], list[str]]:
    """``text`` as its leading space, its words and the space after each word."""
    found = list(_WORDS.finditer(text))
    if not found:
        return text, [], []
    lead = text[: found[0].start()]
    words = [match.group() for match in found]
    ends = [match.end() for match in found]
    starts = [match.start() for match in found[1:]] + [len(text)]
    return lead, words, [text[end:start] for end, start in zip(ends, starts, strict=True)]


def _marked(lead: str, words: list[str], gaps: list[str], runs, tag: str) -> SafeString:
    parts = [escape(lead)]
    for changed, first, last in runs:
        if first == last:
            continue
        inner = "".join(escape(words[i]) + escape(gaps[i]) for i in range(first, last - 1))
        inner += escape(words[last - 1])
        parts.append(f"<{tag}>{inner}</{tag}>" if changed else inner)
        parts.append(escape(gaps[last - 1]))
    return mark_safe("".join(parts))  # every piece of the text was escaped above


def word_diff(before: str, after: str) -> tuple[SafeString, SafeString]:
    """``before`` with the words ``after`` lost in ``<del>``, and ``after`` with the words it
    gained in ``<ins>``; the spacing and line breaks of each are kept, every word is escaped."""
    before_lead, before_words, before_gaps = _words(before or "")
    after_lead, after_words, after_gaps = _words(after or "")
    matcher = difflib.SequenceMatcher(None, before_words, after_words, autojunk=False)
    codes = matcher.get_opcodes()
    return (
        _marked(
            before_lead,
            before_words,
            before_gaps,
            [(op != "equal", i1, i2) for op, i1, i2, _, _ in codes],
            "del",
        ),
        _marked(
            after_lead,
            after_words,
            after_gaps,
            [(op != "equal", j1, j2) for op, _, _, j1, j2 in codes],
            "ins",
        ),
    )


def _fold(character: str) -> str:
    """One character as ``search_text`` compares it, kept one character long."""
    base = "".join(
        part for part in unicodedata.normalize("NFD", character) if not unicodedata.combining(part)
    )
    base = base.replace("đ", "d").replace("Đ", "D").lower()
    return base if len(base) == 1 else character


def without_lead(text: str, *phrases: str) -> str:
    """``text`` without the ``phrases`` it starts with (any case, with their diacritics or with
    none, each with its colon), however many times they were typed: the words a sentence
    already writes before it ("12/QĐ-UBND" after "Quyết định số", "…" after "Căn cứ")."""
    text = (text or "").strip()
    folded = "".join(_fold(character) for character in text)
    patterns = [
        (phrase, re.compile(r"\s+".join(map(re.escape, search_text(phrase).split())) + r"(?!\w)"))
        for phrase in sorted(phrases, key=len, reverse=True)
        if search_text(phrase)
    ]
    position = 0
    while True:
        position = len(folded) - len(folded[position:].lstrip(" \t:"))
        for phrase, pattern in patterns:
            found = pattern.match(folded, position)
            # The same letters as the phrase, or the phrase typed without diacritics ("so"
            # stands for "số", "sổ" does not).
            typed = " ".join(text[position : found.end()].split()).lower() if found else ""
            if found and typed in (phrase.lower(), search_text(phrase)):
                position = found.end()
                break
        else:
            return text[position:].strip()


# What people type before a decision's number; a sentence writes "Quyết định số" itself.
DECISION_NUMBER_LEADS = ("quyết định số", "quyết định", "qđ số", "số")


def bare_document_number(text: str) -> str:
    """A decision's number as typed, without the words a sentence puts before it:
    "Quyết định số 215-QĐ/QU" and "Số: 215-QĐ/QU" are both "215-QĐ/QU"."""
    return without_lead(single_line(text or ""), *DECISION_NUMBER_LEADS)
