"""Parts of a job's board other apps contribute, without this app importing them (SMS adds
the Automations link and each column's rule count).

`load(job, user)` is called once per board and returns a `BoardSectionData`: the toolbar
template's context (None: nothing in the toolbar) and each column header's ({stage id: context}).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class BoardSectionData:
    toolbar: Any = None
    columns: dict[int, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BoardSection:
    toolbar_template: str
    column_template: str
    load: Callable[..., BoardSectionData]


BOARD_SECTIONS: list[BoardSection] = []


def register_board_section(section: BoardSection) -> None:
    if section not in BOARD_SECTIONS:
        BOARD_SECTIONS.append(section)


def board_sections(job, user, stages) -> tuple[list, dict[int, list]]:
    """([(toolbar template, context)], {stage id: [(column template, context)]})."""
    toolbar, columns = [], {stage.pk: [] for stage in stages}
    for section in BOARD_SECTIONS:
        data = section.load(job, user)
        if data.toolbar is not None:
            toolbar.append((section.toolbar_template, data.toolbar))
        for stage_id, context in data.columns.items():
            if stage_id in columns:
                columns[stage_id].append((section.column_template, context))
    return toolbar, columns
