"""Offline inference, step 1: python preprocess.py --val_data_dir DIR [--infer_dir DIR] [--image_size N]
[--file_name EXPORT_PREFIX] writes each pair's normalised input A (for an exported CycleGAN generator, each
picture of the side it translates: testA/ for G_A) as INFER_DIR/input/NAME.bin (float32, 1xCxNxN, C the
exported model's input channels) for the 310 program."""
import os

from src.dataset.image_coding import ImageCoding
from src.deployment.export_info import export_image_size, read_export_info, read_export_run
from src.deployment.offline import preprocess
from src.settings import load_config
from src.utils.errors import UserInputError, run_cli


def main(argv):
    config = load_config(argv, "preprocess")
    if not config.val_data_dir:
        raise UserInputError("--val_data_dir is not set: pass the pairs to preprocess")
    height, width = export_image_size(config)
    if height != width:
        raise UserInputError("preprocess.py makes square inputs: give one --image_size")
    coding = ImageCoding.from_spec(read_export_info(config.file_name))
    run = read_export_run(config.file_name)  # the layout and direction of its model, unless the run gives them
    preprocess(config.val_data_dir, config.infer_dir or os.path.join(config.output_path, "infer"), coding,
               config.dataset_mode or run.test_dataset_mode(), config.direction or run.direction, height,
               config.num_test)


if __name__ == "__main__":
    run_cli(main)
