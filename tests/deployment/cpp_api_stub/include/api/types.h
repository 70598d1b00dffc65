// Declarations-only stand-in for include/api/types.h (see status.h).
#ifndef STUB_MINDSPORE_INCLUDE_API_TYPES_H
#define STUB_MINDSPORE_INCLUDE_API_TYPES_H
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>
namespace mindspore {
enum class DataType : int { kNumberTypeFloat32 = 43 };
enum ModelType : uint32_t { kMindIR = 0, kAIR = 1, kOM = 2, kONNX = 3, kMindIR_Lite = 4 };
class MSTensor {
 public:
  MSTensor();
  MSTensor(const std::string &name, enum DataType type, const std::vector<int64_t> &shape, const void *data,
           size_t data_len) noexcept;
  std::string Name() const;
  enum DataType DataType() const;
  const std::vector<int64_t> &Shape() const;
  std::shared_ptr<const void> Data() const;
  size_t DataSize() const;

 private:
  std::string name_;
  std::vector<int64_t> shape_;
  std::shared_ptr<const void> data_;
  size_t size_ = 0;
};
}  // namespace mindspore
#endif
