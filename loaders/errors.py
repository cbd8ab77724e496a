"""The one exception a loader raises for input it cannot read."""

from __future__ import annotations


class DisclosureFormatError(ValueError):
    """The file is not a disclosure this loader can read: says which file, where and why."""

    def __init__(self, source: str, message: str, *, page: int | None = None, line: int | None = None):
        self.source = source
        self.page = page
        self.line = line
        self.reason = message
        where = "，".join(part for part in (f"第{page}页" if page else "", f"第{line}行" if line else "") if part)
        super().__init__(f"{source}{f'（{where}）' if where else ''}: {message}")
