"""Sentence encoder engines, one module each, behind :class:`~..encoder.Encoder`."""
