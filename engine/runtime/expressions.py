"""Expressions as diagrams write them: plain Python, or Camunda's `${...}` wrapped form.

Camunda Modeler writes conditions and attribute values as `${expression}`. Inside the braces
Sløyfe reads Python, and also accepts the JUEL literals true, false and null, so the common
`${approved == true}` works unchanged.
"""

from __future__ import annotations

import io
import re
import tokenize

_JUEL_LITERALS = {"true": "True", "false": "False", "null": "None"}
_PLACEHOLDER = re.compile(r"\$\{(.*?)\}", re.DOTALL)


def python_source(expression: str) -> str:
    """Return the Python text of a condition: `${x}` unwrapped, JUEL literals translated."""
    text = expression.strip()
    match = _PLACEHOLDER.fullmatch(text)
    if match:
        text = match.group(1).strip()
    return translate_juel_literals(text)


def translate_juel_literals(text: str) -> str:
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return text
    if not any(tok.type == tokenize.NAME and tok.string in _JUEL_LITERALS for tok in tokens):
        return text
    rebuilt = [
        tok._replace(string=_JUEL_LITERALS[tok.string])
        if tok.type == tokenize.NAME and tok.string in _JUEL_LITERALS else tok
        for tok in tokens
    ]
    return tokenize.untokenize(rebuilt).strip()


def placeholders(text: str) -> list[str]:
    """Return the Python source of every `${...}` part of an attribute value."""
    return [translate_juel_literals(part.strip()) for part in _PLACEHOLDER.findall(text)]


def is_single_placeholder(text: str) -> bool:
    return _PLACEHOLDER.fullmatch(text.strip()) is not None


def substitute(text: str, evaluate: callable[[str], object]) -> object:
    """Resolve an attribute value: one `${x}` keeps x's type; mixed text becomes a string."""
    stripped = text.strip()
    if is_single_placeholder(stripped):
        return evaluate(python_source(stripped))
    return _PLACEHOLDER.sub(lambda m: str(evaluate(translate_juel_literals(m.group(1).strip()))),
                            text)
