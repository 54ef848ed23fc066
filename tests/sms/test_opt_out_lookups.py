"""Reading a number's opt-out: only an opt-out in force for that very number counts (a number
that opted back in, or another number's opt-out, is none), whether the thread's standing was
read with it (`with_standing`, no query) or is looked up."""

import pytest

from sms.models import OptOut, Thread
from sms.optouts import opt_out_for, set_opt_out, thread_opt_out, with_standing

OPTED_OUT = "+12025550144"
OPTED_BACK_IN = "+12025550145"
NEVER_RECORDED = "+12025550146"


@pytest.fixture
def numbers(db):
    set_opt_out(OPTED_OUT, opted_out=True, source=OptOut.Source.KEYWORD, detail="STOP")
    set_opt_out(OPTED_BACK_IN, opted_out=True, source=OptOut.Source.KEYWORD, detail="STOP")
    set_opt_out(OPTED_BACK_IN, opted_out=False, source=OptOut.Source.KEYWORD, detail="START")
    for number in (OPTED_OUT, OPTED_BACK_IN, NEVER_RECORDED):
        Thread.objects.create(phone_number=number)


def test_opt_out_for_is_the_numbers_own_opt_out_in_force(numbers):
    found = opt_out_for(OPTED_OUT)
    assert (found.phone_number, found.opted_out) == (OPTED_OUT, True)
    assert opt_out_for(OPTED_BACK_IN) is None
    assert opt_out_for(NEVER_RECORDED) is None
    assert opt_out_for("") is None


def test_a_threads_opt_out_looked_up(numbers):
    threads = {t.phone_number: t for t in Thread.objects.all()}
    assert thread_opt_out(threads[OPTED_OUT]).phone_number == OPTED_OUT
    assert thread_opt_out(threads[OPTED_BACK_IN]) is None
    assert thread_opt_out(threads[NEVER_RECORDED]) is None


def test_a_threads_opt_out_read_with_it_costs_no_query(numbers, django_assert_num_queries):
    threads = {t.phone_number: t for t in with_standing(Thread.objects.all())}
    with django_assert_num_queries(0):
        found = thread_opt_out(threads[OPTED_OUT])
        assert (found.phone_number, found.opted_out) == (OPTED_OUT, True)
        assert thread_opt_out(threads[OPTED_BACK_IN]) is None
        assert thread_opt_out(threads[NEVER_RECORDED]) is None
