"""The fingerprints of the registry's two keys: what every server on this database must hold (registry/keys.py)."""
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from registry.models.base import Base, UtcDateTime, utcnow


class KeyFingerprint(Base):
    __tablename__ = "key_fingerprint"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)  # "SECRET_KEY" or "ID_NUMBER_KEY"
    fingerprint: Mapped[str] = mapped_column(String(64))  # an HMAC of a constant under the key, never the key
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
