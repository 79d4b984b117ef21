"""Build, execute and check the notebooks.

The notebooks are written as percent-format sources in ``notebooks/_build/`` (easy to
review and diff) and turned into ``notebooks/*.ipynb`` with outputs from a sandbox run.

``make notebooks`` runs ``python -m tests.notebooks.nbtool``: build every notebook from
its source, execute it against the local sandbox (``CIO_*`` variables removed, working
directory ``notebooks/``), check it against the notebook standards, and save it.
``tests/notebooks/`` uses the same functions to execute and check the committed files.

Source format: a line ``# %% [markdown]`` starts a markdown cell whose lines are written
as comments (``# text``); a line ``# %%`` starts a code cell.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat import NotebookNode

REPO_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = REPO_ROOT / "notebooks"
SOURCE_DIR = NOTEBOOK_DIR / "_build"
NOTEBOOK_NAMES = (
    "00_setup_and_configuration",
    "01_people_management",
    "02_event_tracking",
    "03_objects_and_relationships",
    "04_device_management",
    "05_batch_operations",
    "06_semantic_events",
    "07_complete_workflows",
    "08_columnar_and_sql",
    "09_incremental_sync",
    "10_spark",
)
KERNEL_NAME = "python3"
NOTEBOOK_TIMEOUT_SECONDS = 60
CELL_TIMEOUT_SECONDS = 60
NBFORMAT_VERSION = 4

MARKDOWN_MARKER = "# %% [markdown]"
CODE_MARKER = "# %%"
MAX_CODE_LINES = 15
LONGER_CELL_MARKER = "(Longer cell:"
PURPOSE_PATTERN = re.compile(r"after running this notebook you (can|will be able to)", re.I)
REQUIREMENTS_HEADING = "## Requirements"
DATA_FILES_LABEL = "Data files:"
SETUP_CALL = "connect("
SETUP_CELL_LIMIT = 3
CONNECTION_NAME = "conn"
EXPECTED_NAME = "EXPECTED_MESSAGES"
CHECK_CALL = f"{CONNECTION_NAME}.check_received({EXPECTED_NAME})"
PLOT_CALLS = (".plot(", ".bar(", ".barh(", ".scatter(", ".hist(", ".step(")
PLOT_LABELS = (".set_title(", ".set_xlabel(", ".set_ylabel(")
LEGEND_CALL = ".legend("

SECOND_SENTENCE = re.compile(r"[a-z0-9)`\"'][.!?] +[A-Z]")
IMPORT_LINE = re.compile(r"^\s*(import|from)\s+\S+", re.M)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+\.)+[A-Za-z]{2,}")
ALLOWED_EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U0001f1e6-\U0001f1ff\U00002b50\U00002b55\ufe0f]"
)
KEY_ASSIGNMENT = re.compile(r"(api_key\s*=\s*[\"'])|(CIO_API_KEY\s*[\"']?\s*\]?\s*=\s*[\"'])")
STDERR_PROBLEMS = ("Traceback", "Warning")

PROBE_SOURCE = f"""\
import json as _probe_json
print(_probe_json.dumps({{
    "mode": {CONNECTION_NAME}.mode,
    "received": {CONNECTION_NAME}.received_count(),
    "expected": {EXPECTED_NAME},
    "api_key": {CONNECTION_NAME}.sandbox.api_key if {CONNECTION_NAME}.sandbox else None,
}}))
"""


@dataclass(frozen=True)
class Probe:
    """What the kernel reported after the notebook ran."""

    mode: str
    received: int | None
    expected: int
    api_key: str | None


@dataclass(frozen=True)
class Execution:
    """An executed notebook with the probe's report and the wall time."""

    notebook: NotebookNode
    probe: Probe
    seconds: float


# Building ------------------------------------------------------------------------------


def parse_source(text: str) -> NotebookNode:
    """Turn percent-format source text into a notebook without outputs."""
    notebook = nbformat.v4.new_notebook()
    cells: list[NotebookNode] = []
    kind: str | None = None
    lines: list[str] = []

    def flush() -> None:
        if kind is None:
            return
        body = "\n".join(lines).strip("\n")
        if kind == "markdown":
            cells.append(nbformat.v4.new_markdown_cell(body))
        else:
            cells.append(nbformat.v4.new_code_cell(body))

    for line in text.splitlines():
        if line.strip() == MARKDOWN_MARKER:
            flush()
            kind, lines = "markdown", []
        elif line.strip() == CODE_MARKER:
            flush()
            kind, lines = "code", []
        elif kind == "markdown":
            lines.append(re.sub(r"^# ?", "", line))
        elif kind == "code":
            lines.append(line)
    flush()
    for number, cell in enumerate(cells):
        cell.id = f"cell-{number:03d}"  # stable ids keep re-runs from rewriting every cell
    notebook.cells = cells
    notebook.metadata["kernelspec"] = {
        "name": KERNEL_NAME,
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def build(name: str) -> NotebookNode:
    """Build the notebook ``name`` from ``notebooks/_build/<name>.py``."""
    return parse_source((SOURCE_DIR / f"{name}.py").read_text(encoding="utf-8"))


def cell_sources(notebook: NotebookNode) -> list[tuple[str, str]]:
    """The (cell type, source) pairs of a notebook."""
    return [(cell.cell_type, cell.source) for cell in notebook.cells]


def committed(name: str) -> NotebookNode:
    """Read the committed ``notebooks/<name>.ipynb``."""
    return nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=NBFORMAT_VERSION)


