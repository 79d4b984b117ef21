"""Client lifecycle and concurrency: close twice, closed-client errors, threads, fork."""

from __future__ import annotations

import json
import os
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor

import pytest

from cio import ClientClosedError, CustomerIOClient, CustomerIOError
from cio.models import Track
from tests.reliability._canaries import API_KEY
from tests.reliability._servers import recording_server

pytestmark = pytest.mark.reliability

THREADS = 16
SENDS_PER_THREAD = 25


def _event(seq: int) -> bytes:
    return Track(user_id=f"u{seq % 7}", event="Tick", properties={"seq": seq}).to_json()


def test_closing_twice_is_harmless() -> None:
    client = CustomerIOClient(api_key=API_KEY, base_url="http://127.0.0.1:9/v1")
    client.close()
    client.close()
    assert client.closed


def test_context_manager_closes_and_a_closed_client_says_so() -> None:
    with CustomerIOClient(api_key=API_KEY, base_url="http://127.0.0.1:9/v1") as client:
        pass
    assert client.closed
    with pytest.raises(ClientClosedError) as info:
        client.post("/track", _event(1))
    assert "closed" in str(info.value) and "CustomerIOClient" in str(info.value)
    with pytest.raises(ClientClosedError):
        client.transport.send("/track", _event(1))


def test_context_manager_closes_on_error() -> None:
    with (
        pytest.raises(KeyError),
        CustomerIOClient(api_key=API_KEY, base_url="http://127.0.0.1:9/v1") as client,
    ):
        raise KeyError("boom")
    assert client.closed


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_many_threads_share_one_client_without_loss_or_duplication() -> None:
    with recording_server() as server:
        client = CustomerIOClient(api_key=API_KEY, base_url=server.url)

        def work(thread: int) -> int:
            for index in range(SENDS_PER_THREAD):
                response = client.post("/track", _event(thread * SENDS_PER_THREAD + index))
                assert response.status_code == 200
            return thread

        with client, ThreadPoolExecutor(max_workers=THREADS) as pool:
            assert sorted(pool.map(work, range(THREADS))) == list(range(THREADS))
        bodies = server.bodies
    seqs = sorted(body["properties"]["seq"] for body in bodies)
    assert seqs == list(range(THREADS * SENDS_PER_THREAD))
    assert len({body["messageId"] for body in bodies}) == len(bodies)


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_closing_while_threads_send_gives_only_closed_errors() -> None:
    with recording_server() as server:
        client = CustomerIOClient(api_key=API_KEY, base_url=server.url)
        errors: list[BaseException] = []
        sent: list[int] = []
        started = threading.Barrier(THREADS + 1)

        def work(thread: int) -> None:
            started.wait()
            for index in range(1000):
                try:
                    client.post("/track", _event(thread * 1000 + index))
                    sent.append(thread * 1000 + index)
                except BaseException as exc:
                    errors.append(exc)
                    return

        threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
        for thread in threads:
            thread.start()
        started.wait()
        while len(sent) < THREADS * 5:
            threading.Event().wait(0.005)
        client.close()
        for thread in threads:
            thread.join(timeout=20)
        received = {body["properties"]["seq"] for body in server.bodies}
    assert all(not thread.is_alive() for thread in threads)
    assert len(errors) == THREADS
    assert all(isinstance(error, ClientClosedError) for error in errors), errors
    assert set(sent) <= received  # every send reported as done really arrived


@pytest.mark.slow
@pytest.mark.timeout(60)
@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
def test_forked_child_delivers_over_its_own_connection() -> None:
    with recording_server() as server:
        client = CustomerIOClient(api_key=API_KEY, base_url=server.url, timeout=2.0)
        client.post("/track", _event(0))  # a pooled keep-alive connection now exists
        read_end, write_end = os.pipe()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: fork with threads
            pid = os.fork()
        if pid == 0:  # child: report the outcome through the pipe, then leave at once
            outcome = "ok"
            try:
                for seq in range(1000, 1020):
                    client.post("/track", _event(seq))
            except CustomerIOError as exc:
                outcome = type(exc).__name__
            except BaseException as exc:
                outcome = f"unexpected {type(exc).__name__}"
            os.write(write_end, outcome.encode())
            os._exit(0)
        os.close(write_end)
        _, status = os.waitpid(pid, 0)
        outcome = os.read(read_end, 200).decode()
        os.close(read_end)
        for seq in range(1, 21):
            client.post("/track", _event(seq))
        client.close()
        bodies, ports = server.bodies, server.ports
    assert os.waitstatus_to_exitcode(status) == 0
    assert outcome == "ok"
    seqs = sorted(body["properties"]["seq"] for body in bodies)
    assert seqs == [*range(21), *range(1000, 1020)]
    assert len({json.dumps(body, sort_keys=True) for body in bodies}) == len(bodies)
    parent_port = ports[0]
    child_ports = {
        port for body, port in zip(bodies, ports, strict=True) if body["properties"]["seq"] >= 1000
    }
    assert parent_port not in child_ports, "the child used the parent's socket"
