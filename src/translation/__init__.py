"""Translation: the Python API (translator: pictures of any size, padding and tiles), the backends a
generator runs on (backends: MindSpore, ONNX Runtime), predict.py's files (predictor) and demo.py's web page
(demo_page, which alone imports Gradio).

Owns turning users' pictures into translations. May import deployment (for the ONNX Runtime backend),
models, dataset and utils; nothing below imports it.
"""
