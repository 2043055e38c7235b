"""README's Python examples run, as doctests, so they cannot drift from the code."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest
from argos_fixture import use_package_dir

README = Path(__file__).resolve().parent.parent / "README.md"
CORPUS = README.parent / "corpus"
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def python_blocks() -> list[tuple[int, str]]:
    """Each ```python block of README with the line it starts on."""
    text = README.read_text(encoding="utf-8")
    return [(text.count("\n", 0, match.start()) + 2, match.group(1))
            for match in PYTHON_BLOCK.finditer(text)]


def test_readme_has_python_examples():
    blocks = python_blocks()
    assert len(blocks) >= 4 and all(">>> " in block for _, block in blocks)


def test_readme_python_examples_run(tmp_path, monkeypatch):
    """The blocks run in order, sharing their names like a notebook, in a folder holding
    corpus/; every output shown must be what the code prints."""
    use_package_dir(monkeypatch, tmp_path / "argos-packages")  # no installed model, as shown
    (tmp_path / "corpus").symlink_to(CORPUS, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    names: dict[str, object] = {}
    for line, block in python_blocks():
        test = parser.get_doctest(block, names, f"README.md:{line}", str(README), line)
        runner.run(test, clear_globs=False)
        names.update(test.globs)  # a DocTest works on a copy of the names it was given
    failed, attempted = runner.summarize(verbose=False)
    assert attempted >= 10
    if failed:
        pytest.fail(f"{failed} of {attempted} README examples failed (see the output above)")
