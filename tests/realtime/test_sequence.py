"""The per-socket sequence logic (realtime/sequence.py), alone: duplicates
dropped, gaps noticed, replays and re-reads recorded."""

from realtime.sequence import DROP, GAP, SEND, Sequence


def test_gap_free_ids_are_sent_in_order_once():
    sequence = Sequence()
    assert [sequence.offer(seq) for seq in (1, 2, 2, 1, 3)] == [SEND, SEND, DROP, DROP, SEND]
    assert sequence.last_id == 3


def test_a_jump_is_a_gap_and_records_nothing_until_it_is_read_back():
    sequence = Sequence()
    sequence.joined(5)
    assert sequence.offer(8) == GAP
    assert sequence.last_id == 5
    sequence.caught_up(7)  # the re-read sent 6 and 7
    assert sequence.offer(8) == SEND and sequence.last_id == 8


def test_a_re_read_that_reached_past_the_event_drops_it():
    sequence = Sequence()
    sequence.joined(5)
    assert sequence.offer(7) == GAP
    sequence.caught_up(9)
    assert sequence.offer(7) == DROP


def test_caught_up_never_moves_back():
    sequence = Sequence()
    sequence.joined(10)
    sequence.caught_up(4)
    assert sequence.last_id == 10


def test_events_without_an_id_are_always_sent():
    sequence = Sequence()
    assert [sequence.offer(None) for _ in range(3)] == [SEND, SEND, SEND]
    assert sequence.last_id == 0


def test_ids_that_are_not_gap_free_drop_only_repeats():
    sequence = Sequence(contiguous=False)
    sequence.joined(40, [12, 40])
    assert [sequence.offer(seq) for seq in (40, 12, 97, 55, 97)] == [DROP, DROP, SEND, SEND, DROP]
