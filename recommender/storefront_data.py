"""The storefront API's data, in SQL (SQLite by default, PostgreSQL by URL) through SQLAlchemy:
storefronts and their API keys (only keyed hashes are kept), avatars (body parameters and
measurements, never photos), shoppers' events and the recommendations served with their
propensities, try-ons and the links that share them (only keyed hashes of the links).
Everything belongs to one storefront; shopper ids are pseudonymised with a keyed hash, so the
store never holds a storefront's own shopper ids.
"""
from __future__ import annotations

import atexit
import hashlib
import hmac
import secrets
import threading
import time
import uuid
from pathlib import Path
from typing import Sequence

from sqlalchemy import (JSON, Float, ForeignKey, Integer, String, delete, func, insert, select,
                        update)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from render_farm.sql import Schema, open_engine

EVENT_TYPES = ("view", "tryon", "add_to_outfit", "add_to_cart", "purchase", "return")
SERVED_FLUSH_S = 0.25  # served recommendations are written in batches this often
SCHEMA = Schema("storefront", Path(__file__).parent / "migrations",
                "alembic_version_storefront", "storefronts")


class _Base(DeclarativeBase):
    pass


class StorefrontRow(_Base):
    __tablename__ = "storefronts"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[float] = mapped_column(Float)


class KeyRow(_Base):
    __tablename__ = "api_keys"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    storefront_id: Mapped[str] = mapped_column(ForeignKey("storefronts.id"))
    created_at: Mapped[float] = mapped_column(Float)


class KeyOriginRow(_Base):
    """A web origin a publishable key may be used from (a key with none is a secret key)."""
    __tablename__ = "key_origins"
    digest: Mapped[str] = mapped_column(ForeignKey("api_keys.digest"), primary_key=True)
    origin: Mapped[str] = mapped_column(String(200), primary_key=True)


class AvatarRow(_Base):
    __tablename__ = "avatars"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    storefront_id: Mapped[str] = mapped_column(ForeignKey("storefronts.id"), index=True)
    # avatar.json (body parameters, measurements) once fitted
    document: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[float] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(16), default="ready",
                                       server_default="ready")  # fitting, ready or failed
    error: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # {code, message} if failed
    farm_job: Mapped[str | None] = mapped_column(String(32), nullable=True)  # fitting on the farm


class EventRow(_Base):
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    storefront_id: Mapped[str] = mapped_column(String(32), index=True)
    shopper: Mapped[str] = mapped_column(String(64), index=True)  # pseudonym
    item: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(20))
    avatar_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    context: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[float] = mapped_column(Float)


class ServedRow(_Base):
    __tablename__ = "served"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    storefront_id: Mapped[str] = mapped_column(String(32), index=True)
    shopper: Mapped[str] = mapped_column(String(64))
    avatar_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    policy: Mapped[str] = mapped_column(String(100))
    items: Mapped[list] = mapped_column(JSON)  # [{"item": id, "propensity": p}, ...]
    created_at: Mapped[float] = mapped_column(Float)


class TryOnRow(_Base):
    __tablename__ = "tryons"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    storefront_id: Mapped[str] = mapped_column(String(32), index=True)
    avatar_id: Mapped[str] = mapped_column(String(32), index=True)
    item: Mapped[str] = mapped_column(String(100))
    size: Mapped[str] = mapped_column(String(20))
    advised: Mapped[bool] = mapped_column(default=False)  # the size came from the chart's rule
    state: Mapped[str] = mapped_column(String(16), default="queued")  # queued running done failed
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    farm_job: Mapped[str | None] = mapped_column(String(32), nullable=True)
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    fit_score: Mapped[float | None] = mapped_column(Float, nullable=True)  # of its drape, 0-1
    created_at: Mapped[float] = mapped_column(Float)
    # an outfit's garments worn under ``item``, dressing order: [{"garment": ID, "size": S}]
    under: Mapped[list | None] = mapped_column(JSON, nullable=True)


