"""Two processes creating the same key at the same moment. The key is written whole into a
temporary file and then linked to its name, so neither process fails and both read the same whole key."""
import multiprocessing
import os
import stat

from tests.deploy.key_race import create_in_step

ROUNDS = 200


def test_two_processes_creating_a_key_at_once_both_read_the_same_whole_key(tmp_path):
    spawn = multiprocessing.get_context("spawn")
    barrier, results = spawn.Barrier(2), spawn.Queue()
    racers = [spawn.Process(target=create_in_step, args=(str(tmp_path), ROUNDS, barrier, results)) for _ in range(2)]
    for racer in racers:
        racer.start()
    read = [results.get(timeout=120) for _ in range(2 * ROUNDS)]
    for racer in racers:
        racer.join(30)
    by_round: dict[int, set[str]] = {}
    for number, key in read:
        by_round.setdefault(number, set()).add(key)
    failures = [key for keys in by_round.values() for key in keys if len(key) != 44]  # base64 of 32 bytes
    assert failures == []
    assert all(len(keys) == 1 for keys in by_round.values()), "two processes read different keys"
    assert len(by_round) == ROUNDS
    assert sorted(os.listdir(tmp_path)) == sorted(f"key-{number}" for number in range(ROUNDS))  # no temporary left
    assert {stat.S_IMODE((tmp_path / name).stat().st_mode) for name in os.listdir(tmp_path)} == {0o600}
