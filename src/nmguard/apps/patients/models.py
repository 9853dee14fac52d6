"""Records of this area arrive with its issue; the app exists so the area has a home."""
