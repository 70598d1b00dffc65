"""Utilities every room uses: errors and the command-line wrapper (errors), reading settings (config) and
their rules (setting_rules), the registry behind every extension point (registry), devices and data
parallelism (device), the oneDNN instruction set chosen for the CPU (cpu_isa) and the census of the kernels
oneDNN ran (onednn_kernels), output folders (output_folders), logs, pictures and atomic writes (tools), learning
rates (lr_schedule) and metrics (metrics).

The ground floor: imports nothing of the project above it.
"""
