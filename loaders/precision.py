"""How precisely a document printed a figure, and when two printings are the same figure.

A narrative rounds (收入预算19,302万元) what a table prints to the yuan (193,018,000 元) or the cent
(19,301.80); some cut instead of rounding (1,361万元 for 1,361.63). The two agree when they differ
by less than the narrative's last printed digit: the table's is the exact figure. Checks (a
narrative that disagrees with its tables) and answers (which figure to state) use this one rule.
"""

from __future__ import annotations

import re

CENT = 0.011  # published figures are rounded to the cent; one cent of rounding per sum is allowed
NUMBER = re.compile(r"\d[\d,]*(?:\.(\d+))?")


def stated_decimals(value: float, text: str | None) -> int:
    """How many decimals the text printed the figure with (12,814万元: 0; 339.5: 1); 2 when the
    text does not print it."""
    for m in NUMBER.finditer(text or ""):
        try:
            if abs(float(m.group().replace(",", "")) - value) < 1e-9:
                return len(m.group(1) or "")
        except ValueError:
            continue
    return 2


def agrees_as_stated(stated: float, text: str | None, exact: float) -> bool:
    """A figure printed in `text` agrees with an exact one when they differ by less than its last
    printed digit (rounded or cut), or by a cent when it is printed to the cent."""
    decimals = stated_decimals(stated, text)
    tolerance = 10**-decimals if decimals < 2 else CENT
    return abs(stated - exact) < tolerance
