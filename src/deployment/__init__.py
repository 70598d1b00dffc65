"""Deployment: what an export is (export_info: formats, sizes, the JSON beside each model), exporting
(export_model, exporter: export.py), running exports (runners: MINDIR, ONNX Runtime) and the offline .bin
flow of the Ascend 310 program (offline).

Owns exported models. May import evaluation (the offline flow reports as eval.py does), models, dataset
and utils; export_info imports neither onnx nor MindSpore's exporter, so the settings checks can use it.
"""
