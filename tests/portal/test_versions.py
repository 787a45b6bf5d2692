"""Version counters: read together once per request, fresh outside one, moved by bump_version."""

from django.core.cache import cache
from django.core.signals import request_finished, request_started

from portal.versions import bump_version, current_version

A, B = "tests:versions:a", "tests:versions:b"


def _in_request(work):
    request_started.send(sender=None)
    try:
        return work()
    finally:
        request_finished.send(sender=None)


def test_a_counter_starts_at_a_random_number_and_bump_moves_it():
    start = current_version(A)
    assert current_version(A) == start
    bump_version(A)
    assert current_version(A) == start + 1
    # Emptied, as by a Redis restart: a new start, not the numbers already used.
    cache.clear()
    assert current_version(A) not in (start, start + 1)
    assert current_version(B) != current_version(A)


def test_outside_a_request_every_read_sees_another_process_move_the_counter():
    start = current_version(A)
    cache.incr(A)  # as another process's bump would
    assert current_version(A) == start + 1


def test_inside_a_request_the_first_read_fetches_every_known_counter_at_once():
    a, b = current_version(A), current_version(B)  # this process now knows both

    def work():
        first = current_version(A)
        cache.set(B, 42, None)  # moved by another process after this request's first read
        return first, current_version(B)

    # B was read with A: the page is rendered against one consistent set of versions.
    assert _in_request(work) == (a, b)
    assert _in_request(lambda: current_version(B)) == 42


def test_a_bump_inside_a_request_is_seen_by_the_rest_of_that_request():
    def work():
        before = current_version(A)
        bump_version(A)
        return before, current_version(A)

    before, after = _in_request(work)
    assert after == before + 1
