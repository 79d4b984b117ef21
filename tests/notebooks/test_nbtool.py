"""The mechanical notebook checks catch what they claim to catch."""

from __future__ import annotations

import nbformat
import pytest

from tests.notebooks import nbtool

GOOD = """\
# %% [markdown]
# # A title
# After running this notebook you can do one thing.
#
# ## Requirements
# Nothing beyond cio.
# Data files: none.

# %% [markdown]
# Import and connect.

# %%
import cio.notebook
conn = cio.notebook.connect()

# %% [markdown]
# Send one message.

# %%
EXPECTED_MESSAGES = 1

# %% [markdown]
# Check the count.

# %%
conn.check_received(EXPECTED_MESSAGES)
"""


def problems_of(source: str) -> list[str]:
    return nbtool.structure_problems(nbtool.parse_source(source))


def test_parse_source_splits_cells_and_strips_comment_markers() -> None:
    notebook = nbtool.parse_source(GOOD)
    kinds = [cell.cell_type for cell in notebook.cells]
    assert kinds == ["markdown", "markdown", "code", "markdown", "code", "markdown", "code"]
    assert notebook.cells[0].source.splitlines()[0] == "# A title"
    assert notebook.cells[0].source.splitlines()[2] == ""
    assert notebook.cells[2].source == "import cio.notebook\nconn = cio.notebook.connect()"


def test_a_good_notebook_has_no_problems() -> None:
    assert problems_of(GOOD) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("# # A title", "# ## A title", "H1 title"),
        ("# After running this notebook you can do one thing.", "# Hello.", "purpose"),
        ("# Send one message.", "# # Second title", "exactly one H1"),
        ("# Data files: none.", "# none.", "Data files:"),
        ("# Send one message.", "# Send one message. Then stop.", "one sentence"),
        ("conn = cio.notebook.connect()", "conn = None", "set-up"),
        ("EXPECTED_MESSAGES = 1", "import os\nEXPECTED_MESSAGES = 1", "imports belong"),
        ("# %% [markdown]\n# Check the count.\n", "", "markdown cell must say"),
        ("conn.check_received(EXPECTED_MESSAGES)", "print(1)", "sandbox count"),
        (
            "EXPECTED_MESSAGES = 1",
            'client = X(api_key="abc")\nEXPECTED_MESSAGES = 1',
            "credentials",
        ),
        ("EXPECTED_MESSAGES = 1", "EXPECTED_MESSAGES = 1\nax.plot(x, y)", "set_title"),
        (
            "EXPECTED_MESSAGES = 1",
            "ax.plot(x, y)\nax.bar(x, y)\nax.set_title('t')\nax.set_xlabel('x')\n"
            "ax.set_ylabel('y')\nEXPECTED_MESSAGES = 1",
            "legend",
        ),
    ],
)
def test_each_rule_is_enforced(old: str, new: str, expected: str) -> None:
    assert old in GOOD
    problems = problems_of(GOOD.replace(old, new, 1))
    assert any(expected in problem for problem in problems), problems


def test_long_cells_need_a_stated_reason() -> None:
    long_body = "\n".join(f"x{i} = {i}" for i in range(nbtool.MAX_CODE_LINES + 1))
    source = GOOD.replace("EXPECTED_MESSAGES = 1", long_body + "\nEXPECTED_MESSAGES = 1")
    assert any("lines" in problem for problem in problems_of(source))
    marked = source.replace("# Send one message.", "# Send one message.\n# (Longer cell: a table.)")
    assert problems_of(marked) == []


def test_text_checks_find_emojis_real_emails_and_paths() -> None:
    notebook = nbtool.parse_source(GOOD.replace("do one thing", "mail ada@gmail.com \U0001f600"))
    problems = nbtool.text_problems(notebook)
    assert any("emoji" in problem for problem in problems)
    assert any("email" in problem for problem in problems)
    fine = nbtool.parse_source(GOOD.replace("do one thing", "mail ada@example.com"))
    assert nbtool.text_problems(fine) == []
    cell = fine.cells[2]
    cell.outputs = [nbformat.v4.new_output("stream", text=f"{nbtool.REPO_ROOT}/x\n")]
    assert any("absolute path" in problem for problem in nbtool.text_problems(fine))


def test_output_checks_find_errors_warnings_keys_and_unexecuted_cells() -> None:
    notebook = nbtool.parse_source(GOOD)
    assert any("not executed" in problem for problem in nbtool.output_problems(notebook))
    for number, cell in enumerate(c for c in notebook.cells if c.cell_type == "code"):
        cell.execution_count = number + 1
    assert nbtool.output_problems(notebook) == []
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    code[0].outputs = [nbformat.v4.new_output("error", ename="X", evalue="", traceback=[])]
    code[1].outputs = [nbformat.v4.new_output("stream", name="stderr", text="UserWarning: x")]
    code[2].outputs = [nbformat.v4.new_output("stream", text="key sekret-123\n")]
    problems = nbtool.output_problems(notebook, ["sekret-123"])
    assert len(problems) == 3, problems


def test_probe_problems_compare_counts() -> None:
    assert nbtool.probe_problems(nbtool.Probe("sandbox", 3, 3, "k")) == []
    assert nbtool.probe_problems(nbtool.Probe("sandbox", 2, 3, "k"))
    assert nbtool.probe_problems(nbtool.Probe("sandbox", 0, 0, "k"))
    assert nbtool.probe_problems(nbtool.Probe("api", None, 3, None))
