"""Benchmark: seed N synthetic persons into an empty register and print persons per second.

Target: 1,000,000 persons on PostgreSQL in under 3 minutes on a 2-core machine.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/felles_bench .venv/bin/python bench/seed_population.py --count 1000000

It creates (and afterwards drops) its own database `<name>_bench_seed` next to the
one DATABASE_URL names, so it never touches real data.
"""

import argparse
import os
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()

    from throwaway import bench_database

    with bench_database("seed") as connection:
        from core.progress import progress
        from folkeregister.seeding import seed_population

        bar = progress(arguments.count, description="Seeding", unit="persons")
        started = time.perf_counter()
        with bar:
            seed_population(arguments.count, seed=arguments.seed, on_progress=bar.update)
        elapsed = time.perf_counter() - started
    print(f"database: {connection.vendor}")
    print(f"persons: {arguments.count}")
    print(f"seconds: {elapsed:.1f}")
    print(f"persons per second: {arguments.count / elapsed:,.0f}")


if __name__ == "__main__":
    main()
