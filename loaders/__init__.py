"""Readers that turn a disclosure file into the neutral model (`loaders.model`)."""

from .errors import DisclosureFormatError
from .model import Disclosure
from .reader import read_disclosure

__all__ = ["Disclosure", "DisclosureFormatError", "read_disclosure"]
