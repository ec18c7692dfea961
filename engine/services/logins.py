"""Log-in attempts: lock a user name after repeated failures, and limit each client address.

Every password check is recorded as a LoginAttempt row (user name as typed, client address,
time, success), never with the password. A user name that failed LOGIN_MAX_FAILURES times
within LOGIN_WINDOW_MINUTES is locked for LOGIN_LOCK_MINUTES, whether or not such a user
exists. A client address may try LOGIN_MAX_PER_ADDRESS_MINUTE times per minute. Attempts
refused by either limit are neither checked nor recorded, so they do not extend a lock.
A successful log-in is recorded but does not reset the failures before it.

The web log-in uses `log_in`; other ways in call `check_allowed` and `record` around their own
verification. The OpenID Connect log-in checks only the address limit, since the provider
checks the password, and records every callback that comes back from a provider.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select

from engine.errors import InvalidCredentials, LoginLocked, TooManyLoginAttempts
from engine.models import LoginAttempt, User
from engine.services.base import Service

log = logging.getLogger(__name__)

ADDRESS_PERIOD = timedelta(minutes=1)
# Length of the user name and address columns; longer input is cut to fit before it is stored
# or looked up, so both use the same value.
COLUMN_LENGTH = 64


@dataclass(frozen=True)
class LoginLimits:
    max_failures: int
    window: timedelta
    lock: timedelta
    max_per_address: int

    @classmethod
    def from_config(cls, config: Any) -> LoginLimits:
        return cls(max_failures=int(config["LOGIN_MAX_FAILURES"]),
                   window=timedelta(minutes=float(config["LOGIN_WINDOW_MINUTES"])),
                   lock=timedelta(minutes=float(config["LOGIN_LOCK_MINUTES"])),
                   max_per_address=int(config["LOGIN_MAX_PER_ADDRESS_MINUTE"]))

    @property
    def retention(self) -> timedelta:
        """How long an attempt can still affect a decision; older rows are deleted."""
        return max(self.window + self.lock, ADDRESS_PERIOD)


class LoginService(Service):
    @property
    def limits(self) -> LoginLimits:
        return LoginLimits.from_config(self.engine.config)

    def log_in(self, username: str, password: str, address: str | None) -> User:
        """Check the password of `username` within the limits, and record the attempt.

        Raises TooManyLoginAttempts or LoginLocked without checking the password, and
        InvalidCredentials for a wrong password or an unknown or inactive user. The failure
        that reaches the limit raises LoginLocked at once.
        """
        self.check_allowed(username, address)
        user = self.engine.organisation.check_password(username, password)
        self.record(username, address, success=user is not None)
        if user is not None:
            return user

        retry_after = self.locked_for(username)
        if retry_after:
            log.warning("log-in locked after failures address=%s lock_seconds=%d",
                        address, retry_after)
            raise LoginLocked(retry_after)
        raise InvalidCredentials()

    def check_allowed(self, username: str | None, address: str | None) -> None:
        """Raise TooManyLoginAttempts or LoginLocked when an attempt may not be made now.

        Without `username` (a provider log-in before the user is known) only the address
        limit applies.
        """
        with self.transaction(read_only=True):
            if address:
                retry_after = self._address_wait(_fit(address))
                if retry_after:
                    log.info("log-in refused code=too_many_login_attempts address=%s", address)
                    raise TooManyLoginAttempts(retry_after)
            if username is None:
                return
            retry_after = self.locked_for(username)
            if retry_after:
                log.info("log-in refused code=login_locked address=%s", address)
                raise LoginLocked(retry_after)

    def locked_for(self, username: str) -> int:
        """Return the seconds left of the lock on `username`, 0 when it is not locked."""
        limits = self.limits
        now = self.engine.clock.now()
        with self.transaction(read_only=True):
            failures = list(self.session.scalars(
                select(LoginAttempt.at)
                .where(LoginAttempt.username == _fit(username),
                       LoginAttempt.success.is_(False),
                       LoginAttempt.at > now - limits.window - limits.lock)
                .order_by(LoginAttempt.at)))
        locked_until = _locked_until(failures, limits)
        if locked_until is None or locked_until <= now:
            return 0
        return _whole_seconds(locked_until - now)

    def record(self, username: str | None, address: str | None, success: bool) -> None:
        """Store one attempt, and delete the rows of this user name and address that can no
        longer affect a decision. `username` is None for a provider log-in that failed before
        the user was known."""
        now = self.engine.clock.now()
        with self.transaction():
            self.session.add(LoginAttempt(username=_fit(username) if username else None,
                                          address=_fit(address) if address else None,
                                          at=now, success=success))
            owners = []
            if username:
                owners.append(LoginAttempt.username == _fit(username))
            if address:
                owners.append(LoginAttempt.address == _fit(address))
            if owners:
                self.session.execute(delete(LoginAttempt).where(
                    LoginAttempt.at < now - self.limits.retention, or_(*owners)))

    def _address_wait(self, address: str) -> int:
        """Return the seconds until `address` may try again, 0 when it may now."""
        limits = self.limits
        now = self.engine.clock.now()
        since = now - ADDRESS_PERIOD
        count, oldest = self.session.execute(
            select(func.count(LoginAttempt.id), func.min(LoginAttempt.at))
            .where(LoginAttempt.address == address, LoginAttempt.at > since)).one()
        if count < limits.max_per_address:
            return 0
        # NOTE: counts race between concurrent requests, so a burst of parallel attempts can
        # pass the limit by the number of requests in flight.
        return max(1, _whole_seconds(oldest + ADDRESS_PERIOD - now))


def _locked_until(failures: list[datetime], limits: LoginLimits) -> datetime | None:
    """Return when the last lock in `failures` (sorted by time) ends, or None.

    A failure locks the user name when it and the failures before it within the window
    number at least max_failures.
    """
    locked_until = None
    first = 0
    for index, at in enumerate(failures):
        while failures[first] <= at - limits.window:
            first += 1
        if index - first + 1 >= limits.max_failures:
            locked_until = at + limits.lock
    return locked_until


def _fit(value: str) -> str:
    return value[:COLUMN_LENGTH]


def _whole_seconds(delta: timedelta) -> int:
    return max(0, int(-(-delta.total_seconds() // 1)))
