"""LaTeX in BibTeX values to Unicode: accents, special letters, Greek, symbols, escapes, dashes.

A table of our own rather than pylatexenc 2.10, which was tried: it is too slow for the
thousands of titles of one import (benchmarks/RESULTS.md), and it deletes a command it does
not know (`\\textalpha`, `\\foo{x}`) where the import must keep it and say so. Here a command
that no table knows is kept as printed and returned, so that the import reports it.
"""

# ruff: noqa: RUF001 - the tables map commands to Greek and math letters that look Latin on purpose.
from __future__ import annotations

import re
import unicodedata

from .fields import collapse_space

# Accents that take one letter: `\'e`, `\'{e}`, `\"{\i}`, `\c c`, `\v{s}`.
_ACCENTS = {
    '"': "\u0308",
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
    "t": "\u0361",
}
_SYMBOL_ACCENT_RE = re.compile(
    r"\\([\"'`^~=.])\s*(?:\{\s*(\\[ij](?![A-Za-z])|[A-Za-z])\s*\}|(\\[ij](?![A-Za-z])|[A-Za-z]))"
)
_LETTER_ACCENT_RE = re.compile(
    r"\\([uvHckrdbt])(?:\s*\{\s*(\\[ij](?![A-Za-z])|[A-Za-z])\s*\}|\s+([A-Za-z]))"
)

_GREEK_LOWER = (
    "alpha α beta β gamma γ delta δ epsilon ϵ varepsilon ε zeta ζ eta η theta θ vartheta ϑ "
    "iota ι kappa κ lambda λ mu μ nu ν xi ξ omicron ο pi π varpi ϖ rho ρ varrho ϱ sigma σ "
    "varsigma ς tau τ upsilon υ phi ϕ varphi φ chi χ psi ψ omega ω"
)
_GREEK_UPPER = (
    "Alpha Α Beta Β Gamma Γ Delta Δ Epsilon Ε Zeta Ζ Eta Η Theta Θ Iota Ι Kappa Κ Lambda Λ "
    "Mu Μ Nu Ν Xi Ξ Omicron Ο Pi Π Rho Ρ Sigma Σ Tau Τ Upsilon Υ Phi Φ Chi Χ Psi Ψ Omega Ω"
)


def _pairs(words: str) -> dict[str, str]:
    items = words.split()
    return dict(zip(items[::2], items[1::2], strict=True))


