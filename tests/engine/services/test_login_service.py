"""Log-in limits: a user name locks after repeated failures, and each address is rate limited.

The tests move the engine clock instead of waiting. The limits are the defaults: 5 failures
in 15 minutes lock a user name for 15 minutes, and an address may try 20 times a minute.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.engine import ProcessEngine
from engine.errors import InvalidCredentials, LoginLocked, TooManyLoginAttempts
from engine.i18n import use_locale
from engine.models import LoginAttempt
from engine.runtime.clock import FixedClock

ADDRESS = "192.0.2.10"
OTHER_ADDRESS = "192.0.2.20"


def fail(engine: ProcessEngine, username: str = "ola.ansatt", address: str = ADDRESS,
         times: int = 1) -> None:
    for _attempt in range(times):
        with pytest.raises(InvalidCredentials):
            engine.logins.log_in(username, "feil", address)


def attempts(engine: ProcessEngine) -> list[LoginAttempt]:
    with engine.transaction(read_only=True):
        return list(engine.uow.session.scalars(select(LoginAttempt).order_by(LoginAttempt.id)))


def test_right_password_logs_in(demo_engine: ProcessEngine) -> None:
    user = demo_engine.logins.log_in("ola.ansatt", "demo", ADDRESS)

    assert user.username == "ola.ansatt"


def test_fifth_failure_locks_user_name(demo_engine: ProcessEngine) -> None:
    fail(demo_engine, times=4)

    with pytest.raises(LoginLocked) as locked:
        demo_engine.logins.log_in("ola.ansatt", "feil", ADDRESS)

    assert locked.value.retry_after == 15 * 60
    assert locked.value.http_status == 429


def test_lock_refuses_right_password(demo_engine: ProcessEngine, clock: FixedClock) -> None:
    fail(demo_engine, times=4)
    with pytest.raises(LoginLocked):
        demo_engine.logins.log_in("ola.ansatt", "feil", ADDRESS)
    clock.advance(minutes=14, seconds=59)

    with pytest.raises(LoginLocked) as locked:
        demo_engine.logins.log_in("ola.ansatt", "demo", OTHER_ADDRESS)

    assert locked.value.retry_after == 1
    assert locked.value.retry_minutes == 1


def test_lock_ends_after_lock_minutes(demo_engine: ProcessEngine, clock: FixedClock) -> None:
    fail(demo_engine, times=4)
    with pytest.raises(LoginLocked):
        demo_engine.logins.log_in("ola.ansatt", "feil", ADDRESS)
    clock.advance(minutes=15)

    assert demo_engine.logins.log_in("ola.ansatt", "demo", ADDRESS).username == "ola.ansatt"


def test_refused_attempts_do_not_extend_lock(demo_engine: ProcessEngine,
                                             clock: FixedClock) -> None:
    fail(demo_engine, times=4)
    with pytest.raises(LoginLocked):
        demo_engine.logins.log_in("ola.ansatt", "feil", ADDRESS)
    for _minute in range(14):
        clock.advance(minutes=1)
        with pytest.raises(LoginLocked):
            demo_engine.logins.log_in("ola.ansatt", "feil", ADDRESS)
    clock.advance(minutes=1)

    assert demo_engine.logins.log_in("ola.ansatt", "demo", ADDRESS).username == "ola.ansatt"
    assert len(attempts(demo_engine)) == 6


def test_failures_spread_past_window_do_not_lock(demo_engine: ProcessEngine,
                                                 clock: FixedClock) -> None:
    for _attempt in range(8):
        fail(demo_engine)
        clock.advance(minutes=4)

    assert demo_engine.logins.locked_for("ola.ansatt") == 0


def test_success_does_not_reset_failures(demo_engine: ProcessEngine) -> None:
    fail(demo_engine, times=4)
    demo_engine.logins.log_in("ola.ansatt", "demo", ADDRESS)

    with pytest.raises(LoginLocked):
        demo_engine.logins.log_in("ola.ansatt", "feil", ADDRESS)


def test_unknown_user_name_locks_alike(demo_engine: ProcessEngine) -> None:
    fail(demo_engine, username="ingen.slik", times=4)

    with pytest.raises(LoginLocked) as locked:
        demo_engine.logins.log_in("ingen.slik", "feil", ADDRESS)

    assert locked.value.retry_after == 15 * 60


def test_lock_leaves_other_users_alone(demo_engine: ProcessEngine) -> None:
    fail(demo_engine, times=4)
    with pytest.raises(LoginLocked):
        demo_engine.logins.log_in("ola.ansatt", "feil", ADDRESS)

    assert demo_engine.logins.log_in("lise.leder", "demo", OTHER_ADDRESS).username == \
        "lise.leder"


def test_address_limited_per_minute(demo_engine: ProcessEngine, clock: FixedClock) -> None:
    for number in range(20):
        fail(demo_engine, username=f"bruker{number}")
        clock.advance(seconds=1)

    with pytest.raises(TooManyLoginAttempts) as limited:
        demo_engine.logins.log_in("ola.ansatt", "demo", ADDRESS)

    assert limited.value.retry_after == 40
    assert demo_engine.logins.log_in("ola.ansatt", "demo", OTHER_ADDRESS).username == \
        "ola.ansatt"


def test_address_limit_counts_successes(demo_engine: ProcessEngine) -> None:
    for _attempt in range(20):
        demo_engine.logins.log_in("ola.ansatt", "demo", ADDRESS)

    with pytest.raises(TooManyLoginAttempts):
        demo_engine.logins.log_in("ola.ansatt", "demo", ADDRESS)


def test_address_limit_slides(demo_engine: ProcessEngine, clock: FixedClock) -> None:
    for number in range(20):
        fail(demo_engine, username=f"bruker{number}")
    clock.advance(seconds=60)

    assert demo_engine.logins.log_in("ola.ansatt", "demo", ADDRESS).username == "ola.ansatt"


def test_limits_follow_configuration(make_engine, clock: FixedClock) -> None:
    from engine.demo import load_organisation

    engine = make_engine(LOGIN_MAX_FAILURES=2, LOGIN_WINDOW_MINUTES=1, LOGIN_LOCK_MINUTES=3,
                         LOGIN_MAX_PER_ADDRESS_MINUTE=50)
    load_organisation(engine)
    fail(engine)

    with pytest.raises(LoginLocked) as locked:
        engine.logins.log_in("ola.ansatt", "feil", ADDRESS)

    assert locked.value.retry_after == 3 * 60


def test_attempt_rows_hold_no_password(demo_engine: ProcessEngine) -> None:
    fail(demo_engine)
    demo_engine.logins.log_in("ola.ansatt", "demo", ADDRESS)

    rows = attempts(demo_engine)

    assert [(row.username, row.address, row.success) for row in rows] == [
        ("ola.ansatt", ADDRESS, False), ("ola.ansatt", ADDRESS, True)]
    assert all("feil" not in repr(vars(row)) for row in rows)


def test_old_attempts_are_deleted(demo_engine: ProcessEngine, clock: FixedClock) -> None:
    fail(demo_engine, times=3)
    clock.advance(timedelta(minutes=31))

    demo_engine.logins.log_in("ola.ansatt", "demo", ADDRESS)

    assert [row.success for row in attempts(demo_engine)] == [True]


def test_long_user_name_fits_column(demo_engine: ProcessEngine) -> None:
    fail(demo_engine, username="x" * 300, times=4)

    with pytest.raises(LoginLocked):
        demo_engine.logins.log_in("x" * 300, "feil", ADDRESS)

    assert {len(row.username or "") for row in attempts(demo_engine)} == {64}


def test_messages_in_bokmaal(demo_engine: ProcessEngine) -> None:
    with use_locale("nb"):
        assert str(LoginLocked(15 * 60)) == \
            "For mange mislykkede forsøk. Prøv igjen om 15 minutter."
        assert str(LoginLocked(30)) == "For mange mislykkede forsøk. Prøv igjen om 1 minutt."
        assert "Prøv igjen om 1 minutt." in str(TooManyLoginAttempts(41))
        assert str(InvalidCredentials()) == "Feil brukernavn eller passord."
