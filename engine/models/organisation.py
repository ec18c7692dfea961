"""The municipality's organisation: units, users, groups, memberships and roles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models.base import Base, UTCDateTime

UNIT_KINDS = ("kommune", "tjenesteomraade", "enhet")

ROLES = ("ansatt", "prosesseier", "administrator")


class Unit(Base):
    """A node of the unit tree: kommune, then tjenesteområde, then enhet."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    leader_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", use_alter=True, name="fk_unit_leader_id_app_user"))

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent")
    leader: Mapped[User | None] = relationship(foreign_keys=[leader_id])


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str] = mapped_column(String(8), default="nb")
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Sessions that logged in before this time are over: set at log-out, on a new password
    # and by `sloyfe user end-sessions`, so a copied session cookie stops working.
    sessions_valid_after: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit: Mapped[Unit | None] = relationship(foreign_keys=[unit_id])


class Group(Base):
    """A candidate group for tasks. A group with a unit is scoped to it: key `role@unit-code`."""

    __tablename__ = "user_group"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)


class Membership(Base):
    __tablename__ = "membership"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"),
                                         primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("user_group.id", ondelete="CASCADE"),
                                          primary_key=True, index=True)


class RoleAssignment(Base):
    """A system role of a user (prosesseier, administrator), optionally limited to one unit."""

    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("user_id", "role", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))


class ExternalIdentity(Base):
    """A person's account at an OpenID Connect provider, linked to one user.

    The pair (issuer, subject) identifies the account, never its e-mail address or name.
    `subject` contains an HMAC instead of the claim for providers whose subject is a national
    identity number.
    """

    __tablename__ = "external_identity"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    # The provider key it was linked through, for administrators; issuer decides the match.
    provider: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
