"""Every malformed file in ``corpus/`` gives exactly the problems a user needs, at the right place.

Each row is (file, [(line, col, words the message must contain), ...]); the file must report
exactly those problems: none missing, none extra.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.config import reader
from reconciler.config.loader import load_file
from reconciler.errors import ConfigError

CORPUS = Path(__file__).parent / "corpus"

Expected = list[tuple[int, int, str]]

EXPECTATIONS: list[tuple[str, Expected]] = [
    # YAML syntax
    ("syntax_bad_indentation.yaml", [(5, 4, "check its indentation")]),
    ("syntax_unclosed_quote.yaml", [(3, 3, "never closed; add the closing quote")]),
    ("syntax_tab.yaml", [(3, 1, "indent with spaces")]),
    ("colon_in_text.yaml", [(4, 22, "put the whole text in quotes")]),
    ("flow_unclosed.yaml", [(2, 11, "add the closing '}'")]),
    ("undefined_alias.yaml", [(5, 9, "*remote has no anchor &remote")]),
    ("two_documents.yaml", [(2, 1, "a second YAML document starts here")]),
    # Not a mapping at all
    ("empty.yaml", [(1, 1, "the file is empty; write at least `integration_id: <id>`")]),
    ("comment_only.yaml", [(1, 1, "the file is empty")]),
    ("top_level_list.yaml", [(1, 1, "the file holds a list; it must be a mapping")]),
    ("scalar_document.yaml", [(1, 1, "holds only the text 'integration_id'")]),
    # Wrong types
    ("statuses_list.yaml", [(2, 1, "statuses must be a mapping of external_id to texts")]),
    ("statuses_text.yaml", [(2, 11, "not the text 'none'")]),
    ("translations_string.yaml", [(3, 8, "must be a mapping of language to text")]),
    ("text_boolean.yaml", [(5, 12, "fr-fr text of status '6' is read as the boolean true")]),
    (
        "text_number.yaml",
        [(4, 12, 'read as the number 12.5, not as text; put it in quotes ("12.5")')],
    ),
    ("text_null.yaml", [(4, 5, "the en-gb text of status '6' is missing")]),
    ("text_empty.yaml", [(4, 12, "the en-gb text of status '6' is empty")]),
    ("mapping_list.yaml", [(2, 1, "mapping must be a mapping of the four categories")]),
    ("mapping_value_mapping.yaml", [(3, 3, "READY_TO_SEND must be a status id or null")]),
    # Unknown keys at every level
    ("unknown_top_key.yaml", [(2, 1, "unknown key 'status'; did you mean statuses?")]),
    ("unknown_category.yaml", [(3, 3, "'READY_TO_SHIP'; did you mean READY_TO_SEND?")]),
    ("unknown_key_in_status.yaml", [(5, 5, "unknown language 'colour' in status '2'")]),
    # Languages and texts
    (
        "bad_language.yaml",
        [(5, 5, "unknown language 'pt-br' in status '2'; the languages are en-us")],
    ),
    (
        "bad_language_case.yaml",
        [(4, 5, "unknown language 'EN-GB' in status '2'; did you mean en-gb?")],
    ),
    ("eight_translations.yaml", [(11, 5, "unknown language 'pt-pt'")]),
    (
        "eight_translations_duplicate.yaml",
        [(11, 5, "duplicate key 'en-gb' (first defined on line 5)")],
    ),
    ("empty_translations.yaml", [(3, 3, "status '2' has no texts; add at least one")]),
    # Duplicate keys at each level
    (
        "duplicate_top_key.yaml",
        [(3, 1, "duplicate key 'integration_id' (first defined on line 1)")],
    ),
    ("duplicate_status.yaml", [(7, 3, "duplicate key '4' (first defined on line 3)")]),
    ("duplicate_category.yaml", [(7, 3, "duplicate key 'IN_TRANSIT' (first defined on line 4)")]),
    # Mapping
    (
        "dangling_mapping.yaml",
        [(10, 3, "DELIVERED points at status '5', which is not in statuses")],
    ),
    ("missing_category.yaml", [(2, 1, "CANCEL is missing (add `CANCEL: null`")]),
    ("statuses_null.yaml", [(2, 1, "write `statuses: {}` for no statuses, or remove the key")]),
    ("mapping_null.yaml", [(2, 1, "mapping is empty; list the four categories")]),
    # External ids that YAML would read as something other than text
    (
        "null_status_key.yaml",
        [(3, 3, 'status id ~ is read as null (nothing), not as text; quote it ("~")')],
    ),
    ("null_top_key.yaml", [(2, 1, "a key cannot be null; quote it")]),
    (
        "float_status_key.yaml",
        [(3, 3, 'status id 4.0 is read as a decimal number, not as text; quote it ("4.0")')],
    ),
    (
        "bool_status_key.yaml",
        [(3, 3, 'status id true is read as a boolean, not as text; quote it ("true")')],
    ),
    (
        "date_status_key.yaml",
        [(3, 3, "status id 2024-05-01 is read as a date, not as text; quote it")],
    ),
    (
        "leading_zero_status_key.yaml",
        [(3, 3, 'status id 04 is read as the number 4, not as text; quote it ("04")')],
    ),
    (
        "mapping_values_not_text.yaml",
        [
            (
                3,
                18,
                "mapping READY_TO_SEND: 2.0 is read as a decimal number",
            ),
            (
                4,
                15,
                'mapping IN_TRANSIT: false is read as a boolean, not as text; quote it ("false")',
            ),
            (5, 14, "mapping DELIVERED: 2024-05-01 is read as a date, not as text; quote it"),
            (6, 11, 'mapping CANCEL: 06 is read as the number 6, not as text; quote it ("06")'),
        ],
    ),
    (
        "empty_external_id.yaml",
        [
            (3, 3, "a status id cannot be empty"),
            (6, 18, "mapping READY_TO_SEND is empty; write a status id, or null"),
        ],
    ),
    ("key_is_list.yaml", [(3, 5, "a key cannot be a list or mapping")]),
    # integration_id
    ("integration_id_zero.yaml", [(1, 17, "integration_id must be a whole number above 0, not 0")]),
    ("integration_id_negative.yaml", [(1, 17, "above 0, not -5; use the id shown in Sendcloud")]),
    ("integration_id_string.yaml", [(1, 17, "not the text '23452345'; remove the quotes")]),
    ("integration_id_float.yaml", [(1, 17, "above 0, not 23452345.0")]),
    ("integration_id_bool.yaml", [(1, 17, "above 0, not true")]),
    ("integration_id_missing.yaml", [(1, 1, "missing integration_id; add `integration_id: <id>`")]),
    # integration_id in forms YAML readers disagree on: plain decimal only, as for external ids
    ("integration_id_octal.yaml", [(1, 17, "0o17 is not written in plain decimal digits")]),
    ("integration_id_hex.yaml", [(1, 17, "0x1F is not written in plain decimal digits")]),
    ("integration_id_leading_zero.yaml", [(1, 17, "0123 is not written in plain decimal")]),
    ("integration_id_underscore.yaml", [(1, 17, "(`integration_id: 1000` if that is the id")]),
    ("integration_id_plus_sign.yaml", [(1, 17, "+7 is not written in plain decimal digits")]),
    ("integration_id_superscript.yaml", [(1, 17, "whole number above 0, not ²")]),
    ("integration_id_5000_digits.yaml", [(1, 17, "(5000 characters) is too large to be")]),
    ("integration_id_5000_digits_quoted.yaml", [(1, 17, "not 99999999999999999999… (5000")]),
    # One file, one meaning: a YAML 1.1 directive would make `no` a boolean on one parser only
    ("yaml_1_1_directive.yaml", [(1, 1, "`%YAML 1.1` asks for another YAML version")]),
    ("yaml_1_3_directive.yaml", [(2, 1, "`%YAML 1.3` asks for another YAML version")]),
    # Texts and ids Sendcloud would not store as written (it trims surrounding whitespace)
    ("text_trailing_space.yaml", [(4, 12, "ends with a space; Sendcloud trims surrounding")]),
    ("text_folded_block.yaml", [(4, 12, "ends with a line break (a `>` block keeps its last")]),
    ("text_only_spaces.yaml", [(4, 12, "is only whitespace; write the text, or remove")]),
    ("text_nul_escape.yaml", [(4, 12, "contains the control character U+0000")]),
    ("text_two_lines.yaml", [(4, 12, "contains a line break; a status name or id is one line")]),
    ("text_no_break_space.yaml", [(4, 12, "starts with the no-break space U+00A0;")]),
    ("text_tab.yaml", [(4, 12, "contains a tab; a status name or id is one line")]),
    ("status_id_longer_than_1024.yaml", [(3, 2005, "write `? key` on one line and `: value`")]),
    ("status_id_leading_space.yaml", [(3, 3, "status id ' 4' starts with a space")]),
    ("mapping_id_tab.yaml", [(5, 18, "READY_TO_SEND ends with a tab; Sendcloud trims")]),
    # YAML features the format refuses
    ("merge_key.yaml", [(6, 5, "merge keys (<<) are not supported; write the keys out")]),
    ("billion_laughs.yaml", [(1, 1, "anchors and aliases expand to too many values")]),
    ("recursive_alias.yaml", [(2, 11, "repeats a value that contains the alias itself")]),
    ("deep_nesting.yaml", [(2, 30, "nested too deeply (more than 20 levels); flatten it")]),
    # Not UTF-8 text
    ("non_utf8.yaml", [(4, 17, "byte 0xe9 is not valid UTF-8")]),
    ("nul_byte.yaml", [(4, 17, "contains a NUL byte")]),
    ("binary_garbage.yaml", [(2, 1, "contains a NUL byte, so it is not text")]),
    ("control_character.yaml", [(4, 20, "control character U+0007, which YAML does not allow")]),
    ("utf16.yaml", [(1, 1, "saved as UTF-16; save it as UTF-8")]),
    # Several problems in one file: all of them, each at its own place
    (
        "multiple_problems.yaml",
        [
            (1, 17, "integration_id must be a whole number above 0, not -1"),
            (5, 5, "unknown language 'xx-xx'"),
            (6, 3, 'status id 04 is read as the number 4, not as text; quote it ("04")'),
            (10, 3, "IN_TRANSIT points at status '9', which is not in statuses"),
            (12, 3, "unknown status category 'CANCELLED'; did you mean CANCEL?"),
            (13, 1, "unknown key 'colour'"),
        ],
    ),
]

# Words from pydantic or ruamel that mean nothing to someone editing a status file.
JARGON = ("Input should", "dictionary", "Field required", "<block", "scalar", "[key]", "None")


@pytest.fixture(params=["libyaml", "pure-python"], autouse=True)
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every corpus file through both parse paths: one file must have one meaning."""
    if request.param == "pure-python":

        def declined(text: str) -> None:
            raise reader._FastPathDeclinedError

        monkeypatch.setattr(reader, "_compose_fast", declined)
    else:
        assert reader._libyaml().Parser is not reader.Parser, "libyaml is not installed"
    return str(request.param)


def _problems(name: str) -> list[tuple[int, int, str]]:
    path = CORPUS / name
    with pytest.raises(ConfigError) as caught:
        load_file(path)
    assert {p.path for p in caught.value.problems} == {str(path)}
    return [(p.line, p.col, p.message) for p in caught.value.problems]


@pytest.mark.parametrize(("name", "expected"), EXPECTATIONS, ids=[n for n, _ in EXPECTATIONS])
def test_corpus_file_reports_exactly_the_expected_problems(name: str, expected: Expected) -> None:
    problems = _problems(name)
    assert [(line, col) for line, col, _ in problems] == sorted(
        (line, col) for line, col, _ in expected
    ), problems
    for (_, _, message), (_, _, words) in zip(problems, sorted(expected), strict=True):
        assert words in message
        assert not any(word in message for word in JARGON), message


def test_every_corpus_file_has_an_expectation() -> None:
    on_disk = {p.name for p in CORPUS.iterdir()}
    listed = [name for name, _ in EXPECTATIONS]
    assert len(listed) == len(set(listed))
    assert on_disk == set(listed)
    assert len(listed) >= 35
