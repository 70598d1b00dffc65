"""Pix2Pix for MindSpore. Rooms by job, each importing only the rooms below it (see each __init__):
utils; dataset and models; weights; evaluation; deployment; translation and training; then settings (what
each command reads, with the choices from the rooms that own them) and the entry points at the root."""

from src.utils.cpu_isa import onednn_isa_in_force

# Before anything of MindSpore computes, whichever module of the project is imported first (src/utils/cpu_isa.py).
onednn_isa_in_force()
