"""Equipment QC, pure layer: the test catalogue, evaluation against bands, activity-meter and counting analyses.

No Django import. The Django equipment app stores the results and acts on the outcome.
"""
