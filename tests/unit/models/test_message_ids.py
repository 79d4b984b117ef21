"""messageIds are valid UUID4 strings, unique across threads and across fork()."""

from __future__ import annotations

import os
import threading
import uuid

import pytest

from cio.models import Track, new_message_id


def test_ids_are_uuid4_and_unique() -> None:
    ids = [new_message_id() for _ in range(3000)]
    assert len(set(ids)) == len(ids)
    for value in ids[:300]:
        parsed = uuid.UUID(value)
        assert parsed.version == 4 and str(parsed) == value
        assert parsed.variant == uuid.RFC_4122


def test_each_message_gets_its_own_id() -> None:
    first, second = Track(user_id="u", event="e"), Track(user_id="u", event="e")
    assert first.message_id != second.message_id


def test_threads_never_share_ids() -> None:
    results: list[list[str]] = []

    def work() -> None:
        results.append([new_message_id() for _ in range(600)])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [value for chunk in results for value in chunk]
    assert len(set(every)) == len(every) == 2400


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_does_not_repeat_the_parents_ids() -> None:
    new_message_id()  # the parent now holds a block of unused random digits
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its next ids and leave at once
        os.close(read_end)
        os.write(write_end, ",".join(new_message_id() for _ in range(5)).encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        child_ids = set(pipe.read().split(","))
    os.waitpid(pid, 0)
    parent_ids = {new_message_id() for _ in range(5)}
    assert len(child_ids) == 5
    assert not child_ids & parent_ids
