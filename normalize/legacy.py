"""Text from old electronic files: mojibake and the legacy Vietnamese encodings.

Before Unicode (and in many commune files still), Vietnamese was typed in 8-bit fonts:
**TCVN3** (ABC, ``.VnTime``), **VNI** (``VNI-Times``) and the plain-ASCII **VIQR**
(``Nguye^~n``). Read as Unicode, such text shows Latin-1 letters (``NguyÔn``,
``Nguyeãn``). UTF-8 read as cp1252 shows mojibake (``Nguyá»…n``).

:func:`repair_text` tries each decoding and keeps the one whose words are real Vietnamese
syllables; a text that is already good is returned unchanged. Decoding is per word for
VIQR (its marks are ordinary punctuation) and per text for the 8-bit encodings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import ftfy

from normalize.syllables import is_vietnamese_syllable

# --- TCVN3 (TCVN 5712:1993, VN3): one byte per lower-case letter, seven capitals -------------
_TCVN3_LETTERS = "áàảãạăắằẳẵặâấầẩẫậéèẻẽẹêếềểễệíìỉĩịóòỏõọôốồổỗộơớờởỡợúùủũụưứừửữựýỳỷỹỵđĂÂÊÔƠƯĐ"
_TCVN3_CODES = (
    184, 181, 182, 183, 185, 168, 190, 187, 188, 189, 198, 169, 202, 199, 200, 201, 203,
    208, 204, 206, 207, 209, 170, 213, 210, 211, 212, 214, 221, 215, 216, 220, 222,
    227, 223, 225, 226, 228, 171, 232, 229, 230, 231, 233, 172, 237, 234, 235, 236, 238,
    243, 239, 241, 242, 244, 173, 248, 245, 246, 247, 249, 253, 250, 251, 252, 254, 174,
    161, 162, 163, 164, 165, 166, 167,
)  # fmt: skip
TCVN3 = {chr(code): letter for code, letter in zip(_TCVN3_CODES, _TCVN3_LETTERS, strict=True)}
_TCVN3_TABLE = str.maketrans(TCVN3)
# 0xAD (ư) is the soft hyphen in Latin-1: software that "cleans" text drops it, so TCVN3
# files often lost every ư. Such a word cannot be recovered with certainty.
# Codes below 0xE0 are symbols or capitals in Latin-1, rare in real Unicode names: a TCVN3
# text almost always has one (Hoµ, V¨n, ThÞ, NguyÔn).
_TCVN3_STRONG = frozenset(char for char in TCVN3 if char < "\u00e0")
# Of those, the ones that are no capital in Latin-1 (µ ¸ ¨ ©…): a single word needs one of these,
# since capitalising junk makes Latin-1 capitals (È, Ç) that are TCVN3 codes too.
_TCVN3_SYMBOLS = frozenset(char for char in _TCVN3_STRONG if not char.isupper())
_VNI_PAIR = re.compile(r"[aeouyAEOUYôöÔÖ][ùøûõïâêéèúüëáàåãäÙØÛÕÏÂÊÉÈÚÜËÁÀÅÃÄ]|[ñÑöÖ]")
_VIQR_STRONG = re.compile(r"[\^(+~`'/]|dd", re.IGNORECASE)
_VIQR_INNER = re.compile(r"[.?](?=[A-Za-z])")  # a dot or question mark inside a word is a tone

# --- VNI: a base letter followed by mark characters -----------------------------------------
_VNI_TONES = {"ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
_VNI_HAT_TONES = {"á": "\u0301", "à": "\u0300", "å": "\u0309", "ã": "\u0303", "ä": "\u0323"}
_VNI_BREVE_TONES = {"é": "\u0301", "è": "\u0300", "ú": "\u0309", "ü": "\u0303", "ë": "\u0323"}
_VNI_SINGLE = {
    "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ", "ñ": "đ", "ô": "ơ", "ö": "ư",
}  # fmt: skip
_VNI_MARKS = set(_VNI_TONES) | set(_VNI_HAT_TONES) | set(_VNI_BREVE_TONES) | {"â", "ê"}

# --- VIQR (RFC 1456): ASCII marks after the letter ------------------------------------------
_VIQR_WORD = re.compile(r"(?:[A-Za-z]|[\(\^\+'`?~./]|\\.)+")
_VIQR_SHAPES = {"(": "\u0306", "^": "\u0302", "+": "\u031b"}
_VIQR_TONES = {"'": "\u0301", "/": "\u0301", "`": "\u0300", "?": "\u0309", "~": "\u0303", ".": "\u0323"}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# UTF-8 read as cp1252/Latin-1: a lead byte (Â..ô) followed by a continuation byte's character.
_MOJIBAKE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013-\u203a\u20ac\u2122]"
)


@dataclass(frozen=True)
class Repaired:
    text: str
    encoding: str | None  # what the text was read as: mojibake | tcvn3 | vni | viqr; None = as is
    issues: tuple[str, ...] = ()


def decode_tcvn3(text: str) -> str:
    """TCVN3 (ABC) text read as Latin-1/cp1252 → Unicode.

    TCVN3 has no capitals with tone marks (they were typed in a second font, ``.VnTimeH``, on
    the small letters' codes): a word whose other letters are capitals is made all capitals. One
    of its seven capitals' codes inside a word beside a small letter (``TrÂn``, ``VĂn``: typed in the
    wrong font) is the small letter.
    """
    decoded = unicodedata.normalize("NFC", text.translate(_TCVN3_TABLE))

    def capitals(match: re.Match[str]) -> str:
        word, source = match.group(0), text[match.start() : match.end()]
        plain = [char for char, raw in zip(word, source, strict=False) if raw not in TCVN3 and char.isalpha()]
        if plain and all(char.isupper() for char in plain):
            return word.upper()
        return "".join(
            char.lower() if raw in TCVN3 and char.isupper() and index and _small_beside(word, index) else char
            for index, (char, raw) in enumerate(zip(word, source, strict=False))
        )

    return _WORD.sub(capitals, decoded) if len(decoded) == len(text) else decoded


def _small_beside(word: str, index: int) -> bool:
    return word[index - 1].islower() or (index + 1 < len(word) and word[index + 1].islower())


def decode_vni(text: str) -> str:
    """VNI-Windows text read as Latin-1/cp1252 → Unicode."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        lower = char.lower()
        nxt = text[i + 1].lower() if i + 1 < len(text) else ""
        if lower in "aeouy" and nxt in _VNI_MARKS:
            base, shape, tone, used = lower, "", "", 2
            if nxt == "â" and lower in "aeo":
                shape = "\u0302"
            elif nxt == "ê" and lower == "a":
                shape = "\u0306"
            elif nxt in _VNI_HAT_TONES and lower in "aeo":
                shape, tone = "\u0302", _VNI_HAT_TONES[nxt]
            elif nxt in _VNI_BREVE_TONES and lower == "a":
                shape, tone = "\u0306", _VNI_BREVE_TONES[nxt]
            elif nxt in _VNI_TONES:
                tone = _VNI_TONES[nxt]
            else:
                used = 1
            letter = unicodedata.normalize("NFC", base + shape + tone)
            out.append(letter.upper() if char.isupper() else letter)
            i += used
            continue
        if lower in ("ô", "ö") and nxt in _VNI_TONES:
            letter = unicodedata.normalize("NFC", _VNI_SINGLE[lower] + _VNI_TONES[nxt])
            out.append(letter.upper() if char.isupper() else letter)
            i += 2
            continue
        if lower in _VNI_SINGLE:
            letter = _VNI_SINGLE[lower]
            out.append(letter.upper() if char.isupper() else letter)
        else:
            out.append(char)
        i += 1
    return unicodedata.normalize("NFC", "".join(out))


