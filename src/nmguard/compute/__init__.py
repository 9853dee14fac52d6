"""Running heavy work: locally (threads/processes) or on a Dask cluster (``NMGUARD_DASK_SCHEDULER``)."""
