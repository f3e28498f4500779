"""Kept only while the run record's old module still imports it: masking lives in `wardctl.masking`."""

from wardctl.masking import MASK, clean, mask_line, mask_text, might_hold_secret, scrub

__all__ = ["MASK", "clean", "mask_line", "mask_text", "might_hold_secret", "scrub"]
