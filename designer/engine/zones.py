"""Service zones: the floor kept clear in front of and behind equipment for service.

Racks, network racks, CDUs and air handlers keep a front zone ``clearance.front_m``
deep; racks, network racks and CDUs also keep a rear zone ``clearance.rear_m`` deep
(an air handler's back stands against a wall). A zone is as wide as its item and lies
along the item's depth axis: at rotation 0 the front faces −y. The evaluation
(:mod:`designer.engine.geometry`), the editor's placement check
(:mod:`designer.engine.placement`) and the canvas's clearance overlay all take their
zones from here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designer.engine import boxes as bx
from designer.engine.types import AIR, CDU


def has_front_zone(kind: np.ndarray) -> np.ndarray:
    """Which items (kind codes) keep a front service zone: racks, network racks, CDUs, air handlers."""
    return np.asarray(kind) <= AIR


def has_rear_zone(kind: np.ndarray) -> np.ndarray:
    """Which items (kind codes) keep a rear service zone: racks, network racks and CDUs."""
    return np.asarray(kind) <= CDU


@dataclass(frozen=True)
class ServiceZones:
    """The service zones of an array of items: front zones first, then rear zones."""

    owner: np.ndarray     # index of the item each zone belongs to
    rear: np.ndarray      # True behind the item, False in front
    length_m: np.ndarray  # depth of the zone (away from the item)

    def __len__(self) -> int:
        return len(self.owner)

    def clearing(self) -> "ServiceZones":
        """The zones that keep floor clear (deeper than 0; the rules skip the others)."""
        keep = self.length_m > 0
        return ServiceZones(self.owner[keep], self.rear[keep], self.length_m[keep])


def service_zones(kind: np.ndarray, front_m: float, rear_m: float) -> ServiceZones:
    """The zones items of these kind codes keep: none at all when both depths are 0 (a
    zone of depth 0, when only the other side has one, blocks nothing)."""
    front = np.flatnonzero(has_front_zone(kind))
    rear = np.flatnonzero(has_rear_zone(kind))
    if not (front_m > 0 or rear_m > 0):
        front, rear = front[:0], rear[:0]
    owner = np.concatenate([front, rear])
    is_rear = np.concatenate([np.zeros(len(front), bool), np.ones(len(rear), bool)])
    return ServiceZones(owner, is_rear, np.where(is_rear, float(rear_m), float(front_m)))


def zone_centres(x, y, depth, c, s, zones: ServiceZones) -> tuple[np.ndarray, np.ndarray]:
    """Centres of the zones of items centred at (x, y), of this depth and axes (c, s)."""
    o = zones.owner
    return bx.offset_rects(x[o], y[o], None, depth[o], c[o], s[o], np.where(zones.rear, 1.0, -1.0), zones.length_m)


def zone_boxes(x, y, width, depth, c, s, zones: ServiceZones, shrink: float = bx.EPS_M) -> np.ndarray:
    """Boxes (m, 4) of the zones, shrunk like footprint boxes (touching is not overlapping)."""
    o = zones.owner
    zx, zy = zone_centres(x, y, depth, c, s, zones)
    return bx.boxes(zx, zy, width[o], zones.length_m, c[o], s[o], shrink)


def zone_corners(x, y, width, depth, c, s, zones: ServiceZones) -> np.ndarray:
    """Corners (m, 4, 2) of the zones (front-left, front-right, rear-right, rear-left of
    the zone rectangle, as :func:`designer.engine.boxes.rect_corners`)."""
    o = zones.owner
    zx, zy = zone_centres(x, y, depth, c, s, zones)
    return bx.rect_corners(zx, zy, width[o], zones.length_m, c[o], s[o])
