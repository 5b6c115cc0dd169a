"""Bytes → YAML node tree, refusing quickly and precisely what cannot be a desired-state file.

Size, encoding, control characters, nesting depth and syntax are checked here, each refusal
located as ``file:line:col``; what the nodes mean is loader.py's business. Valid files go through
libyaml (seven times faster); anything it declines or rejects is read again by ruamel's
pure-Python parser with a bounded scanner, whose messages are the reference.
"""

from __future__ import annotations

import functools
import os
import re
import warnings
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.parser import Parser
from ruamel.yaml.scanner import Scanner, ScannerError

from reconciler.config.scalars import tag_problem
from reconciler.errors import ConfigError, FileRefused, Problem
from reconciler.files import read_user_file

# Room for an import of 1,000 statuses in all seven languages (about 1.6 MB); import and adopt
# refuse to write more (see `config.files.verify_rewrite`), so what they write always validates.
MAX_FILE_BYTES = 4 * 1024 * 1024
# The format is three levels deep; anything far deeper is a mistake or an attack on the stack.
MAX_DEPTH = 20
# Characters YAML does not allow in a document (everything but TAB, LF, CR and printable text).
_NOT_PRINTABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]"
)


def read_text(name: str, *, root: Path | None = None) -> str:
    """The file's text, or a ConfigError saying why it cannot be a desired-state file.

    ``root`` is the directory the user gave (see `reconciler.files.read_user_file`): only
    regular files are read, and a link out of it is not followed.
    """

    def fail(message: str, line: int = 1, col: int = 1) -> ConfigError:
        return ConfigError([Problem(name, line, col, message)])

    if os.path.isdir(name):
        raise fail("is a directory, expected a YAML file")
    try:
        data = read_user_file(name, limit=MAX_FILE_BYTES, root=root)
    except FileRefused as exc:
        raise fail(str(exc)) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise fail("the file is saved as UTF-16; save it as UTF-8")
    if b"\x00" in data:
        line, col = _byte_position(data, data.index(b"\x00"))
        message = (
            "the file contains a NUL byte, so it is not text (a binary file?); save it as text"
        )
        raise fail(message, line, col)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _byte_position(data, exc.start)
        message = (
            f"byte 0x{data[exc.start]:02x} is not valid UTF-8 (was the file saved as Latin-1 or "
            "Windows-1252?); save the file as UTF-8"
        )
        raise fail(message, line, col) from None


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    return data.count(b"\n", 0, offset) + 1, offset - (data.rfind(b"\n", 0, offset) + 1) + 1


_EMPTY_FILE = "the file is empty; write at least `integration_id: <id>`"


def compose(text: str, name: str, *, empty: str = _EMPTY_FILE) -> Node:
    """The YAML node tree of one document, every refusal located in the file; ``empty`` is the
    message for a file without a document (what to write depends on what the file is)."""
    bad_char = _NOT_PRINTABLE.search(text)
    if bad_char:
        start = bad_char.start()
        line, col = text.count("\n", 0, start) + 1, start - (text.rfind("\n", 0, start) + 1) + 1
        code = f"U+{ord(bad_char.group()):04X}"
        what = "a NUL byte" if code == "U+0000" else f"the control character {code}"
        message = f"the file contains {what}, which YAML does not allow; remove it"
        raise ConfigError([Problem(name, line, col, message)])
    _check_yaml_directive(text, name)
    root: Node | None
    try:
        with warnings.catch_warnings():
            # A reused anchor name is legal YAML; ruamel would print a warning to stderr.
            warnings.simplefilter("ignore")
            try:
                root = _compose_fast(text)
            except _FastPathDeclinedError:
                yaml = YAML(typ="safe", pure=True)
                yaml.Scanner = _BoundedScanner
                root = yaml.compose(text)
    except _TooDeepError as exc:
        mark = exc.problem_mark
        message = f"the YAML is nested too deeply (more than {MAX_DEPTH} levels); flatten it"
        raise ConfigError([Problem(name, mark.line + 1, mark.column + 1, message)]) from None
    except MarkedYAMLError as exc:
        raise ConfigError([_syntax_problem(name, exc)]) from None
    except AssertionError:  # ruamel asserts on some malformed directives
        message = "invalid YAML: a `%` directive line here is malformed; remove it"
        raise ConfigError([Problem(name, 1, 1, message)]) from None
    except YAMLError as exc:
        raise ConfigError([Problem(name, 1, 1, f"invalid YAML: {exc}")]) from None
    if root is None:
        raise ConfigError([Problem(name, 1, 1, empty)])
    _check_tags(root, name)
    return root


def _check_tags(root: Node, name: str) -> None:
    """Refuse every node whose explicit tag is not one of the core schema's (`tag_problem`):
    ``!!binary``, ``!custom x``, ``!!set``, ``!<tag:yaml.org,2002:python/name:os.system>``.

    Here, before anything is built, so desired-state files, bases, the project file, the policy
    files it includes and ``sandbox set`` files all refuse them alike, each located.
    """
    problems: list[Problem] = []
    seen: set[int] = set()
    stack = [root]
    while stack:  # each distinct node once: an alias repeats a node, not the work
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        problem = tag_problem(str(node.tag), scalar=isinstance(node, ScalarNode))
        if problem is not None:
            mark = node.start_mark
            problems.append(Problem(name, mark.line + 1, mark.column + 1, problem))
        if isinstance(node, MappingNode):
            stack.extend(n for pair in node.value for n in pair)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    if problems:
        raise ConfigError(problems)


