"""Benchmark: what hostile input costs Felles, and what the one throttle costs a request.

Prints the CPU seconds and the peak memory of checking each hostile PDF (a page-tree bomb claiming
131,072 pages, a stream that inflates to 300 MB, 100,000 objects, JavaScript), beside a real 25 MB
letter; the CPU of refusing JSON nested 100,000 deep; and throttle hits per second, one after another
and from four threads on one key, with the count checked exactly. Targets: no hostile PDF costs more
than about a second of CPU, deep JSON is refused in milliseconds, a throttle hit costs well under a
millisecond of the request's time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/felles .venv/bin/python bench/hostile_input.py
"""

import argparse
import io
import os
import resource
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from throwaway import bench_database  # noqa: E402 (after the path is set)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def check_pdfs() -> None:
    from django.core.exceptions import ValidationError

    from core.pdf import validate_pdf
    from tests.core import hostile_pdfs

    cases = [
        ("page-tree bomb (2^17 pages, /Count 1)", hostile_pdfs.page_tree_bomb),
        ("stream inflating to 300 MB", hostile_pdfs.inflation_bomb),
        ("100,000 objects", lambda: hostile_pdfs.many_objects(100_000)),
        ("JavaScript on open", hostile_pdfs.with_javascript),
        ("a real 25 MB letter", lambda: hostile_pdfs.large_pdf(25)),
    ]
    print(f"{'PDF':40} {'size':>10} {'CPU s':>7} {'peak MB':>8}  answer")
    for label, make in cases:
        content = make()
        started = time.process_time()
        try:
            pages = validate_pdf(content, "brev.pdf")
            answer = f"accepted, {pages} page(s)"
        except ValidationError as error:
            answer = f"refused: {error.messages[0][:60]}"
        cpu = time.process_time() - started
        print(f"{label:40} {len(content):>10,} {cpu:>7.3f} {peak_mb():>8.0f}  {answer}")


def check_json(depth: int) -> None:
    from rest_framework.exceptions import ParseError

    from core.api_parsers import JSONParser

    body = b"[" * depth + b"]" * depth
    started = time.process_time()
    try:
        JSONParser().parse(io.BytesIO(body), parser_context={})
        answer = "parsed"
    except ParseError:
        answer = "refused (400 problem)"
    print(f"JSON nested {depth:,} deep: {answer} in {(time.process_time() - started) * 1000:.2f} ms of CPU")


def check_throttle(hits: int, threads: int) -> None:
    from django.db import connection

    from core import throttle
    from core.models import ThrottleCounter

    rate = throttle.Rate(limit=hits // 2, seconds=3600)
    started = time.perf_counter()
    for n in range(hits):
        throttle.hit("bench", f"key-{n % 100}", rate)
    elapsed = time.perf_counter() - started
    print(f"throttle, one thread: {hits / elapsed:,.0f} hits/s ({elapsed / hits * 1000:.3f} ms a hit)")

    allowed = []
    barrier = threading.Barrier(threads)

    def worker():
        try:
            barrier.wait()
            allowed.append(sum(throttle.hit("bench", "one-key", rate) for _ in range(hits // threads)))
        finally:
            connection.close()

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    started = time.perf_counter()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - started
    counted = ThrottleCounter.objects.order_by("-count").first().count  # the one key has the most
    print(
        f"throttle, {threads} threads on one key: {hits / elapsed:,.0f} hits/s; counted {counted} of "
        f"{hits // threads * threads}, allowed {sum(allowed)} of limit {rate.limit}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hits", type=int, default=4000)
    parser.add_argument("--threads", type=int, default=4)
    arguments = parser.parse_args()
    with bench_database("hostile") as connection:
        print(f"database: {connection.vendor}")
        check_pdfs()
        check_json(100_000)
        if connection.vendor == "sqlite":
            print("throttle: run on PostgreSQL (DATABASE_URL) for the concurrent figures")
            check_throttle(arguments.hits, 1)
        else:
            check_throttle(arguments.hits, arguments.threads)


if __name__ == "__main__":
    main()
