"""Geometry of the NEMA NU 2 / IEC 61675-1 body (image-quality) phantom, as used by the analyses and the synthesis.

Source (status secondary): the analytical IEC phantom model of OpenGATE, ``opengate/contrib/phantoms/nemaiec.py``
(GitHub OpenGATE/opengate, commit 003e94b165b7d70e3843cd3d8d2611e40ddbd417; sources.toml id
``opengate-nemaiec-geometry``): six spheres with inner diameters 10, 13, 17, 22, 28, 37 mm (1 mm wall), centres in one
transverse plane on a circle of diameter 114.54 mm (NEMA NU 2 quotes 114.4 mm: from memory, unverified) around the
lung insert, 60° apart in order of size; the lung insert (outer radius 25 mm, inner 21 mm) lies 35 mm anterior of the
body axis; the body interior is a half cylinder of radius 147 mm on a 140 mm wide, 77 mm deep base with quarter
cylinders of radius 77 mm at its corners (outer shell 3 mm thicker).
"""

from __future__ import annotations

import math

import numpy as np

GEOMETRY_SOURCE = "opengate-nemaiec-geometry"
GEOMETRY_STATUS = "secondary"

SPHERE_DIAMETERS_MM: tuple[int, ...] = (10, 13, 17, 22, 28, 37)
RING_ORDER_MM: tuple[int, ...] = (37, 28, 22, 17, 13, 10)  # consecutive 60° steps around the ring
RING_RADIUS_MM = 114.5367 / 2
LUNG_INSERT_OUTER_RADIUS_MM = 25.0
LUNG_INSERT_INNER_RADIUS_MM = 21.0
LUNG_OFFSET_FROM_BODY_AXIS_MM = 35.0  # anterior (towards −y in patient coordinates, supine)
BODY_TOP_RADIUS_MM = 147.0
BODY_BASE_HALF_WIDTH_MM = 70.0
BODY_BASE_RADIUS_MM = 77.0


def sphere_centres(ring_centre_mm, angle_deg: float = 0.0, clockwise: bool = False) -> dict[int, np.ndarray]:
    """Sphere centres (patient mm) on a transverse ring: the 37 mm sphere at ``angle_deg`` from +x, then 60° steps."""
    centre = np.asarray(ring_centre_mm, dtype=float)
    sign = -1.0 if clockwise else 1.0
    out = {}
    for i, d in enumerate(RING_ORDER_MM):
        a = math.radians(angle_deg + sign * 60.0 * i)
        out[d] = centre + RING_RADIUS_MM * np.array([math.cos(a), math.sin(a), 0.0])
    return out


def body_interior_mask(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Inside the body interior; ``u`` lateral, ``v`` anterior (mm) from the body axis."""
    top = (v >= 0) & (u * u + v * v <= BODY_TOP_RADIUS_MM**2)
    base = (
        (v < 0)
        & (v >= -BODY_BASE_RADIUS_MM)
        & (
            (np.abs(u) <= BODY_BASE_HALF_WIDTH_MM)
            | ((np.abs(u) - BODY_BASE_HALF_WIDTH_MM) ** 2 + v * v <= BODY_BASE_RADIUS_MM**2)
        )
    )
    return top | base


def sphere_volume_mL(diameter_mm: float) -> float:
    return math.pi / 6.0 * diameter_mm**3 / 1000.0
