/**
 * Offline pix2pix inference with the MindSpore C++ API (Ascend 310/910, GPU or CPU).
 *
 * Contract (see src/deployment/offline.py): every INPUT_DIR/NAME.bin holds one normalised input A as
 * float32 (1, 3, H, W) in C order; the generator's output G(A) is written to OUTPUT_DIR/NAME_0.bin
 * in the same layout, and the mean latency to OUTPUT_DIR/latency.txt.
 *
 * Usage: main --mindir_path=MODEL.mindir --input_dir=DIR --output_dir=DIR
 *             [--device_type=Ascend|GPU|CPU] [--device_id=0]
 *
 * Built against MindSpore Lite (cloud inference, -DENABLE_LITE) or the MindSpore package of the
 * Ascend toolkit; see build.sh.
 */
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "include/api/context.h"
#include "include/api/model.h"
#include "include/api/serialization.h"
#include "include/api/status.h"
#include "include/api/types.h"

namespace fs = std::filesystem;

namespace {

struct Options {
  std::string mindir_path;
  std::string input_dir;
  std::string output_dir;
  std::string device_type = "Ascend";
  uint32_t device_id = 0;
};

const char kUsage[] =
    "usage: main --mindir_path=MODEL.mindir --input_dir=DIR --output_dir=DIR "
    "[--device_type=Ascend|GPU|CPU] [--device_id=N]";

// Parses --key=value arguments; returns false (after printing why) on anything else.
bool ParseOptions(int argc, char **argv, Options *options) {
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    const auto equals = argument.find('=');
    if (argument.rfind("--", 0) != 0 || equals == std::string::npos) {
      std::cerr << "error: unexpected argument '" << argument << "'\n" << kUsage << std::endl;
      return false;
    }
    const std::string key = argument.substr(2, equals - 2);
    const std::string value = argument.substr(equals + 1);
    if (key == "mindir_path") {
      options->mindir_path = value;
    } else if (key == "input_dir") {
      options->input_dir = value;
    } else if (key == "output_dir") {
      options->output_dir = value;
    } else if (key == "device_type") {
      options->device_type = value;
    } else if (key == "device_id") {
      try {
        options->device_id = static_cast<uint32_t>(std::stoul(value));
      } catch (const std::exception &) {
        std::cerr << "error: --device_id expects a number, got '" << value << "'" << std::endl;
        return false;
      }
    } else {
      std::cerr << "error: unknown option --" << key << "\n" << kUsage << std::endl;
      return false;
    }
  }
  if (options->mindir_path.empty() || options->input_dir.empty() || options->output_dir.empty()) {
    std::cerr << "error: --mindir_path, --input_dir and --output_dir are required\n" << kUsage << std::endl;
    return false;
  }
  return true;
}

// A context holding one device description of the requested type, or nullptr for an unknown type.
std::shared_ptr<mindspore::Context> MakeContext(const Options &options) {
  auto context = std::make_shared<mindspore::Context>();
  if (options.device_type == "Ascend") {
    auto device = std::make_shared<mindspore::AscendDeviceInfo>();
    device->SetDeviceID(options.device_id);
    context->MutableDeviceInfo().push_back(device);
  } else if (options.device_type == "GPU") {
    auto device = std::make_shared<mindspore::GPUDeviceInfo>();
    device->SetDeviceID(options.device_id);
    context->MutableDeviceInfo().push_back(device);
  } else if (options.device_type == "CPU") {
    context->MutableDeviceInfo().push_back(std::make_shared<mindspore::CPUDeviceInfo>());
  } else {
    return nullptr;
  }
  return context;
}

mindspore::Status BuildModel(const std::string &mindir_path, const std::shared_ptr<mindspore::Context> &context,
                             mindspore::Model *model) {
#ifdef ENABLE_LITE
  return model->Build(mindir_path, mindspore::ModelType::kMindIR, context);
#else
  mindspore::Graph graph;
  auto status = mindspore::Serialization::Load(mindir_path, mindspore::ModelType::kMindIR, &graph);
  if (status != mindspore::kSuccess) {
    return status;
  }
  return model->Build(mindspore::GraphCell(graph), context);
#endif
}

