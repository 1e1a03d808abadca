"""ID numbers at rest: AES-GCM ciphertext, and an HMAC for uniqueness and lookup (DESIGN §7).

The key lives outside the database (instance/id_number_key or ID_NUMBER_KEY); two sub-keys are derived
from it with HKDF so the lookup hash never reveals the encryption key.
"""
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from registry.rules.identifiers import normalize_id_number


def _derive(key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=purpose).derive(key)


class IdNumberVault:
    """Encrypts, decrypts and keyed-hashes ID numbers (and other secrets that need a lookup hash)."""

    def __init__(self, key: bytes):
        self._aead = AESGCM(_derive(key, b"id-number encryption v1"))
        self._hmac_key = _derive(key, b"id-number lookup v1")

    def lookup_hash(self, value: str) -> str:
        """The keyed hash of a normalized ID number: equal numbers, equal hashes; no way back."""
        return hmac.new(self._hmac_key, normalize_id_number(value).encode(), hashlib.sha256).hexdigest()

    def keyed_hash(self, value: str) -> str:
        """A keyed hash of any other secret (invitation codes, client addresses)."""
        return hmac.new(self._hmac_key, b"other:" + value.encode(), hashlib.sha256).hexdigest()

    def encrypt(self, id_number: str) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, normalize_id_number(id_number).encode(), b"id_number")

    def decrypt(self, ciphertext: bytes) -> str:
        return self._aead.decrypt(ciphertext[:12], ciphertext[12:], b"id_number").decode()

    def seal(self, secret: str, purpose: str) -> bytes:
        """Encrypt another secret (a TOTP key), bound to its purpose so it cannot pass for an ID number."""
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, secret.encode(), purpose.encode())

    def unseal(self, ciphertext: bytes, purpose: str) -> str:
        return self._aead.decrypt(ciphertext[:12], ciphertext[12:], purpose.encode()).decode()
