"""The one reader and the one writer of user files, and the bounded JSON parser."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reconciler.errors import FileRefused
from reconciler.files import FileChanged, read_user_file, write_atomically
from reconciler.jsondoc import TooDeepError, load_json


def test_a_device_is_not_read(tmp_path: Path) -> None:
    with pytest.raises(FileRefused, match="is a character device, not a regular file"):
        read_user_file("/dev/zero", limit=10, root=Path("/dev"))


def test_a_file_over_the_limit_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "big"
    path.write_bytes(b"x" * 11)
    assert read_user_file(path, limit=11) == b"x" * 11
    with pytest.raises(FileRefused, match="larger than 10 bytes"):
        read_user_file(path, limit=10)


def test_the_write_checks_the_bytes_just_before_replacing(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"edited by someone else")
    with pytest.raises(FileChanged, match="changed on disk since it was read"):
        write_atomically(path, "new", expected=b"what was read")
    assert path.read_bytes() == b"edited by someone else"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml"]  # no temporary file left
    write_atomically(path, "new", expected=b"edited by someone else")
    assert path.read_text() == "new"


def test_a_write_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("old")
    path.chmod(0o640)
    write_atomically(path, "new")
    assert (path.stat().st_mode & 0o777, path.read_text()) == (0o640, "new")


def test_a_write_over_a_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").mkdir()
    with pytest.raises(FileRefused, match="is a directory, not a regular file"):
        write_atomically(tmp_path / "a.yaml", "x")


def test_a_write_that_cannot_be_made_says_so(tmp_path: Path) -> None:
    with pytest.raises(FileRefused, match="cannot write the file"):
        write_atomically(tmp_path / "missing" / "a.yaml", "x")


@pytest.mark.parametrize("depth", [33, 1000, 100_000])
def test_json_nested_too_deep_is_a_value_error(depth: int) -> None:
    with pytest.raises(TooDeepError, match="nested more than 32 levels deep"):
        load_json("[" * depth + "]" * depth)


def test_json_within_the_depth_and_not_json_at_all() -> None:
    expected: list[object] = []
    for _ in range(31):
        expected = [expected]
    assert load_json("[" * 32 + "]" * 32) == expected
    with pytest.raises(ValueError, match="not valid JSON"):
        load_json(b"<html>")
    with pytest.raises(ValueError, match="not UTF-8"):
        load_json(b'"\xff"')


def test_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(FileRefused, match="FIFO"):
        read_user_file(tmp_path / "pipe", limit=10)
