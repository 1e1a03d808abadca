"""One of two processes that create the same keys at the same moment, round after round (test_key_race.py)."""
from base64 import b64encode
from pathlib import Path

from registry.keys import create_secret_file


def create_in_step(folder: str, rounds: int, barrier, results) -> None:
    """Each round, wait for the other process, then create (or read) the key of that round; report what was read
    (or the error)."""
    for number in range(rounds):
        barrier.wait()
        try:
            results.put((number, b64encode(create_secret_file(Path(folder) / f"key-{number}")).decode()))
        except Exception as error:  # reported to the test, which fails on it
            results.put((number, f"{type(error).__name__}: {error}"))
