"""Equipment register and QC programme (activity meters, cameras, PET)."""
