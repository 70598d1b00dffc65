// Declarations-only stand-in for include/api/context.h (see status.h).
#ifndef STUB_MINDSPORE_INCLUDE_API_CONTEXT_H
#define STUB_MINDSPORE_INCLUDE_API_CONTEXT_H
#include <cstdint>
#include <memory>
#include <vector>
namespace mindspore {
class DeviceInfoContext {
 public:
  virtual ~DeviceInfoContext() = default;
};
class CPUDeviceInfo : public DeviceInfoContext {};
class GPUDeviceInfo : public DeviceInfoContext {
 public:
  void SetDeviceID(uint32_t device_id);
};
class AscendDeviceInfo : public DeviceInfoContext {
 public:
  void SetDeviceID(uint32_t device_id);
};
class Context {
 public:
  std::vector<std::shared_ptr<DeviceInfoContext>> &MutableDeviceInfo();
};
}  // namespace mindspore
#endif
