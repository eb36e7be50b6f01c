"""Questions through the app's public /chat API (gradio_client), one client or several at once."""
from __future__ import annotations

import queue
import threading
import time

ERROR_MARK = "something went wrong"  # app.ERROR_REPLY: the engine raised
LEXICAL_MARK = "will be better in a moment"  # app.LEXICAL_NOTE: answered from the records of an index still building
READY_LINE = "[filing-qa] ready to answer"  # the app's output once its finished index answers


def client(url: str, timeout_s: float = 60):
    from gradio_client import Client

    return Client(url, verbose=False, download_files=False, analytics_enabled=False, httpx_kwargs={"timeout": timeout_s})


def _ok(text) -> bool:
    return isinstance(text, str) and bool(text.strip()) and ERROR_MARK not in text


def first_answer(url: str, question: str) -> str:
    return client(url).predict(question, api_name="/chat")


def sequential(url: str, questions: list[str], budget_s: float) -> dict:
    """Each question once, one at a time; stops early (and says so) when the time budget runs out."""
    c = client(url)
    lat, errors = [], 0
    t0 = time.perf_counter()
    for q in questions:
        if time.perf_counter() - t0 > budget_s:
            break
        t = time.perf_counter()
        try:
            ok = _ok(c.predict(q, api_name="/chat"))
        except Exception:  # counted: a failed request is a result here
            ok = False
        lat.append(time.perf_counter() - t)
        errors += int(not ok)
    return {"n": len(lat), "asked": len(questions), "errors": errors, "latencies_s": lat, "seconds": time.perf_counter() - t0}


def concurrent(url: str, questions: list[str], clients: int, timeout_s: float) -> dict:
    """`clients` threads, each with its own client, share a queue of questions; answers per second
    over the wall time from the common start to the last answer."""
    work: queue.Queue = queue.Queue()
    for q in questions:
        work.put(q)
    cs = [client(url) for _ in range(clients)]  # connection set-up stays outside the timed window
    start = threading.Barrier(clients + 1)
    lock = threading.Lock()
    lat: list[float] = []
    errors = [0]
    deadline = [0.0]

    def run(c) -> None:
        start.wait()
        while time.perf_counter() < deadline[0]:
            try:
                q = work.get_nowait()
            except queue.Empty:
                return
            t = time.perf_counter()
            try:
                ok = _ok(c.predict(q, api_name="/chat"))
            except Exception:  # counted as an error
                ok = False
            with lock:
                lat.append(time.perf_counter() - t)
                errors[0] += int(not ok)

    threads = [threading.Thread(target=run, args=(c,), daemon=True) for c in cs]
    for t in threads:
        t.start()
    t0 = time.perf_counter()
    deadline[0] = t0 + timeout_s
    start.wait()
    for t in threads:
        t.join(timeout=max(0.1, deadline[0] + 65 - time.perf_counter()))
    wall = time.perf_counter() - t0
    with lock:
        done = len(lat)
        n_err = errors[0] + (len(questions) - done)  # unanswered by the deadline count as errors
        lat_copy = list(lat)
    return {"clients": clients, "asked": len(questions), "answered": done - errors[0], "errors": n_err, "seconds": wall,
            "answers_per_s": (done - errors[0]) / wall if wall > 0 else 0.0, "latencies_s": lat_copy}