def _viqr_word(word: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(word):
        char = word[i]
        if char == "\\" and i + 1 < len(word):  # an escaped mark is a literal
            out.append(word[i + 1])
            i += 2
            continue
        if char in "dD" and i + 1 < len(word) and word[i + 1] in "dD":
            out.append("Đ" if char == "D" else "đ")
            i += 2
            continue
        if char in _VIQR_SHAPES and out:
            out.append(_VIQR_SHAPES[char])
        elif char in _VIQR_TONES and out:
            out.append(_VIQR_TONES[char])
        else:
            out.append(char)
        i += 1
    return unicodedata.normalize("NFC", "".join(out))


def decode_viqr(text: str) -> str:
    """VIQR (``Nguye^~n Thi. Ho`a``) → Unicode; only words that become Vietnamese change."""

    def replace(match: re.Match[str]) -> str:
        word = match.group(0)
        core = word.rstrip(".?")  # sentence punctuation after a word
        trail = word[len(core) :]
        for candidate in (word, core):
            decoded = _viqr_word(candidate)
            if decoded != candidate and _all_syllables(decoded):
                return decoded + (trail if candidate is core else "")
        return word

    return _VIQR_WORD.sub(replace, text)


def _all_syllables(text: str) -> bool:
    words = _WORD.findall(text)
    return bool(words) and all(is_vietnamese_syllable(word) for word in words)


def _score(text: str, *, lost_u: bool = False) -> tuple[int, int]:
    """(Vietnamese syllables, other words) in a text.

    With ``lost_u``, a word that becomes a syllable with an ``ư`` put back counts as one.
    """
    words = _WORD.findall(text)
    good = sum(is_vietnamese_syllable(word) or (lost_u and _missing_u(word)) for word in words)
    return good, len(words) - good


def _missing_u(word: str) -> bool:
    """Would the word be Vietnamese with an ``ư`` inserted somewhere (TCVN3's dropped 0xAD)?

    A lone letter is not evidence: an initial (``B Ì``) would otherwise count as ``Bư``."""
    return len(word) > 1 and any(is_vietnamese_syllable(word[:i] + "ư" + word[i:]) for i in range(1, len(word) + 1))


def _lost_letters(text: str) -> bool:
    return any(not is_vietnamese_syllable(word) for word in _WORD.findall(text))


BEYOND_LATIN1 = re.compile(r"[^\x00-\xff]")
_LEGACY_MARK = re.compile(r"[\^~`?(+.'/]")  # VIQR's marks, and the punctuation VIQR text carries
_LEGACY_LOOK = re.compile(r"[\u00a0-\u00ff\^~`?(+.'/]")  # those, or an 8-bit code point


def _looks_legacy(text: str) -> bool:
    return _LEGACY_LOOK.search(text) is not None


@lru_cache(maxsize=65536)
def repair_text(text: str) -> Repaired:
    """Decode mojibake and legacy encodings; unchanged when the text already reads well.

    Issues: ``legacy_encoding`` (text was converted: check it), ``lost_letter`` (a TCVN3
    word is still not Vietnamese after conversion: a letter such as ``ư`` was lost).
    """
    if not text or (text.isascii() and not _LEGACY_MARK.search(text)):
        return Repaired(text, None)
    fixed = ftfy.fix_encoding(text) if _MOJIBAKE.search(text) else text
    if fixed != text and _score(fixed)[1] <= _score(text)[1]:
        return Repaired(unicodedata.normalize("NFC", fixed), "mojibake", ("legacy_encoding",))
    if BEYOND_LATIN1.search(text):  # real Unicode letters (most Vietnamese text): not an 8-bit encoding
        return Repaired(text, None)
    if not _looks_legacy(text):
        return Repaired(text, None)
    good, bad = _score(text)
    if bad == 0 and not any(char in text for char in "^~`?(+"):
        return Repaired(text, None)
    best = Repaired(text, None)
    best_score = (bad, -good)
    if text.isascii():
        decoded = decode_viqr(text)
        changed = [w for w, d in zip(text.split(), decoded.split(), strict=False) if w != d]
        strong = any(_VIQR_STRONG.search(word) or _VIQR_INNER.search(word) for word in changed)
        if strong and _score(decoded)[1] <= bad:
            return Repaired(decoded, "viqr", ("legacy_encoding",))
        return best
    for name, decode in (("tcvn3", decode_tcvn3), ("vni", decode_vni)):
        if name == "tcvn3" and good + bad < 2 and not any(char in _TCVN3_SYMBOLS for char in text):
            continue
        # without a tell-tale TCVN3 code, only a text of several words that all become Vietnamese
        if (
            name == "tcvn3"
            and not any(char in _TCVN3_STRONG for char in text)
            and (good + bad < 2 or _score(decode_tcvn3(text))[1] or _score(text.lower())[1] < 2)
        ):
            continue
        if name == "vni" and (not _VNI_PAIR.search(text) or good + bad < 2):
            continue
        decoded = decode(text)
        if decoded == text:
            continue
        d_good, d_bad = _score(decoded, lost_u=name == "tcvn3")
        if d_bad * 10 > d_good + d_bad:  # a decoding must leave at most one word in ten unread
            continue
        if (d_bad, -d_good) < best_score:
            issues = ["legacy_encoding"]
            if name == "tcvn3" and _lost_letters(decoded):
                issues.append("lost_letter")
            best, best_score = Repaired(decoded, name, tuple(issues)), (d_bad, -d_good)
    return best


# --- Encoders: what old software wrote (used to test the decoders and to make sample files) ---
_TCVN3_ENCODE = {letter: code for code, letter in TCVN3.items()}
_SHAPE_OF = {"\u0302": "^", "\u0306": "(", "\u031b": "+"}
_TONE_OF = {"\u0301": "'", "\u0300": "`", "\u0309": "?", "\u0303": "~", "\u0323": "."}
_VNI_TONE_OF = {mark: key for key, mark in _VNI_TONES.items()}
_VNI_HAT_OF = {mark: key for key, mark in _VNI_HAT_TONES.items()}
_VNI_BREVE_OF = {mark: key for key, mark in _VNI_BREVE_TONES.items()}
_VNI_SINGLE_OF = {letter: key for key, letter in _VNI_SINGLE.items()}


def encode_tcvn3(text: str) -> str:
    """Unicode → TCVN3 as Latin-1 text (capitals with tone marks are written small, as ABC did)."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        if char in _TCVN3_ENCODE:
            out.append(_TCVN3_ENCODE[char])
        elif char.lower() in _TCVN3_ENCODE and char not in "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ":
            out.append(_TCVN3_ENCODE[char.lower()])
        else:
            out.append(char)
    return "".join(out)


def _split_letter(char: str) -> tuple[str, str, str]:
    decomposed = unicodedata.normalize("NFD", char)
    base = decomposed[0]
    shape = next((mark for mark in decomposed[1:] if mark in _SHAPE_OF), "")
    tone = next((mark for mark in decomposed[1:] if mark in _TONE_OF), "")
    return base, shape, tone


def encode_vni(text: str) -> str:
    """Unicode → VNI-Windows as Latin-1 text."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        lower = char.lower()
        upper = char.isupper()
        if lower in _VNI_SINGLE_OF and lower not in "íì":
            key = _VNI_SINGLE_OF[lower]
            out.append(key.upper() if upper else key)
            continue
        base, shape, tone = _split_letter(lower)
        if base == "i" and tone:
            key = _VNI_SINGLE_OF[unicodedata.normalize("NFC", "i" + tone)]
            out.append(key.upper() if upper else key)
            continue
        if base == "y" and tone == "\u0323":
            out.append("Î" if upper else "î")
            continue
        if base in "ou" and shape == "\u031b":
            key = "ô" if base == "o" else "ö"
            marks = key + (_VNI_TONE_OF[tone] if tone else "")
        elif base not in "aeouy" or not (shape or tone):
            out.append(char)
            continue
        elif shape == "\u0302":
            marks = base + (_VNI_HAT_OF[tone] if tone else "â")
        elif shape == "\u0306":
            marks = base + (_VNI_BREVE_OF[tone] if tone else "ê")
        else:
            marks = base + _VNI_TONE_OF[tone]
        out.append(marks.upper() if upper else marks)
    return "".join(out)


def encode_viqr(text: str) -> str:
    """Unicode → VIQR (``Nguyễn`` → ``Nguye^~n``)."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        if char in "đĐ":
            out.append("dd" if char == "đ" else "DD")
            continue
        base, shape, tone = _split_letter(char)
        out.append(base + _SHAPE_OF.get(shape, "") + _TONE_OF.get(tone, "") if base != char else char)
    return "".join(out)
