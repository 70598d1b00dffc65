"""Data: reading images (image_io), the pair sources of every layout (pair_sources: the PairSource
contract; folder_sources; mindrecord_pairs), the door that opens them by --dataset_mode and the training and
test pipelines (pair_dataset), --preprocess (transforms), how pictures become arrays (image_coding) and the
embedded sample set (sample_data).

Owns getting pairs to the networks. May import utils only.
"""
