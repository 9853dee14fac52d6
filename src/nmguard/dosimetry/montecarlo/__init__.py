"""Monte Carlo photon transport in voxelised media (CPU with numba, GPU with numba.cuda)."""

from nmguard.dosimetry.montecarlo.simulate import PhotonMCResult, simulate_photons

__all__ = ["PhotonMCResult", "simulate_photons"]