class ShareRow(_Base):
    """A link that shows one try-on to anyone who has it, until ``expires_at`` (epoch s)."""
    __tablename__ = "shares"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)  # of the link's token
    storefront_id: Mapped[str] = mapped_column(String(32), index=True)
    tryon_id: Mapped[str] = mapped_column(String(32), index=True)
    expires_at: Mapped[float] = mapped_column(Float)
    created_at: Mapped[float] = mapped_column(Float)


class PrivacyRow(_Base):
    """How much of its privacy budget a storefront's insights have spent (epsilon, summed)."""
    __tablename__ = "privacy_spent"
    storefront_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    spent: Mapped[float] = mapped_column(Float, default=0.0)


class StorefrontData:
    """The data at ``url``; ``secret`` keys the hashes of API keys and shopper ids."""

    def __init__(self, url: str, secret: bytes):
        self.engine = open_engine(url, SCHEMA)
        self.secret = secret
        self._served: list[dict] = []
        self._served_lock = threading.Lock()
        self._flusher: threading.Thread | None = None
        atexit.register(self.flush_served)

    def _digest(self, text: str) -> str:
        return hmac.new(self.secret, text.encode(), hashlib.sha256).hexdigest()

    def pseudonym(self, storefront_id: str, shopper: str) -> str:
        """The stored name of a storefront's shopper: a keyed hash of their id."""
        return self._digest(f"shopper:{storefront_id}:{shopper}")[:40]

    def create_key(self, storefront: str, origins: Sequence[str] = ()) -> str:
        """A new API key for ``storefront`` (made on first use); only its hash is kept. A
        secret key ("tok_...") is for the storefront's servers; with ``origins`` (normalised,
        "https://shop.example"), a publishable key ("pk_...") for its web pages there."""
        key = ("pk_" if origins else "tok_") + secrets.token_urlsafe(32)
        now = time.time()
        with Session(self.engine) as session, session.begin():
            row = session.scalar(select(StorefrontRow).where(StorefrontRow.name == storefront))
            if row is None:
                row = StorefrontRow(id=uuid.uuid4().hex[:16], name=storefront, created_at=now)
                session.add(row)
                session.flush()
            digest = self._digest(f"key:{key}")
            session.add(KeyRow(digest=digest, storefront_id=row.id, created_at=now))
            session.flush()
            session.add_all(KeyOriginRow(digest=digest, origin=origin) for origin in origins)
        return key

    def storefront_named(self, name: str) -> str | None:
        """The id of the storefront called ``name``, or None."""
        with Session(self.engine) as session:
            return session.scalar(select(StorefrontRow.id).where(StorefrontRow.name == name))

    def storefront_of(self, key: str) -> str | None:
        """The id of the storefront ``key`` belongs to, or None."""
        access = self.key_access(key)
        return None if access is None else access[0]

    def key_access(self, key: str) -> tuple[str, frozenset[str]] | None:
        """The storefront ``key`` belongs to and the origins it may be used from (none: a
        secret key), or None for an unknown key."""
        digest = self._digest(f"key:{key}")
        with Session(self.engine) as session:
            row = session.get(KeyRow, digest)
            if row is None:
                return None
            origins = session.scalars(select(KeyOriginRow.origin)
                                      .where(KeyOriginRow.digest == digest))
            return row.storefront_id, frozenset(origins)

    def add_avatar(self, storefront_id: str, avatar_id: str, document: dict | None) -> None:
        """Record a fitted avatar (its ``document``), or with None one whose fit has begun."""
        with Session(self.engine) as session, session.begin():
            session.add(AvatarRow(id=avatar_id, storefront_id=storefront_id, document=document,
                                  created_at=time.time(),
                                  state="ready" if document is not None else "fitting"))

    def settle_avatar(self, avatar_id: str, document: dict | None = None,
                      error: dict | None = None) -> None:
        """A fitting avatar's outcome: ready with its ``document``, else failed with ``error``
        ({code, message}); nothing when it was erased meanwhile."""
        with Session(self.engine) as session, session.begin():
            row = session.get(AvatarRow, avatar_id)
            if row is not None:
                row.document, row.error = document, error
                row.state = "ready" if document is not None else "failed"

    def fit_on_farm(self, avatar_id: str, farm_job: str) -> None:
        """Note the farm job fitting the avatar."""
        with Session(self.engine) as session, session.begin():
            session.execute(update(AvatarRow).where(AvatarRow.id == avatar_id)
                            .values(farm_job=farm_job))

    def unsettled_farm_fits(self) -> list[tuple[str, str, str]]:
        """(storefront, avatar, farm job) of every avatar still fitting on the farm: what a
        starting server follows again."""
        query = select(AvatarRow.storefront_id, AvatarRow.id, AvatarRow.farm_job).where(
            AvatarRow.farm_job.is_not(None), AvatarRow.state == "fitting")
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(query).all()]

    def avatar(self, storefront_id: str, avatar_id: str) -> dict | None:
        """The avatar's document, if it is this storefront's and fitted."""
        with Session(self.engine) as session:
            row = session.get(AvatarRow, avatar_id)
            return row.document if row is not None and row.storefront_id == storefront_id \
                else None

    def avatar_state(self, storefront_id: str, avatar_id: str
                     ) -> tuple[str, dict | None, dict | None] | None:
        """(state: fitting, ready or failed; the error when failed; the document when ready),
        if it is this storefront's."""
        with Session(self.engine) as session:
            row = session.get(AvatarRow, avatar_id)
            return (row.state, row.error, row.document) if row is not None and \
                row.storefront_id == storefront_id else None

    def fits_waiting(self) -> int:
        """Avatars of every storefront still fitting."""
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(AvatarRow)
                                  .where(AvatarRow.state == "fitting"))

    def erase_avatar(self, storefront_id: str, avatar_id: str) -> bool:
        """Delete the avatar and every event, try-on, share link and served recommendation
        made with it; False
        when it is not this storefront's. (Recommendations still pending in any process are
        dropped when written: their avatar is gone.)"""
        self.flush_served()
        with Session(self.engine) as session, session.begin():
            row = session.get(AvatarRow, avatar_id)
            if row is None or row.storefront_id != storefront_id:
                return False
            session.execute(delete(EventRow).where(EventRow.avatar_id == avatar_id))
            session.execute(delete(ShareRow).where(ShareRow.tryon_id.in_(
                select(TryOnRow.id).where(TryOnRow.avatar_id == avatar_id))))
            session.execute(delete(TryOnRow).where(TryOnRow.avatar_id == avatar_id))
            session.execute(delete(ServedRow).where(ServedRow.avatar_id == avatar_id))
            session.delete(row)
            return True

    def add_tryon(self, storefront_id: str, tryon_id: str, avatar_id: str, item: str, size: str,
                  advised: bool, farm_job: str | None = None, under: list[dict] | None = None
                  ) -> None:
        """Record a new try-on of ``item`` in ``size``, worn over ``under`` (an outfit's
        lower layers, dressing order: ``[{"garment": ID, "size": S}]``)."""
        with Session(self.engine) as session, session.begin():
            session.add(TryOnRow(id=tryon_id, storefront_id=storefront_id, avatar_id=avatar_id,
                                 item=item, size=size, advised=advised, farm_job=farm_job,
                                 created_at=time.time(), under=under or None))

    def tryon(self, storefront_id: str, tryon_id: str) -> dict | None:
        """The try-on's record, if it is this storefront's."""
        with Session(self.engine) as session:
            row = session.get(TryOnRow, tryon_id)
            if row is None or row.storefront_id != storefront_id:
                return None
            return {column: getattr(row, column) for column in (
                "id", "avatar_id", "item", "size", "advised", "state", "progress", "farm_job",
                "error", "fit_score", "created_at", "under")}

    def unsettled_farm_tryons(self) -> list[tuple[str, str, str]]:
        """(storefront, try-on, farm job) of every farm try-on whose outcome is not recorded
        yet (no fit score, not failed): what a starting server follows again."""
        query = select(TryOnRow.storefront_id, TryOnRow.id, TryOnRow.farm_job).where(
            TryOnRow.farm_job.is_not(None), TryOnRow.fit_score.is_(None),
            TryOnRow.state != "failed")
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(query).all()]

    def share_tryon(self, storefront_id: str, tryon_id: str, days: float
                    ) -> tuple[str, float] | None:
        """A new link token for the try-on, valid for ``days``, and when it expires (epoch s);
        None when the try-on is not this storefront's. Only the token's keyed hash is kept."""
        token = secrets.token_urlsafe(24)  # 192 random bits: not to be guessed
        now = time.time()
        with Session(self.engine) as session, session.begin():
            row = session.get(TryOnRow, tryon_id)
            if row is None or row.storefront_id != storefront_id:
                return None
            session.add(ShareRow(digest=self._digest(f"share:{token}"),
                                 storefront_id=storefront_id, tryon_id=tryon_id,
                                 expires_at=now + days * 86400.0, created_at=now))
        return token, now + days * 86400.0

    def revoke_shares(self, storefront_id: str, tryon_id: str) -> bool:
        """End every link to the try-on; False when it is not this storefront's."""
        with Session(self.engine) as session, session.begin():
            row = session.get(TryOnRow, tryon_id)
            if row is None or row.storefront_id != storefront_id:
                return False
            session.execute(delete(ShareRow).where(ShareRow.tryon_id == tryon_id))
            return True

    def done_tryons_of_item(self, storefront_id: str, item: str) -> list[tuple[str, str]]:
        """(try-on, avatar) of the storefront's done try-ons of ``item``, newest first."""
        query = (select(TryOnRow.id, TryOnRow.avatar_id)
                 .where(TryOnRow.storefront_id == storefront_id, TryOnRow.item == item,
                        TryOnRow.state == "done")
                 .order_by(TryOnRow.created_at.desc()))
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(query)]

    def returns_of_item(self, storefront_id: str, item: str) -> list[tuple[str, dict]]:
        """(shopper pseudonym, context) of the storefront's return events of ``item``, newest
        first."""
        query = (select(EventRow.shopper, EventRow.context)
                 .where(EventRow.storefront_id == storefront_id, EventRow.item == item,
                        EventRow.type == "return")
                 .order_by(EventRow.id.desc()))
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(query)]

    def spend_privacy(self, storefront_id: str, epsilon: float, budget: float) -> float | None:
        """Spend ``epsilon`` of the storefront's privacy ``budget``: what is left after it, or
        None (nothing spent) when too little is left."""
        with Session(self.engine) as session, session.begin():
            row = session.get(PrivacyRow, storefront_id, with_for_update=True)
            if row is None:
                row = PrivacyRow(storefront_id=storefront_id, spent=0.0)
                session.add(row)
            if row.spent + epsilon > budget + 1e-9:
                return None
            row.spent += epsilon
            return budget - row.spent

    def shared_tryon(self, token: str) -> tuple[str, str] | None:
        """(storefront, try-on) a link token shows, or None when it is unknown, revoked or
        expired (an expired link is deleted)."""
        digest = self._digest(f"share:{token}")
        with Session(self.engine) as session, session.begin():
            row = session.get(ShareRow, digest)
            if row is None:
                return None
            if row.expires_at <= time.time():
                session.delete(row)
                return None
            return row.storefront_id, row.tryon_id

    def tryons_of(self, storefront_id: str, avatar_id: str) -> list[str]:
        """The ids of the avatar's try-ons."""
        with Session(self.engine) as session:
            return list(session.scalars(select(TryOnRow.id).where(
                TryOnRow.storefront_id == storefront_id, TryOnRow.avatar_id == avatar_id)))

    def drape_fits(self, storefront_id: str, avatar_id: str) -> dict[str, float]:
        """The fit score of each garment the avatar has a finished try-on of (the latest)."""
        query = (select(TryOnRow.item, TryOnRow.fit_score)
                 .where(TryOnRow.storefront_id == storefront_id, TryOnRow.avatar_id == avatar_id,
                        TryOnRow.fit_score.is_not(None)).order_by(TryOnRow.created_at))
        with self.engine.connect() as connection:
            return dict(connection.execute(query).all())

    def update_tryon(self, tryon_id: str, **values) -> None:
        """Set a try-on's state, progress or error (by a runner of this server)."""
        with Session(self.engine) as session, session.begin():
            session.execute(update(TryOnRow).where(TryOnRow.id == tryon_id).values(**values))

    def add_event(self, storefront_id: str, shopper: str, item: str, kind: str,
                  avatar_id: str | None, context: dict) -> int:
        with Session(self.engine) as session, session.begin():
            row = EventRow(storefront_id=storefront_id,
                           shopper=self.pseudonym(storefront_id, shopper), item=item, type=kind,
                           avatar_id=avatar_id, context=context, created_at=time.time())
            session.add(row)
            session.flush()
            return row.id

    def events_after(self, storefront_id: str, after_id: int) -> list[dict]:
        """The storefront's events newer than ``after_id``, oldest first: id, shopper
        (pseudonym), item, type, avatar_id and created_at (seconds since the epoch)."""
        query = (select(EventRow.id, EventRow.shopper, EventRow.item, EventRow.type,
                        EventRow.avatar_id, EventRow.created_at)
                 .where(EventRow.storefront_id == storefront_id, EventRow.id > after_id)
                 .order_by(EventRow.id))
        with self.engine.connect() as connection:
            return [row._asdict() for row in connection.execute(query)]

    def log_served(self, storefront_id: str, pseudonym: str, avatar_id: str | None, policy: str,
                   items: list[dict]) -> None:
        """Log a served recommendation to a shopper (by ``pseudonym``); written with others
        within ``SERVED_FLUSH_S`` (an insert per answer would cost more than the answer)."""
        row = {"storefront_id": storefront_id, "shopper": pseudonym,
               "avatar_id": avatar_id, "policy": policy, "items": items,
               "created_at": time.time()}
        with self._served_lock:
            self._served.append(row)
            if self._flusher is None:
                self._flusher = threading.Thread(target=self._flush_every, daemon=True)
                self._flusher.start()

    def flush_served(self) -> None:
        """Write the logged recommendations, but those of avatars erased meanwhile."""
        with self._served_lock:
            rows, self._served = self._served, []
        if not rows:
            return
        with self.engine.begin() as connection:
            named = {row["avatar_id"] for row in rows if row["avatar_id"]}
            alive = set(connection.scalars(select(AvatarRow.id).where(AvatarRow.id.in_(named))))
            rows = [row for row in rows if row["avatar_id"] is None or row["avatar_id"] in alive]
            if rows:
                connection.execute(insert(ServedRow), rows)

    def _flush_every(self) -> None:
        while True:
            time.sleep(SERVED_FLUSH_S)
            self.flush_served()

    def served(self, storefront_id: str) -> list[dict]:
        """The storefront's served recommendations, oldest first (this process's pending
        ones written first)."""
        self.flush_served()
        with Session(self.engine) as session:
            return [{"shopper": row.shopper, "policy": row.policy, "items": row.items,
                     "avatar_id": row.avatar_id, "created_at": row.created_at}
                    for row in session.scalars(
                select(ServedRow).where(ServedRow.storefront_id == storefront_id)
                .order_by(ServedRow.id))]
