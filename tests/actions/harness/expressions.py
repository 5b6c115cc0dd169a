"""GitHub Actions `${{ }}` expressions: the subset workflows use, evaluated like the runner does.

Supported: literals ('str' with '' escapes, numbers, true/false/null), context paths with `.name`,
`['name']` and `.*` is not supported; operators `!`, `==`, `!=`, `<`, `<=`, `>`, `>=`, `&&`, `||`
(which return an operand, as in GitHub), parentheses; functions `success()`, `failure()`,
`always()`, `cancelled()`, `contains`, `startsWith`, `endsWith`, `format`, `join`, `toJSON`,
`fromJSON`. Comparison follows GitHub's loose rules for the cases workflows meet: strings compare
case-insensitively, and a number against a string converts the string.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>'(?:[^']|'')*')|(?P<op>==|!=|<=|>=|&&|\|\||[!<>()\[\],.])"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*))"
)
_TEMPLATE = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)


class ExpressionError(Exception):
    pass


@dataclass
class JobStatus:
    """What the status functions answer: whether an earlier step (or needed job) failed."""

    failed: bool = False
    cancelled: bool = False


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ExpressionError(f"cannot parse expression at {text[pos:]!r}")
        kind = match.lastgroup
        assert kind is not None
        out.append((kind, match.group(kind)))
        pos = match.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value != ""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return value != 0
    return bool(value)


def to_string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, indent=2)
    return str(value)


def _number(value: Any) -> float:
    if value is None or value == "":
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()
    if type(a) is type(b):
        return bool(a == b)
    return _number(a) == _number(b)


class _Parser:
    def __init__(self, text: str, context: Mapping[str, Any], status: JobStatus) -> None:
        self.tokens = _tokens(text)
        self.pos = 0
        self.context = context
        self.status = status
        self.used_status_function = False

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise ExpressionError(f"expected {value!r}, found {token}")
        self.pos += 1
        return token

    def parse(self) -> Any:
        value = self.or_()
        if self.peek() is not None:
            raise ExpressionError(f"unexpected {self.peek()}")
        return value

    def or_(self) -> Any:
        value = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.and_()
            value = value if truthy(value) else right
        return value

    def and_(self) -> Any:
        value = self.compare()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.compare()
            value = right if truthy(value) else value
        return value

    def compare(self) -> Any:
        value = self.unary()
        ops: dict[str, Callable[[Any, Any], bool]] = {
            "==": _equal,
            "!=": lambda a, b: not _equal(a, b),
            "<": lambda a, b: _number(a) < _number(b),
            "<=": lambda a, b: _number(a) <= _number(b),
            ">": lambda a, b: _number(a) > _number(b),
            ">=": lambda a, b: _number(a) >= _number(b),
        }
        while (token := self.peek()) is not None and token[0] == "op" and token[1] in ops:
            self.take()
            value = ops[token[1]](value, self.unary())
        return value

    def unary(self) -> Any:
        if self.peek() == ("op", "!"):
            self.take()
            return not truthy(self.unary())
        return self.postfix(self.primary())

    def postfix(self, value: Any) -> Any:
        while (token := self.peek()) in (("op", "."), ("op", "[")):
            self.take()
            if token == ("op", "."):
                key: Any = self.take()[1]
            else:
                key = self.or_()
                self.take("]")
            value = _index(value, key)
        return value

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "num":
            return float(text)
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if (kind, text) == ("op", "("):
            value = self.or_()
            self.take(")")
            return value
        if kind != "name":
            raise ExpressionError(f"unexpected {text!r}")
        if text in ("true", "false"):
            return text == "true"
        if text == "null":
            return None
        if self.peek() == ("op", "("):
            return self.call(text)
        if text not in self.context:
            raise ExpressionError(f"unknown context {text!r}")
        return self.context[text]

    def call(self, name: str) -> Any:
        self.take("(")
        args: list[Any] = []
        while self.peek() != ("op", ")"):
            args.append(self.or_())
            if self.peek() == ("op", ","):
                self.take()
        self.take(")")
        lowered = name.lower()
        if lowered in ("success", "failure", "always", "cancelled"):
            self.used_status_function = True
            return {
                "success": not self.status.failed and not self.status.cancelled,
                "failure": self.status.failed,
                "always": True,
                "cancelled": self.status.cancelled,
            }[lowered]
        return _function(lowered, args)


def _index(value: Any, key: Any) -> Any:
    if isinstance(value, Mapping):
        if key in value:
            return value[key]
        lowered = {str(k).lower(): v for k, v in value.items()}
        return lowered.get(str(key).lower())
    if isinstance(value, list) and isinstance(key, float | int):
        index = int(key)
        return value[index] if 0 <= index < len(value) else None
    return None


def _function(name: str, args: list[Any]) -> Any:
    if name == "contains":
        haystack, needle = args
        if isinstance(haystack, list):
            return any(_equal(item, needle) for item in haystack)
        return to_string(needle).lower() in to_string(haystack).lower()
    if name == "startswith":
        return to_string(args[0]).lower().startswith(to_string(args[1]).lower())
    if name == "endswith":
        return to_string(args[0]).lower().endswith(to_string(args[1]).lower())
    if name == "format":
        template, *rest = args
        return re.sub(r"\{(\d+)\}", lambda m: to_string(rest[int(m.group(1))]), template)
    if name == "join":
        items = args[0] if isinstance(args[0], list) else [args[0]]
        separator = to_string(args[1]) if len(args) > 1 else ","
        return separator.join(to_string(i) for i in items)
    if name == "tojson":
        return json.dumps(args[0], indent=2)
    if name == "fromjson":
        return json.loads(to_string(args[0]))
    raise ExpressionError(f"function {name}() is not supported by the harness")


def evaluate(
    expression: str, context: Mapping[str, Any], status: JobStatus | None = None
) -> tuple[Any, bool]:
    """The value of a bare expression, and whether it called a status function."""
    parser = _Parser(expression, context, status or JobStatus())
    return parser.parse(), parser.used_status_function


def evaluate_if(condition: Any, context: Mapping[str, Any], status: JobStatus) -> bool:
    """An `if:`: implicit `success() &&` unless it calls a status function itself."""
    if condition is None:
        return not status.failed and not status.cancelled
    if isinstance(condition, bool):
        return condition and not status.failed
    text = str(condition).strip()
    match = re.fullmatch(r"\$\{\{(.*)\}\}", text, flags=re.DOTALL)
    value, used_status = evaluate(match.group(1) if match else text, context, status)
    if not used_status and (status.failed or status.cancelled):
        return False
    return truthy(value)


def substitute(value: Any, context: Mapping[str, Any]) -> Any:
    """`${{ }}` in a string replaced; a string that is one whole expression keeps its type."""
    if isinstance(value, dict):
        return {k: substitute(v, context) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, context) for v in value]
    if not isinstance(value, str):
        return value
    whole = _TEMPLATE.fullmatch(value.strip())
    if whole and value.strip() == value:
        return evaluate(whole.group(1), context)[0]
    return _TEMPLATE.sub(lambda m: to_string(evaluate(m.group(1), context)[0]), value)
