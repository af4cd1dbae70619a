"""When the sample reader merges buffered packets into time order."""

from __future__ import annotations

import enum


class MergeStrategy(enum.IntEnum):
    """``WRITING_MERGE`` keeps each parameter's buffer sorted as packets arrive;
    ``READING_MERGE`` (the default, cheaper) sorts when a window is emitted. Both deliver
    the same samples."""

    WRITING_MERGE = 0
    READING_MERGE = 1
