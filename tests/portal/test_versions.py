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


def test_a_counter_starts_at_one_and_bump_moves_it():
    assert current_version(A) == 1
    bump_version(A)
    assert current_version(A) == 2


def test_outside_a_request_every_read_sees_another_process_move_the_counter():
    current_version(A)
    cache.incr(A)  # as another process's bump would
    assert current_version(A) == 2


def test_inside_a_request_the_first_read_fetches_every_known_counter_at_once():
    current_version(A), current_version(B)  # this process now knows both

    def work():
        first = current_version(A)
        cache.set(B, 42, None)  # moved by another process after this request's first read
        return first, current_version(B)

    # B was read with A: the page is rendered against one consistent set of versions.
    assert _in_request(work) == (1, 1)
    assert _in_request(lambda: current_version(B)) == 42


def test_a_bump_inside_a_request_is_seen_by_the_rest_of_that_request():
    def work():
        before = current_version(A)
        bump_version(A)
        return before, current_version(A)

    assert _in_request(work) == (1, 2)
