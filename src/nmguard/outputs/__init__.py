"""The files a run leaves behind: RT Dose, Parametric Map, results JSON and the HTML report, written atomically.

Above ``dosimetry``, ``exchange`` and ``reporting``: it puts their pieces together, so none of them imports it.
"""
