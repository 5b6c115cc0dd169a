"""The loader on valid files, and on what only a real file system can produce."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reconciler.config.loader import MAX_ALIAS_EXPANSION, load_file, load_paths, parse
from reconciler.config.messages import suggest
from reconciler.config.reader import MAX_FILE_BYTES
from reconciler.errors import ConfigError, Problem
from reconciler.model import CATEGORIES, LANGUAGES, Category

EXAMPLES = Path(__file__).parents[2] / "examples" / "integrations"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(paths: list[Path] | list[str]) -> list[Problem]:
    with pytest.raises(ConfigError) as caught:
        load_paths(paths)
    return list(caught.value.problems)


def only_problem(paths: list[Path] | list[str]) -> Problem:
    problems = problems_of(paths)
    assert len(problems) == 1, problems
    return problems[0]


# Valid files


def test_every_example_loads() -> None:
    files = load_paths([EXAMPLES])
    assert len(files) >= 3
    assert len({f.state.integration_id for f in files}) == len(files)


def test_unquoted_plain_numbers_are_external_ids_as_text() -> None:
    desired = parse(
        "integration_id: 7\n"
        "statuses:\n  4:\n    en-gb: Shipped\n  12:\n    en-gb: On backorder\n"
        "  0:\n    en-gb: New\n"
        "mapping:\n  READY_TO_SEND: 12\n  IN_TRANSIT: 4\n  DELIVERED: null\n  CANCEL: 0\n",
        "x.yaml",
    )
    assert desired.state.statuses is not None
    assert set(desired.state.statuses) == {"4", "12", "0"}
    assert desired.state.mapping is not None
    assert desired.state.mapping.as_dict() == {
        Category.READY_TO_SEND: "12",
        Category.IN_TRANSIT: "4",
        Category.DELIVERED: None,
        Category.CANCEL: "0",
    }


def test_quoted_ids_keep_leading_zeros() -> None:
    desired = parse(
        'integration_id: 7\nstatuses:\n  "04":\n    en-gb: Shipped\n'
        'mapping:\n  READY_TO_SEND: "04"\n  IN_TRANSIT: null\n  DELIVERED: null\n  CANCEL: null\n',
        "x.yaml",
    )
    assert desired.state.statuses == {"04": {"en-gb": "Shipped"}}


def test_empty_statuses_means_no_statuses() -> None:
    desired = parse("integration_id: 7\nstatuses: {}\n", "x.yaml")
    assert desired.state.statuses == {}
    assert desired.state.mapping is None


def test_mapping_only_file_leaves_statuses_unmanaged() -> None:
    desired = load_file(EXAMPLES / "mapping-only.yaml")
    assert desired.state.statuses is None
    assert desired.state.mapping is not None


def test_statuses_only_file_leaves_mapping_unmanaged() -> None:
    desired = parse('integration_id: 7\nstatuses:\n  "2":\n    en-gb: Paid\n', "x.yaml")
    assert desired.state.mapping is None
    assert desired.state.statuses == {"2": {"en-gb": "Paid"}}


def test_all_seven_languages() -> None:
    texts = "".join(f"    {language}: Paid ({language})\n" for language in LANGUAGES)
    desired = parse(f'integration_id: 7\nstatuses:\n  "2":\n{texts}', "x.yaml")
    assert desired.state.statuses is not None
    assert list(desired.state.statuses["2"]) == list(LANGUAGES)


def test_all_categories_unmapped() -> None:
    body = "".join(f"  {category}: null\n" for category in CATEGORIES)
    desired = parse(f"integration_id: 7\nstatuses: {{}}\nmapping:\n{body}", "x.yaml")
    assert desired.state.mapping is not None
    assert set(desired.state.mapping.as_dict().values()) == {None}


def test_an_anchor_may_be_reused_a_little() -> None:
    desired = parse(
        'integration_id: 7\nstatuses:\n  "2": &paid\n    en-gb: Paid\n  "11": *paid\n', "x.yaml"
    )
    assert desired.state.statuses == {"2": {"en-gb": "Paid"}, "11": {"en-gb": "Paid"}}


def test_utf8_bom_and_crlf_line_ends_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(
        '\ufeffintegration_id: 7\r\nstatuses:\r\n  "6":\r\n    fr-fr: Annulé\r\n'.encode()
    )
    assert load_file(path).state.statuses == {"6": {"fr-fr": "Annulé"}}


def test_positions_of_keys() -> None:
    desired = load_file(EXAMPLES / "multilingual-shop.yaml")
    lines = (EXAMPLES / "multilingual-shop.yaml").read_text(encoding="utf-8").splitlines()
    for category in CATEGORIES:
        line, col = desired.locate("mapping", category.value)
        assert lines[line - 1][col - 1 :].startswith(f"{category.value}:")
    line, col = desired.locate("statuses", "Send-4", "de-de")
    assert lines[line - 1][col - 1 :].startswith("de-de: Mit Sendcloud versandt")
    assert desired.locate("integration_id") == (7, 1)


def test_locate_falls_back_to_the_nearest_ancestor() -> None:
    desired = parse('integration_id: 7\nstatuses:\n  "2":\n    en-gb: Paid\n', "x.yaml")
    assert desired.locate("statuses", "9", "en-gb") == desired.locate("statuses") == (2, 1)
    assert desired.locate() == (1, 1)


# Sizes


def test_file_over_the_size_cap_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"integration_id: 7\n" + b"#" * MAX_FILE_BYTES)
    problem = only_problem([path])
    assert (problem.line, problem.col) == (1, 1)
    assert "larger than 4 MiB" in problem.message


def test_ten_megabyte_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        for _ in range(10):
            handle.write(b"# padding\n" * (1024 * 1024 // 10 + 1))
    assert "larger than 4 MiB" in only_problem([path]).message


def test_file_of_exactly_the_size_cap_is_read(tmp_path: Path) -> None:
    head = b"integration_id: 7\n#"
    path = tmp_path / "limit.yaml"
    path.write_bytes(head + b"x" * (MAX_FILE_BYTES - len(head)))
    assert path.stat().st_size == MAX_FILE_BYTES
    assert load_file(path).state.integration_id == 7


def test_alias_expansion_just_over_the_bound_is_refused() -> None:
    items = ", ".join(["x"] * 10)
    repeats = ", ".join(["*a"] * (MAX_ALIAS_EXPANSION // 10 + 2))
    with pytest.raises(ConfigError) as caught:
        parse(f"integration_id: 7\nstatuses: &a [{items}]\nmapping: [{repeats}]\n", "x.yaml")
    assert "expand to too many values" in str(caught.value)


# Several files


def test_the_same_integration_in_two_files(tmp_path: Path) -> None:
    first = write(tmp_path / "a.yaml", "# shop A\nintegration_id: 42\n")
    second = write(tmp_path / "b.yaml", "statuses: {}\nintegration_id: 42\n")
    problem = only_problem([tmp_path])
    assert (problem.path, problem.line, problem.col) == (str(second), 2, 1)
    assert f"integration 42 is already defined in {first}:2" in problem.message
    assert "one file per integration" in problem.message


def test_every_problem_in_every_file(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "integration_id: 0\ncolour: red\n")
    write(tmp_path / "sub" / "b.yml", 'integration_id: 2\nstatuses:\n  "2": {}\n')
    write(tmp_path / "c.yaml", "integration_id: 3\n")
    problems = problems_of([tmp_path])
    assert [(Path(p.path).name, p.line, p.col) for p in problems] == [
        ("a.yaml", 1, 17),
        ("a.yaml", 2, 1),
        ("b.yml", 3, 3),
    ]


def test_files_are_returned_in_integration_order_and_once(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "integration_id: 9\n")
    b = write(tmp_path / "b.yaml", "integration_id: 3\n")
    files = load_paths([tmp_path, b, str(b)])
    assert [f.state.integration_id for f in files] == [3, 9]


# Paths


def test_directory_is_searched_recursively(tmp_path: Path) -> None:
    write(tmp_path / "eu" / "nl" / "shop.yaml", "integration_id: 1\n")
    write(tmp_path / "eu" / "de.yml", "integration_id: 2\n")
    write(tmp_path / "us.yaml", "integration_id: 3\n")
    write(tmp_path / "notes.txt", "not yaml")
    write(tmp_path / ".git" / "config.yaml", "not: an integration\n")
    files = load_paths([tmp_path])
    assert sorted(Path(f.path).name for f in files) == ["de.yml", "shop.yaml", "us.yaml"]


def test_directory_without_yaml(tmp_path: Path) -> None:
    write(tmp_path / "README.md", "# nothing here")
    problem = only_problem([tmp_path])
    assert (problem.path, problem.line, problem.col) == (str(tmp_path), 1, 1)
    assert "no *.yaml or *.yml files in this directory" in problem.message


def test_nonexistent_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    problem = only_problem([missing])
    assert problem.path == str(missing)
    assert "no such file or directory; check the path" in problem.message


def test_a_good_file_does_not_hide_a_missing_path(tmp_path: Path) -> None:
    good = write(tmp_path / "a.yaml", "integration_id: 1\n")
    assert len(problems_of([good, tmp_path / "missing"])) == 1


def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path / "secret.yaml", "integration_id: 1\n")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as a user who can read any file (root)")
        problem = only_problem([path])
        assert "cannot read the file (Permission denied); check the path" in problem.message
    finally:
        path.chmod(0o644)


def test_directory_symlink_loop_does_not_recurse(tmp_path: Path) -> None:
    write(tmp_path / "shops" / "a.yaml", "integration_id: 1\n")
    (tmp_path / "shops" / "loop").symlink_to(tmp_path / "shops", target_is_directory=True)
    (tmp_path / "shops" / "up").symlink_to(tmp_path, target_is_directory=True)
    files = load_paths([tmp_path])
    assert [Path(f.path).name for f in files] == ["a.yaml"]


def test_file_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    problems = problems_of([tmp_path / "a.yaml"])
    assert len(problems) == 1
    assert "cannot read the file (Too many levels of symbolic links)" in problems[0].message


def test_dangling_symlink(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").symlink_to(tmp_path / "gone.yaml")
    assert "cannot read the file" in only_problem([tmp_path]).message


def test_directory_passed_to_load_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a directory, expected a YAML file"):
        load_file(tmp_path)


# Message helpers


@pytest.mark.parametrize(
    ("word", "choices", "expected"),
    [
        ("EN-GB", LANGUAGES, "en-gb"),
        ("en_GB", LANGUAGES, "en-gb"),
        ("READY_TO_SHIP", CATEGORIES, "READY_TO_SEND"),
        ("ready_to_send", CATEGORIES, "READY_TO_SEND"),
        ("status", ("integration_id", "statuses", "mapping"), "statuses"),
        ("pt-br", LANGUAGES, None),
        ("colour", ("integration_id", "statuses", "mapping"), None),
    ],
)
def test_suggest(word: str, choices: tuple[str, ...], expected: str | None) -> None:
    assert suggest(word, choices) == expected


def test_wrong_case_category_is_reported_once_with_a_suggestion() -> None:
    with pytest.raises(ConfigError) as caught:
        parse(
            "integration_id: 7\nmapping:\n  ready_to_send: null\n  IN_TRANSIT: null\n"
            "  DELIVERED: null\n  CANCEL: null\n",
            "x.yaml",
        )
    (problem,) = caught.value.problems
    assert (problem.line, problem.col) == (3, 3)
    assert "did you mean READY_TO_SEND?" in problem.message


def test_reused_anchor_name_prints_no_warning(capfd: pytest.CaptureFixture[str]) -> None:
    parse("integration_id: &x 7\nstatuses: &x {}\n", "x.yaml")
    assert capfd.readouterr().err == ""
