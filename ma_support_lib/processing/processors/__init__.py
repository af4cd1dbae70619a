"""Built-in subscription processors of the data reader, vectorised over intervals and parameters."""

from .aggregate import DefaultProcessor
from .base import Block, VectorProcessor
from .hold_last import HoldLastProcessor
from .linear import LinearInterpolationProcessor

__all__ = ["Block", "DefaultProcessor", "HoldLastProcessor", "LinearInterpolationProcessor", "VectorProcessor"]
