// What the kernels of this folder share (onednn_ops.cc's convolutions, spatial_ops.cc's pool, padding and dropout
// mask, all built into one library by build.py): oneDNN's CPU engine, a stream on the project's own thread pool,
// the lock that lets one call run at a time, and a cache of primitives made once per shape.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <mutex>
#include <string>

#include "oneapi/dnnl/dnnl.hpp"

namespace onednn_kernels {
// oneDNN's CPU engine, and a stream whose kernels run on the project's thread pool (onednn_runtime.cc).
dnnl::engine &cpu();
dnnl::stream &cpu_stream();

// body(part, parts) for part = 0 .. parts - 1, on the same thread pool; returns when all are done.
void run_in_parallel(int parts, const std::function<void(int, int)> &body);

// kernels_lock guards the primitive caches and the precision; running_lock lets one call run at a time: MindSpore may
// launch two operators at once, and each call wants every core (and the convolutions' reused buffers).
extern std::mutex kernels_lock, running_lock;

// A primitive cache's key: `kind`, then every number of `all_dims`.
std::string key_of(char kind, std::initializer_list<const dnnl::memory::dims *> all_dims);

// The entry of `cache` under `key`, made by make() the first time (primitives are costly to make).
template <typename Value, typename Make>
Value &made_once(std::map<std::string, Value> &cache, const std::string &key, Make make) {
  std::lock_guard<std::mutex> hold(kernels_lock);
  auto found = cache.find(key);
  if (found == cache.end()) found = cache.emplace(key, make()).first;
  return found->second;
}
}  // namespace onednn_kernels