_GREEK = {**_pairs(_GREEK_LOWER), **_pairs(_GREEK_UPPER)}
# Commands that stand for a character or a space. Math mode writes Greek as `\alpha`, the
# textgreek package as `\textalpha`; both mean the same letter.
SYMBOLS: dict[str, str] = {
    **_GREEK,
    **{f"text{name}": letter for name, letter in _GREEK.items()},
    "ss": "ß",
    "SS": "SS",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "o": "ø",
    "O": "Ø",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
    "dh": "ð",
    "DH": "Ð",
    "th": "þ",
    "TH": "Þ",
    "dj": "đ",
    "DJ": "Đ",
    "ng": "ŋ",
    "NG": "Ŋ",
    "textendash": "\u2013",
    "textemdash": "\u2014",
    "textquoteright": "\u2019",
    "textquoteleft": "\u2018",
    "textquotedblleft": "\u201c",
    "textquotedblright": "\u201d",
    "textquotesingle": "'",
    "textquotedbl": '"',
    "guillemotleft": "«",
    "guillemotright": "»",
    "guillemetleft": "«",
    "guillemetright": "»",
    "ldots": "\u2026",
    "dots": "\u2026",
    "cdots": "\u22ef",
    "textellipsis": "\u2026",
    "textregistered": "®",
    "texttrademark": "™",
    "copyright": "©",
    "textcopyright": "©",
    "textdegree": "°",
    "degree": "°",
    "textperiodcentered": "·",
    "textbullet": "•",
    "textmu": "µ",
    "textpm": "±",
    "pm": "±",
    "mp": "∓",
    "texttimes": "×",
    "times": "×",
    "textdiv": "÷",
    "div": "÷",
    "cdot": "·",
    "leq": "≤",
    "le": "≤",
    "geq": "≥",
    "ge": "≥",
    "neq": "≠",
    "ne": "≠",
    "approx": "≈",
    "sim": "∼",
    "simeq": "≃",
    "equiv": "≡",
    "propto": "∝",
    "infty": "∞",
    "partial": "∂",
    "nabla": "∇",
    "sum": "∑",
    "prod": "∏",
    "int": "∫",
    "sqrt": "√",
    "prime": "′",
    "circ": "∘",
    "textless": "<",
    "textgreater": ">",
    "lt": "<",
    "gt": ">",
    "ll": "≪",
    "gg": "≫",
    "to": "→",
    "rightarrow": "→",
    "leftarrow": "←",
    "leftrightarrow": "↔",
    "Rightarrow": "⇒",
    "uparrow": "↑",
    "downarrow": "↓",
    "textrightarrow": "→",
    "textleftarrow": "←",
    "S": "§",
    "P": "¶",
    "textsection": "§",
    "textparagraph": "¶",
    "dag": "†",
    "ddag": "‡",
    "textdagger": "†",
    "textdaggerdbl": "‡",
    "pounds": "£",
    "textsterling": "£",
    "euro": "€",
    "texteuro": "€",
    "textyen": "¥",
    "textcent": "¢",
    "textdollar": "$",
    "textperthousand": "‰",
    "textbackslash": "\\",
    "textasciitilde": "\ue004",  # a stand-in: a bare `~` is a space, replaced below
    "textasciicircum": "^",
    "textunderscore": "_",
    "textbar": "|",
    "textbraceleft": "\ue000",
    "textbraceright": "\ue001",
    "textexclamdown": "¡",
    "textquestiondown": "¿",
    "textordfeminine": "ª",
    "textordmasculine": "º",
    "textonehalf": "½",
    "textonequarter": "¼",
    "textthreequarters": "¾",
    "textsuperscript2": "²",
    "quad": " ",
    "qquad": " ",
    "space": " ",
    "enspace": " ",
    "thinspace": " ",
    "nobreakspace": " ",
    "newline": " ",
    "par": " ",
    "hfill": " ",
    "LaTeX": "LaTeX",
    "TeX": "TeX",
    "BibTeX": "BibTeX",
}
# Commands whose argument is the text (`\emph{x}` -> x) and font or spacing switches that print
# nothing themselves (`{\it x}` -> x).
_FORMATTING_NAMES = """
    emph textit textbf textrm textsc textsf texttt textsl textup textmd textnormal text mbox
    hbox fbox underline uline textsuperscript textsubscript ensuremath mathrm mathit mathbf
    mathsf mathtt mathcal mathbb mathfrak mathnormal operatorname boldsymbol bm pmb url href
    nolinkurl MakeUppercase MakeLowercase uppercase lowercase NoCaseChange protect relax
    it bf rm sc sf tt sl em normalfont itshape bfseries upshape scshape slshape mdseries
    rmfamily sffamily ttfamily small footnotesize scriptsize tiny large Large LARGE normalsize
    noopsort nocite left right big Big bigl bigr Bigl Bigr displaystyle textstyle mathrel
    mathop mathord limits nolimits phantom hphantom vphantom smallskip medskip bigskip
    allowbreak linebreak nobreak noindent selectlanguage foreignlanguage textenglish
"""
_FORMATTING = frozenset(_FORMATTING_NAMES.split())
_COMMAND_RE = re.compile(r"\\([A-Za-z]+)(\*?[ \t]*)")
_CONTROL_SYMBOL_RE = re.compile(r"\\([&%$#_{} ,;:!/\-@])")
_CONTROL_SYMBOLS = {
    "&": "&",
    "%": "%",
    "$": "\ue003",
    "#": "#",
    "_": "_",
    "{": "\ue000",
    "}": "\ue001",
    " ": " ",
    ",": " ",
    ";": " ",
    ":": " ",
    "!": "",
    "/": "",
    "-": "",
    "@": "",
}
_ARGUMENT_RE = re.compile(r"\{[^{}]*\}")
_MARKUP_RE = re.compile(r"[\\{}$~`]|--|''")


