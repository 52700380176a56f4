"""Ofelia: a training organisation's business, with its terms of sale as executable policy."""

__version__ = "0.1.0"
