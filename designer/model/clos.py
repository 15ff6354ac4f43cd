"""Sizing a folded Clos of k-port switches above the leaves (pure arithmetic, shared by the
engine, the layouts and fill).

Al-Fares, Loukissas and Vahdat, "A Scalable, Commodity Data Center Network Architecture",
SIGCOMM 2008 (hardware.md §7): L tiers of k-port switches connect 2·(k/2)^L hosts without
blocking. A leaf gives d = floor(k·o/(1+o)) ports to servers and k − d to uplinks; the
tiers above are sized from those uplinks (issue 14).
"""

from __future__ import annotations

import math


def server_ports(ports: float, oversubscription: float) -> int:
    """Server-facing ports of a leaf (or a rack of leaves) with ``ports`` in all:
    floor(ports · o / (1 + o)); the rest are uplinks."""
    o = float(oversubscription)
    # a hair of tolerance so 128 · 1 / 2 is 64, not 63.99999
    return int(math.floor(ports * o / (1.0 + o) + 1e-9))


def leaf_server_ports(ports: float, radix: float, oversubscription: float) -> int:
    """Server-facing ports of a leaf rack of ``ports`` ports on ``radix``-port switches:
    each switch gives d = floor(k·o/(1+o)) of its k ports to servers, so the rack
    floor(ports · d / k) (the same as floor(ports · o/(1+o)) when o = 1)."""
    if not radix:
        return server_ports(ports, oversubscription)
    return int(math.floor(ports * server_ports(radix, oversubscription) / radix + 1e-9))


def clos_tiers(endpoints: int, radix: int, oversubscription: float = 1.0) -> list[int]:
    """Switches per tier, leaves first, for ``endpoints`` server links on ``radix``-port
    switches with leaf oversubscription o:

    d = floor(k·o/(1+o)); leaves S1 = ceil(E/d); uplinks U = S1·(k − d); tiers L = 1
    when S1 = 1, else the smallest L ≥ 2 with U ≤ 2·(k/2)^L; tiers 2 … L−1 hold
    ceil(U/(k/2)) switches each and the top tier ceil(U/k).

    >>> clos_tiers(251_136, 64)        # the worked example of issue 14
    [7848, 7848, 7848, 3924]
    """
    e = int(endpoints)
    k = int(radix)
    if e <= 0:
        return []
    if k < 4:   # (k/2 ports up and down per tier: a 2- or 3-port switch builds no tree)
        raise ValueError(f"a fabric of {k}-port switches cannot be built: a Clos needs switches of 4 ports or more")
    d = server_ports(k, oversubscription)
    if d < 1:
        raise ValueError(f"oversubscription {oversubscription} leaves no server port on a {k}-port switch")
    leaves = -(-e // d)
    if leaves == 1:
        return [1]
    uplinks = leaves * (k - d)
    if uplinks == 0:   # every port faces servers: leaves cannot reach each other
        raise ValueError(f"oversubscription {oversubscription} leaves no uplink on a {k}-port switch")
    half = k // 2
    tiers = 2
    while uplinks > 2 * half ** tiers:
        tiers += 1
    middle = -(-uplinks // half)
    return [leaves] + [middle] * (tiers - 2) + [-(-uplinks // k)]


def spine_racks_needed(tiers: list[int], switches_per_rack: int) -> int:
    """Spine racks that hold every switch above the leaves."""
    above = sum(tiers[1:])
    return -(-above // int(switches_per_rack)) if above else 0


