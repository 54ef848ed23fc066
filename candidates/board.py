"""A kanban column as the board template renders it: its stage, exact count and loaded cards."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class BoardColumn:
    stage: object
    count: int  # every card in the stage, loaded or not
    cards: list = field(default_factory=list)  # the cards rendered now
    offset: int = 0  # how many cards come before `cards` (a "Show more" page)

    def __iter__(self):
        """`for stage, cards in columns` (what the board template and tests unpacked before)."""
        yield self.stage
        yield self.cards

    @property
    def shown(self) -> int:
        return self.offset + len(self.cards)

    @property
    def remaining(self) -> int:
        return max(self.count - self.shown, 0)
