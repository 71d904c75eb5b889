"""Every ```python block of README.md runs, and prints what the README shows.

Blocks written as a session (``>>>`` prompts) run as doctests, in order and sharing one namespace
(the README reads as one session); any other ```python block runs as a script in that namespace.
"""

from __future__ import annotations

import doctest
import pathlib
import re

import pytest

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
_BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```", re.M | re.S)


def python_blocks(text: str | None = None) -> list[tuple[int, str]]:
    """``(line number, source)`` of every ```python block of the README."""
    text = README.read_text() if text is None else text
    return [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in _BLOCK.finditer(text)]


def test_the_readme_has_python_examples():
    blocks = python_blocks()
    assert len(blocks) >= 4
    assert sum(src.count(">>> ") for _, src in blocks) >= 25


def test_block_extraction():
    text = "intro\n```python\n>>> 1 + 1\n2\n```\n```bash\nls\n```\n```python\nx = 3\n```\n"
    assert python_blocks(text) == [(2, ">>> 1 + 1\n2\n"), (9, "x = 3\n")]


def test_readme_examples(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)          # an example that writes a file writes it here
    globs: dict = {"__name__": "readme"}
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    attempted = 0
    for line, src in python_blocks():
        if ">>>" in src:
            test = parser.get_doctest(src, globs, f"README.md:{line}", str(README), line)
            runner.run(test, clear_globs=False)
            globs.update(test.globs)     # the next block sees this block's names
            attempted += len(test.examples)
        else:
            exec(compile(src, f"README.md:{line}", "exec"), globs)
            attempted += 1
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {attempted} README examples failed (see the output above)"


if __name__ == "__main__":
    pytest.main([__file__, "-q"])
