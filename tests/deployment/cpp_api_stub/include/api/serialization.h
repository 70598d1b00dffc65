// Declarations-only stand-in for include/api/serialization.h (see status.h).
#ifndef STUB_MINDSPORE_INCLUDE_API_SERIALIZATION_H
#define STUB_MINDSPORE_INCLUDE_API_SERIALIZATION_H
#include <string>
#include "include/api/model.h"
namespace mindspore {
class Serialization {
 public:
  static Status Load(const std::string &file, ModelType model_type, Graph *graph);
};
}  // namespace mindspore
#endif
