// Declarations-only stand-in for the MindSpore C++ API (include/api/status.h), used to compile-check
// ascend310_infer/src/main.cc where no MindSpore C++ package is installed. Signatures follow the docs.
#ifndef STUB_MINDSPORE_INCLUDE_API_STATUS_H
#define STUB_MINDSPORE_INCLUDE_API_STATUS_H
#include <cstdint>
#include <string>
namespace mindspore {
enum StatusCode : uint32_t { kSuccess = 0 };
class Status {
 public:
  Status();
  Status(enum StatusCode status_code, const std::string &status_msg = "");  // NOLINT
  std::string ToString() const;
  bool operator==(enum StatusCode other_code) const;
  bool operator!=(enum StatusCode other_code) const;
};
}  // namespace mindspore
#endif
