// Declarations-only stand-in for include/api/model.h and its Graph/GraphCell (see status.h).
#ifndef STUB_MINDSPORE_INCLUDE_API_MODEL_H
#define STUB_MINDSPORE_INCLUDE_API_MODEL_H
#include <memory>
#include <string>
#include <vector>
#include "include/api/context.h"
#include "include/api/status.h"
#include "include/api/types.h"
namespace mindspore {
class Graph {};
class GraphCell {
 public:
  explicit GraphCell(const Graph &graph);
};
class Model {
 public:
  Status Build(GraphCell graph, const std::shared_ptr<Context> &model_context = nullptr);
  Status Build(const std::string &model_path, ModelType model_type,
               const std::shared_ptr<Context> &model_context = nullptr);
  std::vector<MSTensor> GetInputs();
  Status Predict(const std::vector<MSTensor> &inputs, std::vector<MSTensor> *outputs);
};
}  // namespace mindspore
#endif
