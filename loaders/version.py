"""Which reading rules read a document: a digest of the loaders' own source and data. A document
read by other rules is read again at the next load, even from an unchanged file; one read by
these rules, from a file with the same content, is not read again."""

from __future__ import annotations

import hashlib
from pathlib import Path


def _reviews(path: Path) -> bool:
    """The staff review (loaders/review, data/review.toml) reads the model; it changes no reading."""
    return "review" in path.parent.name or path.name == "review.toml"


def _digest() -> str:
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(p for p in here.rglob("*") if p.is_file() and p.suffix in (".py", ".txt", ".toml", ".json") and not _reviews(p)):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


LOADER_RULES = _digest()


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
