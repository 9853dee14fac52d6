"""Reliability drills (issue 12 item 8): ``make drills`` runs :mod:`tools.drills.drill`."""