# Math mode: `$10^{-3}$`, `$37^{\circ}$`, `$x_1$`. A superscript or subscript whose every
# character Unicode has a small form becomes that form (10⁻³); any other keeps its whole `$...$`
# as printed, since dropping the `^` would change the meaning (10^-3 is not 10-3).
MATH_RE = re.compile(r"(?<!\\)\$([^$]+?)(?<!\\)\$")
_SCRIPT_RE = re.compile(r"([\^_])\s*(?:\{([^{}]*)\}|(\\[A-Za-z]+|[^\s{}\\]))")
_SUPERSCRIPTS = dict(zip("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ", strict=True))
_SUBSCRIPTS = dict(
    zip("0123456789+-=()aeoxhklmnpstijruv", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼᵣᵤᵥ", strict=True)
)


def _math(match: re.Match[str]) -> str:
    inner = match.group(1)
    kept = False

    def script(found: re.Match[str]) -> str:
        nonlocal kept
        argument = (found.group(2) if found.group(2) is not None else found.group(3)).strip()
        if found.group(1) == "^" and argument in ("\\circ", "\\degree"):
            return "°"
        table = _SUPERSCRIPTS if found.group(1) == "^" else _SUBSCRIPTS
        if argument and all(char in table for char in argument):
            return "".join(table[char] for char in argument)
        kept = True
        return found.group(0)

    converted = _SCRIPT_RE.sub(script, inner)
    if not kept:
        # Braced, so that `\alpha` does not take the space after `$` as its own.
        return "{" + converted + "}"
    # Protected from the brace, dollar and command handling below, restored after it.
    printed = match.group(0)
    return printed.translate(
        {ord("{"): "\ue000", ord("}"): "\ue001", ord("\\"): "\ue002", ord("$"): "\ue003"}
    )


def decode(value: str) -> tuple[str, list[str]]:
    """Plain Unicode from a LaTeX value, and the commands no table knows (kept as printed)."""
    if not _MARKUP_RE.search(value):
        return collapse_space(value), []
    unknown: list[str] = []
    value = value.replace("\\\\", " ")  # a forced line break
    if "$" in value:
        value = MATH_RE.sub(_math, value)
    value = _SYMBOL_ACCENT_RE.sub(_accent, value)
    value = _LETTER_ACCENT_RE.sub(_accent, value)
    value = _CONTROL_SYMBOL_RE.sub(lambda m: _CONTROL_SYMBOLS[m.group(1)], value)
    value = _commands(value, unknown)
    value = value.replace("{", "").replace("}", "").replace("$", "")
    # Private-use stand-ins kept escaped braces, dollars and kept commands from the removal above.
    value = value.replace("\ue000", "{").replace("\ue001", "}").replace("\ue002", "\\")
    value = value.replace("\ue003", "$")
    value = value.replace("---", "\u2014").replace("--", "\u2013").replace("~", " ")
    value = value.replace("\ue004", "~")
    value = value.replace("``", "\u201c").replace("''", "\u201d")
    return collapse_space(unicodedata.normalize("NFC", value)), unknown


def _accent(match: re.Match[str]) -> str:
    base = match.group(2) or match.group(3)
    base = base[1] if base.startswith("\\") else base  # dotless i/j take the accent as i/j
    return base + _ACCENTS[match.group(1)]


def _commands(value: str, unknown: list[str]) -> str:
    """Control words: a symbol, a formatting command (its argument stays), or unknown (kept)."""
    parts: list[str] = []
    position = 0
    for match in _COMMAND_RE.finditer(value):
        if match.start() < position:
            continue
        parts.append(value[position : match.start()])
        name = match.group(1)
        position = match.end()
        if name in SYMBOLS:
            parts.append(SYMBOLS[name])
        elif name in _FORMATTING:
            continue
        else:
            # Kept as printed, with the arguments that follow it, its braces protected from
            # the brace removal below: `\foo{bar}` stays `\foo{bar}`.
            if name not in unknown:
                unknown.append(name)
            kept = "\ue002" + name + match.group(2)
            while argument := _ARGUMENT_RE.match(value, position):
                kept += "\ue000" + argument.group(0)[1:-1] + "\ue001"
                position = argument.end()
            parts.append(kept)
    parts.append(value[position:])
    return "".join(parts)