// The .bin files of a folder, sorted by name.
std::vector<fs::path> ListInputs(const std::string &folder) {
  std::vector<fs::path> files;
  std::error_code error;
  for (const auto &entry : fs::directory_iterator(folder, error)) {
    if (entry.is_regular_file() && entry.path().extension() == ".bin") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool ReadBytes(const fs::path &path, std::vector<char> *bytes) {
  std::ifstream stream(path, std::ios::binary | std::ios::ate);
  if (!stream) {
    return false;
  }
  bytes->resize(static_cast<size_t>(stream.tellg()));
  stream.seekg(0);
  return static_cast<bool>(stream.read(bytes->data(), static_cast<std::streamsize>(bytes->size())));
}

bool WriteBytes(const fs::path &path, const void *data, size_t size) {
  // Write beside the target and rename, so a reader never sees a half-written output.
  const fs::path partial = path.string() + ".partial";
  {
    std::ofstream stream(partial, std::ios::binary | std::ios::trunc);
    if (!stream.write(static_cast<const char *>(data), static_cast<std::streamsize>(size))) {
      return false;
    }
  }
  std::error_code error;
  fs::rename(partial, path, error);
  return !error;
}

}  // namespace

int main(int argc, char **argv) {
  Options options;
  if (!ParseOptions(argc, argv, &options)) {
    return 2;
  }
  if (!fs::is_regular_file(options.mindir_path)) {
    std::cerr << "error: MINDIR file '" << options.mindir_path << "' does not exist" << std::endl;
    return 2;
  }
  const auto inputs = ListInputs(options.input_dir);
  if (inputs.empty()) {
    std::cerr << "error: no .bin inputs in '" << options.input_dir << "': run preprocess.py first" << std::endl;
    return 2;
  }
  auto context = MakeContext(options);
  if (context == nullptr) {
    std::cerr << "error: --device_type must be Ascend, GPU or CPU, got '" << options.device_type << "'" << std::endl;
    return 2;
  }
  mindspore::Model model;
  auto status = BuildModel(options.mindir_path, context, &model);
  if (status != mindspore::kSuccess) {
    std::cerr << "error: cannot build '" << options.mindir_path << "' on " << options.device_type << " "
              << options.device_id << ": " << status.ToString() << std::endl;
    return 1;
  }
  auto model_inputs = model.GetInputs();
  if (model_inputs.size() != 1) {
    std::cerr << "error: expected a generator with one input, the model has " << model_inputs.size() << std::endl;
    return 1;
  }
  const auto &input_spec = model_inputs[0];
  std::error_code error;
  fs::create_directories(options.output_dir, error);
  if (error) {
    std::cerr << "error: cannot create '" << options.output_dir << "': " << error.message() << std::endl;
    return 2;
  }

  std::vector<double> latencies_ms;
  std::vector<char> bytes;
  for (const auto &path : inputs) {
    if (!ReadBytes(path, &bytes)) {
      std::cerr << "error: cannot read '" << path.string() << "'" << std::endl;
      return 1;
    }
    if (bytes.size() != input_spec.DataSize()) {
      std::cerr << "error: '" << path.string() << "' holds " << bytes.size() << " bytes but the model input takes "
                << input_spec.DataSize() << ": preprocess with the --image_size used at export" << std::endl;
      return 2;
    }
    std::vector<mindspore::MSTensor> feed;
    feed.emplace_back(input_spec.Name(), input_spec.DataType(), input_spec.Shape(), bytes.data(), bytes.size());
    std::vector<mindspore::MSTensor> outputs;
    const auto started = std::chrono::steady_clock::now();
    status = model.Predict(feed, &outputs);
    const auto finished = std::chrono::steady_clock::now();
    if (status != mindspore::kSuccess) {
      std::cerr << "error: inference failed on '" << path.string() << "': " << status.ToString() << std::endl;
      return 1;
    }
    latencies_ms.push_back(std::chrono::duration<double, std::milli>(finished - started).count());
    for (size_t k = 0; k < outputs.size(); ++k) {
      const fs::path destination = fs::path(options.output_dir) / (path.stem().string() + "_" + std::to_string(k) + ".bin");
      if (!WriteBytes(destination, outputs[k].Data().get(), outputs[k].DataSize())) {
        std::cerr << "error: cannot write '" << destination.string() << "'" << std::endl;
        return 1;
      }
    }
    std::cout << "[" << latencies_ms.size() << "/" << inputs.size() << "] " << path.filename().string() << " "
              << latencies_ms.back() << " ms" << std::endl;
  }
  // The first call includes graph preparation; report the mean of the rest when there are any.
  const size_t skip = latencies_ms.size() > 1 ? 1 : 0;
  const double mean = std::accumulate(latencies_ms.begin() + skip, latencies_ms.end(), 0.0) /
                      static_cast<double>(latencies_ms.size() - skip);
  std::cout << "Ran " << inputs.size() << " inputs on " << options.device_type << ": " << mean << " ms per image"
            << std::endl;
  std::ofstream(fs::path(options.output_dir) / "latency.txt") << "mean_ms_per_image " << mean << "\ninputs "
                                                              << inputs.size() << "\n";
  return 0;
}
