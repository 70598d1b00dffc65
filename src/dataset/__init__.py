"""Data: reading images (image_io), the pair sources of every layout (pair_sources: the PairSource
contract; folder_sources; mindrecord_pairs; label_sources), the door that opens them by --dataset_mode and the
training and test pipelines (pair_dataset), --preprocess (transforms), how pictures and label maps become
arrays (image_coding, label_maps), the embedded sample set (sample_data) and synthetic Cityscapes-format
street scenes (street_scenes).

Owns getting pairs to the networks. May import utils only.
"""
