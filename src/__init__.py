"""Pix2Pix for MindSpore. Rooms by job, each importing only the rooms below it (see each __init__):
utils; dataset and models; weights; evaluation; deployment; translation and training; then settings (what
each command reads, with the choices from the rooms that own them) and the entry points at the root."""
