"""Figures and reports built from plain values (no Django)."""
