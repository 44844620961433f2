"""Flyte's pickle example ("Using Flyte Pickle"), on typeflow with the typeflow-pickle plugin.

``People`` is a plain class no transformer claims, so its values cross every
task boundary as cloudpickle blobs (format ``PythonPickle``). A list of them
goes into one pickle file by default, or one per ``BatchSize(n)`` items.

    pip install typeflow typeflow-pickle
    python examples/pickle_people.py

Storage is ``TYPEFLOW_STORAGE`` when set, else a fresh temporary folder (so
the files this run wrote can be counted).
"""

from __future__ import annotations

from typeflow import task, workflow


class People:
    def __init__(self, name):
        self.name = name


@task
def greet(name: str) -> People:
    return People(name)


@workflow
def welcome(name: str) -> People:
    return greet(name=name)


def _storage_files() -> set[str]:
    """Files in this run's storage folder."""
    import os

    root = os.environ["TYPEFLOW_STORAGE"]
    return {os.path.join(d, f) for d, _, files in os.walk(root) for f in files}


if __name__ == "__main__":
    """
    This workflow can be run locally. During local execution also,
    the custom object (People) will be marshalled to and from python pickle.
    """
    import os
    import tempfile

    os.environ.setdefault("TYPEFLOW_STORAGE", tempfile.mkdtemp(prefix="typeflow-pickle-example-"))
    print(f"storage: {os.environ['TYPEFLOW_STORAGE']}")
    before = _storage_files()
    person = welcome(name="Foo")
    made = len(_storage_files() - before)
    print(f"welcome(name='Foo') -> People({person.name!r}); {made} pickle file")


# Flyte's guide imports these here, between its two halves
from typing import Annotated, List  # noqa: E402

from typeflow_pickle import BatchSize  # noqa: E402


@task
def greet_all(names: List[str]) -> Annotated[List[People], BatchSize(2)]:
    return [People(name) for name in names]


@workflow
def welcome_all(names: List[str]) -> Annotated[List[People], BatchSize(2)]:
    return greet_all(names=names)


if __name__ == "__main__":
    """
    In this example, two pickle files will be generated:
    - One containing two People objects
    - One containing one People object
    """
    before = _storage_files()
    people = welcome_all(names=["f", "o", "o"])
    made = len(_storage_files() - before)
    print(f"welcome_all(names=['f', 'o', 'o']) -> {[p.name for p in people]}; {made} pickle files")
