"""The notebooks: committed files follow the standards, and each runs against the sandbox.

The fast tests read the committed ``notebooks/*.ipynb``; the slow ones execute each
notebook in a fresh kernel with ``CIO_*`` variables removed, so it starts a sandbox, and
then ask the kernel how many messages the sandbox received. The selected notebooks run
a few at a time in parallel, each in its own kernel and sandbox.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from tests.notebooks import nbtool

NAMES = nbtool.NOTEBOOK_NAMES


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_matches_its_source(name: str) -> None:
    built = nbtool.cell_sources(nbtool.build(name))
    assert nbtool.cell_sources(nbtool.committed(name)) == built, (
        f"notebooks/{name}.ipynb is stale: run `make notebooks`"
    )


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_follows_the_standards(name: str) -> None:
    notebook = nbtool.committed(name)
    problems = nbtool.structure_problems(notebook) + nbtool.text_problems(notebook)
    assert problems == []


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_has_clean_outputs_of_a_run(name: str) -> None:
    assert nbtool.output_problems(nbtool.committed(name)) == []


EXECUTION_TEST = "test_notebook_runs_against_the_sandbox"
PARALLEL_KERNELS = 4


@pytest.fixture(scope="module")
def executions(request: pytest.FixtureRequest) -> Iterator[dict[str, Future[nbtool.Execution]]]:
    """Start executing every selected notebook at once; kernel start-up dominates."""
    selected = [
        item.callspec.params["name"]
        for item in request.session.items
        if getattr(item, "originalname", None) == EXECUTION_TEST
    ]
    with ThreadPoolExecutor(PARALLEL_KERNELS) as pool:
        futures = {name: pool.submit(nbtool.execute, nbtool.build(name)) for name in selected}
        yield futures
        for future in futures.values():
            future.cancel()


@pytest.mark.slow
@pytest.mark.notebooks
@pytest.mark.timeout(nbtool.NOTEBOOK_TIMEOUT_SECONDS * len(NAMES))
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_against_the_sandbox(
    name: str, executions: dict[str, Future[nbtool.Execution]]
) -> None:
    execution = executions[name].result()
    problems = nbtool.output_problems(execution.notebook, [execution.probe.api_key or ""])
    problems += nbtool.text_problems(execution.notebook)
    problems += nbtool.probe_problems(execution.probe)
    assert problems == []
    assert execution.seconds < nbtool.NOTEBOOK_TIMEOUT_SECONDS
