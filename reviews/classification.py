"""How a score sheet's total is classified (xếp loại): the rubric's bands, each a label and the
lowest total it takes. This module is the one rule; the score sheet's script gets the bands as
data (``bands_data``) and applies the same comparison as ``classify``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import NamedTuple

LABEL_MAX_LENGTH = 50

# The defaults for a rubric out of 100 points; another total scales the thresholds.
DEFAULT_BANDS = (("Xuất sắc", 90), ("Tốt", 75), ("Đạt", 50), ("Không đạt", 0))


class Band(NamedTuple):
    label: str
    min_score: int  # the band holds every total from here up to the next band's threshold


def ordered(bands: Iterable) -> list[Band]:
    """``bands`` (``Band``s or anything with ``label`` and ``min_score``), highest first."""
    return sorted(
        (Band(band.label, band.min_score) for band in bands),
        key=lambda band: band.min_score,
        reverse=True,
    )


def classify(total: int | float | None, bands: Iterable) -> str:
    """The label of the highest band whose threshold ``total`` reaches ("" without bands)."""
    if total is None:
        return ""
    for band in ordered(bands):
        if total >= band.min_score:
            return band.label
    return ""


def band_errors(bands: Sequence[tuple[str, int]], max_total: int | None) -> list[str]:
    """What is wrong with ``bands`` (label, threshold) for a rubric out of ``max_total`` points
    (None: not known yet, not checked): every total from 0 to the maximum must fall in exactly
    one band, so the lowest starts at 0, thresholds differ, and none is above the maximum."""
    if not bands:
        return ["Hãy khai báo ít nhất một mức xếp loại (mức thấp nhất bắt đầu từ 0 điểm)."]
    errors = []
    labels = [label.strip().casefold() for label, _ in bands]
    if len(set(labels)) != len(labels):
        errors.append("Mỗi mức xếp loại phải có tên riêng.")
    thresholds = sorted(min_score for _, min_score in bands)
    if len(set(thresholds)) != len(thresholds):
        errors.append("Hai mức xếp loại không được có cùng điểm từ (các mức không chồng lên nhau).")
    if any(value < 0 for value in thresholds):
        errors.append("Điểm từ của một mức xếp loại không được âm.")
    elif thresholds[0] != 0:
        errors.append("Mức xếp loại thấp nhất phải bắt đầu từ 0 điểm.")
    if max_total is not None and thresholds[-1] > max_total:
        errors.append(
            f"Điểm từ của mức xếp loại ({thresholds[-1]}) vượt tổng điểm tối đa ({max_total})."
        )
    return errors


def default_bands(max_total: int) -> list[Band]:
    """The default bands scaled to a rubric out of ``max_total`` points; a threshold that would
    collide with a higher one (a very small maximum) leaves its band out."""
    bands, taken = [], set()
    for label, percent in DEFAULT_BANDS:
        threshold = math.ceil(percent * max_total / 100)
        if threshold not in taken:
            taken.add(threshold)
            bands.append(Band(label, threshold))
    return bands


def bands_data(bands: Iterable) -> list[dict]:
    """The bands as the score sheet's script reads them, highest first."""
    return [{"label": band.label, "min": band.min_score} for band in ordered(bands)]
