// A stand-in runtime for the stub headers, so tests can run ascend310_infer/src/main.cc without
// MindSpore: the "model" takes float32 (1, 3, 32, 32) and returns its input negated.
#include <cstring>
#include <vector>
#include "include/api/model.h"
#include "include/api/serialization.h"

namespace mindspore {
Status::Status() {}
Status::Status(enum StatusCode, const std::string &) {}
std::string Status::ToString() const { return "stub"; }
bool Status::operator==(enum StatusCode) const { return true; }
bool Status::operator!=(enum StatusCode) const { return false; }

MSTensor::MSTensor() {}
MSTensor::MSTensor(const std::string &name, enum DataType, const std::vector<int64_t> &shape, const void *data,
                   size_t data_len) noexcept
    : name_(name), shape_(shape), size_(data_len) {
  std::shared_ptr<char> copy(new char[data_len], std::default_delete<char[]>());
  if (data != nullptr) std::memcpy(copy.get(), data, data_len);
  data_ = copy;
}
std::string MSTensor::Name() const { return name_; }
enum DataType MSTensor::DataType() const { return DataType::kNumberTypeFloat32; }
const std::vector<int64_t> &MSTensor::Shape() const { return shape_; }
std::shared_ptr<const void> MSTensor::Data() const { return data_; }
size_t MSTensor::DataSize() const { return size_; }

void GPUDeviceInfo::SetDeviceID(uint32_t) {}
void AscendDeviceInfo::SetDeviceID(uint32_t) {}
std::vector<std::shared_ptr<DeviceInfoContext>> &Context::MutableDeviceInfo() {
  static std::vector<std::shared_ptr<DeviceInfoContext>> devices;
  return devices;
}
GraphCell::GraphCell(const Graph &) {}
Status Serialization::Load(const std::string &, ModelType, Graph *) { return Status(); }
Status Model::Build(GraphCell, const std::shared_ptr<Context> &) { return Status(); }
Status Model::Build(const std::string &, ModelType, const std::shared_ptr<Context> &) { return Status(); }
std::vector<MSTensor> Model::GetInputs() {
  return {MSTensor("real_A", DataType::kNumberTypeFloat32, {1, 3, 32, 32}, nullptr, 3 * 32 * 32 * sizeof(float))};
}
Status Model::Predict(const std::vector<MSTensor> &inputs, std::vector<MSTensor> *outputs) {
  std::vector<float> values(inputs[0].DataSize() / sizeof(float));
  std::memcpy(values.data(), inputs[0].Data().get(), inputs[0].DataSize());
  for (auto &value : values) value = -value;
  outputs->emplace_back("fake_B", DataType::kNumberTypeFloat32, inputs[0].Shape(), values.data(), inputs[0].DataSize());
  return Status();
}
}  // namespace mindspore