_DIRECTIVE = re.compile(r"%YAML(?:[ \t]+(\S*))?")


def _check_yaml_directive(text: str, name: str) -> None:
    """Refuse a ``%YAML`` directive other than 1.2: one file must have one meaning.

    Under ``%YAML 1.1`` ruamel's pure-Python parser reads ``no`` as a boolean and ``0123`` as
    83, while libyaml (the fast path) keeps YAML 1.2's rules, so the same file would mean two
    things depending on which parser ran; an unknown version crashes the pure-Python parser.
    Directives can only come before the document, so only the leading lines are looked at.
    """
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not line.startswith("%"):
            return
        match = _DIRECTIVE.match(line)
        if match and match.group(1) != "1.2":
            version = match.group(1) or "without a version"
            message = (
                f"the directive `%YAML {version}` asks for another YAML version; desired-state "
                "files are read as YAML 1.2 (where `no` is text and `0123` is 123): remove "
                "this line"
            )
            raise ConfigError([Problem(name, number, 1, message)])


class _FastPathDeclinedError(Exception):
    pass


@functools.cache
def _libyaml() -> YAML:
    # Building a YAML object costs a third of a millisecond; one serves every file.
    return YAML(typ="safe", pure=False)


def _compose_fast(text: str) -> Node | None:
    """Compose with libyaml (ruamel.yaml.clib), about seven times faster than pure Python.

    Only for files it can take safely: libyaml's composer recurses in C, so a deeply nested
    file would overflow the stack; its event parser does not, so the depth is checked on the
    events first. A file it declines, or rejects, goes to the pure-Python parser, whose bounded
    scanner and error messages are the reference.
    """
    yaml = _libyaml()
    if yaml.Parser is Parser:  # libyaml is not installed: its safety argument does not hold
        raise _FastPathDeclinedError
    try:
        depth = 0
        for event in yaml.parse(text):
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _FastPathDeclinedError
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
        root: Node | None = yaml.compose(text)
    except YAMLError:
        raise _FastPathDeclinedError from None
    return root


class _TooDeepError(ScannerError):
    pass


class _BoundedScanner(Scanner):
    """ruamel's scanner with a nesting limit.

    Unbounded, a file of ten thousand ``[`` costs minutes (the scanner is quadratic in the flow
    depth) and the recursive composer would overflow the stack; the format needs four levels.
    """

    def fetch_flow_collection_start(self, TokenClass: Any, to_push: str) -> None:
        self._check_depth(self.flow_level + len(self.indents))
        super().fetch_flow_collection_start(TokenClass, to_push)

    def add_indent(self, column: int) -> bool:
        self._check_depth(self.flow_level + len(self.indents))
        return super().add_indent(column)

    def _check_depth(self, depth: int) -> None:
        if depth >= MAX_DEPTH:
            raise _TooDeepError(None, None, "nested too deeply", self.reader.get_mark())


_LONGEST_KEY = 1024  # YAML's limit on an implicit key ("key: value")


def _syntax_problem(name: str, exc: MarkedYAMLError) -> Problem:
    """Translate ruamel's parser vocabulary ("<block end>", "scalar") into what to fix."""
    context, problem = exc.context or "", exc.problem or ""
    mark = exc.problem_mark or exc.context_mark
    if "'\\t'" in problem:
        message = "a tab cannot indent YAML; indent with spaces"
    elif "quoted scalar" in context and "end of stream" in problem:
        mark = exc.context_mark or mark
        message = "this quoted text is never closed; add the closing quote"
    elif "mapping values are not allowed" in problem and mark and mark.column > _LONGEST_KEY:
        message = (
            f"a key longer than {_LONGEST_KEY:,} characters cannot be written as `key: value` "
            "(YAML's limit); write `? key` on one line and `: value` on the next"
        )
    elif "mapping values are not allowed" in problem:
        message = (
            "unexpected ':' here; if the text contains ': ', put the whole text in quotes, "
            "otherwise check the indentation of this line"
        )
    elif "<block end>" in problem:
        message = (
            "this line does not fit the structure above it; check its indentation (keys of "
            "one mapping start in the same column) and that every quote above is closed"
        )
    elif "single document" in context:
        message = (
            "a second YAML document starts here; a file describes one integration in one "
            "document, so remove the `---` line or move the rest to a file of its own"
        )
    elif "undefined alias" in problem:
        alias = problem.rpartition(" ")[2].strip("'")
        message = (
            f"the alias *{alias} has no anchor &{alias} before it; define the anchor first, "
            "or write the value out"
        )
    elif context.startswith("while parsing a flow"):
        mark = exc.context_mark or mark
        opening, closing = ("{", "}") if "mapping" in context else ("[", "]")
        message = (
            f"the '{opening}' here is not closed, or a ',' is missing between its entries; "
            f"add the closing '{closing}'"
        )
    else:
        detail = " ".join(part for part in (context, problem) if part)
        message = f"{detail}; check the indentation and quoting here"
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Problem(name, line, col, f"invalid YAML: {message}")
