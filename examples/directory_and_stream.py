"""A directory and a stream through a two-task workflow.

The first task writes a folder of CSV files and returns it as a
``Directory``; typeflow uploads it to storage (a few files at a time, as
``BatchSize`` says). The second task takes the directory (downloaded only
when it opens it) and streams one record per row back: ``Iterator[Row]`` is
written in batch files as the generator yields, and the workflow's caller
reads it lazily, a batch at a time.

    python examples/directory_and_stream.py
    TYPEFLOW_STORAGE=s3://bucket/prefix python examples/directory_and_stream.py   # with typeflow[s3]
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from typeflow import BatchSize, task, workflow
from typeflow.types import Directory

#: a directory of CSV files; an alias keeps the format a plain string (tools that unquote
#: annotations would turn Directory["csv"] written in one into Directory[csv])
CSVDirectory = Directory["csv"]


@dataclass
class Row:
    city: str
    day: int
    temperature: float


@task
def measure(cities: list[str], days: int) -> Annotated[CSVDirectory, BatchSize(4)]:
    """One CSV file per city, in a folder per hemisphere: nested paths travel with the directory."""
    root = tempfile.mkdtemp(prefix="measurements-")
    for i, city in enumerate(cities):
        folder = os.path.join(root, "north" if i % 2 else "south")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"{city}.csv"), "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["day", "temperature"])
            for day in range(days):
                writer.writerow([day, round(10 + i + day * 0.1, 1)])
    return CSVDirectory(root)


@task
def rows(measurements: CSVDirectory) -> Annotated[Iterator[Row], BatchSize(500)]:
    """Stream every row of every file: nothing holds more than one batch of rows."""
    for _, relpath in sorted(measurements.crawl()):  # listing downloads nothing
        city = os.path.splitext(os.path.basename(relpath))[0]
        with open(measurements / relpath, newline="") as f:  # the first `/` downloads the directory
            for record in csv.DictReader(f):
                yield Row(city, int(record["day"]), float(record["temperature"]))


@workflow
def pipeline(cities: list[str], days: int) -> Iterator[Row]:
    return rows(measurements=measure(cities=cities, days=days))


if __name__ == "__main__":
    cities = ["oslo", "lima", "pune", "kyiv", "rome", "oaxaca"]
    stream = pipeline(cities=cities, days=365)
    first = next(stream)
    print(f"first row: {first}")
    count, hottest = 1, first
    for row in stream:
        count += 1
        hottest = max(hottest, row, key=lambda r: r.temperature)
    print(f"streamed {count} rows of {len(cities)} cities; hottest: {hottest.city} on day {hottest.day}")