# Executing -----------------------------------------------------------------------------


def sandbox_environment() -> dict[str, str]:
    """The environment for the kernel: ours without any ``CIO_*`` variable."""
    return {key: value for key, value in os.environ.items() if not key.startswith("CIO_")}


def execute(notebook: NotebookNode) -> Execution:
    """Execute a copy of ``notebook`` against the sandbox and probe the kernel at the end.

    The probe cell is removed again; the returned notebook has the outputs of the run.
    """
    run = nbformat.from_dict(json.loads(json.dumps(notebook)))
    for cell in run.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    run.cells.append(nbformat.v4.new_code_cell(PROBE_SOURCE))
    client = NotebookClient(
        run,
        timeout=CELL_TIMEOUT_SECONDS,
        kernel_name=KERNEL_NAME,
        record_timing=False,
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    started = time.monotonic()
    # asyncio.run owns and closes its event loop, so this also works from worker threads.
    asyncio.run(client.async_execute(env=sandbox_environment()))
    seconds = time.monotonic() - started
    probe_cell = run.cells.pop()
    report = json.loads(_text_of(probe_cell.outputs).strip().splitlines()[-1])
    return Execution(notebook=run, probe=Probe(**report), seconds=seconds)


def _text_of(outputs: Iterable[NotebookNode]) -> str:
    parts: list[str] = []
    for output in outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type in {"execute_result", "display_data"}:
            data = output.get("data", {})
            parts.extend(str(value) for key, value in data.items() if key.startswith("text/"))
        elif output.output_type == "error":
            parts.append("\n".join(output.traceback))
    return "".join(parts)


# Checking ------------------------------------------------------------------------------


def _markdown_before(notebook: NotebookNode, index: int) -> str:
    if index > 0 and notebook.cells[index - 1].cell_type == "markdown":
        return str(notebook.cells[index - 1].source)
    return ""


def structure_problems(notebook: NotebookNode) -> list[str]:
    """Problems with the notebook's sources against the notebook standards."""
    problems: list[str] = []
    cells = notebook.cells
    if not cells or cells[0].cell_type != "markdown":
        return ["the first cell must be markdown with the title"]
    first_lines = [line for line in cells[0].source.splitlines() if line.strip()]
    if not first_lines or not re.match(r"^# \S", first_lines[0]):
        problems.append("the first line must be the H1 title")
    if len(first_lines) < 2 or not PURPOSE_PATTERN.search(first_lines[1]):
        problems.append("a purpose statement ('After running this notebook you can ...') follows")
    h1_count = sum(
        1
        for cell in cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if re.match(r"^# \S", line)
    )
    if h1_count != 1:
        problems.append(f"exactly one H1 title is allowed, found {h1_count}")
    for number, cell in enumerate(cells, start=1):
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if not line.startswith(("#", "|")) and SECOND_SENTENCE.search(line):
                problems.append(f"cell {number}: one sentence per markdown line")
    code_indexes = [i for i, cell in enumerate(cells) if cell.cell_type == "code"]
    if not code_indexes:
        return [*problems, "the notebook has no code"]
    preamble = "\n".join(c.source for c in cells[: code_indexes[0]] if c.cell_type == "markdown")
    if REQUIREMENTS_HEADING not in preamble or DATA_FILES_LABEL not in preamble:
        problems.append(
            f"requirements ('{REQUIREMENTS_HEADING}') and '{DATA_FILES_LABEL}' must be "
            "stated before the first code cell"
        )
    problems.extend(_code_cell_problems(notebook, code_indexes))
    return problems


def _code_cell_problems(notebook: NotebookNode, code_indexes: Sequence[int]) -> list[str]:
    problems: list[str] = []
    cells = notebook.cells
    setup = code_indexes[:SETUP_CELL_LIMIT]
    if not any(SETUP_CALL in cells[i].source for i in setup):
        problems.append(f"the client set-up ({SETUP_CALL}...) belongs in the first code cells")
    setup_done = False
    for position, index in enumerate(code_indexes):
        source: str = cells[index].source
        label = f"code cell {position + 1}"
        if setup_done and IMPORT_LINE.search(source):
            problems.append(f"{label}: imports belong in the first code cells, before set-up")
        setup_done = setup_done or SETUP_CALL in source
        markdown = _markdown_before(notebook, index)
        if not markdown.strip():
            problems.append(f"{label}: a markdown cell must say what it does and why")
        lines = source.splitlines()
        if len(lines) > MAX_CODE_LINES and LONGER_CELL_MARKER not in markdown:
            problems.append(
                f"{label}: {len(lines)} lines (at most {MAX_CODE_LINES} unless the markdown "
                f"before it states a reason with '{LONGER_CELL_MARKER} ...)')"
            )
        if KEY_ASSIGNMENT.search(source):
            problems.append(f"{label}: credentials come from the environment or .env only")
        problems.extend(f"{label}: {problem}" for problem in _plot_problems(source))
    last_code = [cells[i].source for i in code_indexes[-2:]]
    if not any(CHECK_CALL in source for source in last_code):
        problems.append(f"the notebook must end by checking the sandbox count: {CHECK_CALL}")
    return problems


def _plot_problems(source: str) -> list[str]:
    series = sum(source.count(call) for call in PLOT_CALLS)
    if not series:
        return []
    problems = [f"a plot needs {label}...)" for label in PLOT_LABELS if label not in source]
    if series > 1 and LEGEND_CALL not in source:
        problems.append("a plot with more than one series needs a legend")
    return problems


def text_problems(notebook: NotebookNode) -> list[str]:
    """Emojis and personal data in sources and outputs; absolute paths in outputs."""
    problems: list[str] = []
    for number, cell in enumerate(notebook.cells, start=1):
        outputs = _text_of(cell.get("outputs", []))
        for where, text in (("source", cell.source), ("output", outputs)):
            if EMOJI.search(text):
                problems.append(f"cell {number} {where}: contains an emoji")
            for match in EMAIL.finditer(text):
                domain = match.group(0).rsplit("@", 1)[1].lower()
                if not domain.endswith(ALLOWED_EMAIL_DOMAINS):
                    problems.append(f"cell {number} {where}: an email outside example domains")
        if str(REPO_ROOT) in outputs or str(Path.home()) + os.sep in outputs:
            problems.append(f"cell {number} output: contains an absolute path")
    return problems


def output_problems(notebook: NotebookNode, secrets: Iterable[str] = ()) -> list[str]:
    """Errors, warnings and secrets in a notebook's outputs; cells left unexecuted."""
    problems: list[str] = []
    needles = [secret for secret in secrets if secret]
    needles += [base64.b64encode(f"{secret}:".encode()).decode() for secret in needles]
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code":
            continue
        if cell.execution_count is None:
            problems.append(f"cell {number}: not executed")
        for output in cell.outputs:
            if output.output_type == "error":
                problems.append(f"cell {number}: error output {output.ename}")
            if output.output_type == "stream" and output.name == "stderr":
                found = [word for word in STDERR_PROBLEMS if word in output.text]
                if found:
                    problems.append(f"cell {number}: stderr shows {', '.join(found)}")
        text = _text_of(cell.outputs)
        if any(needle in text for needle in needles):
            problems.append(f"cell {number}: an API key appears in the output")
    return problems


def probe_problems(probe: Probe) -> list[str]:
    """Whether the sandbox received what the notebook says it sent."""
    if probe.mode != "sandbox":
        return [f"the notebook ran in {probe.mode!r} mode, not against the sandbox"]
    if probe.received != probe.expected:
        return [
            f"the sandbox received {probe.received} messages, notebook expected {probe.expected}"
        ]
    if probe.expected <= 0:
        return ["the notebook sent nothing"]
    return []


# Command line --------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Build, execute, check and save the notebooks (``make notebooks``)."""
    parser = argparse.ArgumentParser(prog="python -m tests.notebooks.nbtool")
    parser.add_argument("names", nargs="*", help="notebooks to build (default: all)")
    args = parser.parse_args(argv)
    names: list[str] = args.names or list(NOTEBOOK_NAMES)
    failed = 0
    for name in names:
        notebook = build(name)
        problems = structure_problems(notebook)
        try:
            execution = execute(notebook)
        except CellExecutionError as error:
            print(f"{name}: FAILED to execute\n{error}")
            failed += 1
            continue
        problems += text_problems(execution.notebook)
        problems += output_problems(execution.notebook, [execution.probe.api_key or ""])
        problems += probe_problems(execution.probe)
        nbformat.write(execution.notebook, NOTEBOOK_DIR / f"{name}.ipynb")
        status = "ok" if not problems else "PROBLEMS"
        print(f"{name}: {status} ({execution.seconds:.1f} s)")
        for problem in problems:
            print(f"  - {problem}")
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
