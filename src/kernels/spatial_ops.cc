// The operators around the convolutions, as MindSpore AOT custom operators on NCHW float32: pix2pixHD's halving
// average pool (HalvingPool*), reflection padding (ReflectionPad*), forward and backward, and dropout's mask
// (DropoutMask). Built with onednn_ops.cc into one library (build.py); they run on its thread pool, one call at a
// time (onednn_runtime.h).
#include <algorithm>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "oneapi/dnnl/dnnl.hpp"
#include "onednn_runtime.h"

using dnnl::memory;
using tag = memory::format_tag;
using onednn_kernels::cpu;
using onednn_kernels::cpu_stream;
using onednn_kernels::key_of;
using onednn_kernels::made_once;
using onednn_kernels::running_lock;

// pix2pixHD's halving average pool: AvgPool2d(3, stride 2, padding 1, count_include_pad False) on NCHW, which
// oneDNN runs directly on the plain layout (no reorders). HalvingPoolForward(x) -> y; HalvingPoolBackward(dy, x)
// -> dx, x read for its shape only. y's sides are ceil(x's / 2).
namespace {
std::map<std::string, dnnl::primitive> &pools() {
  static std::map<std::string, dnnl::primitive> made;
  return made;
}

dnnl::primitive make_pool(bool backward, const memory::desc &src, const memory::desc &dst) {
  const memory::dims strides{2, 2}, kernel{3, 3}, dilation{0, 0}, padding_l{1, 1};
  // The right padding that makes oneDNN's output side (side + l + r - 3) / 2 + 1 equal ceil(side / 2).
  const memory::dims padding_r{(dst.get_dims()[2] - 1) * 2 + 3 - src.get_dims()[2] - 1,
                               (dst.get_dims()[3] - 1) * 2 + 3 - src.get_dims()[3] - 1};
  const auto algorithm = dnnl::algorithm::pooling_avg_exclude_padding;
  dnnl::pooling_forward::primitive_desc hint(cpu(), dnnl::prop_kind::forward_training, algorithm, src, dst, strides,
                                             kernel, dilation, padding_l, padding_r);
  if (!backward) return dnnl::pooling_forward(hint);
  return dnnl::pooling_backward(dnnl::pooling_backward::primitive_desc(
      cpu(), algorithm, src, dst, strides, kernel, dilation, padding_l, padding_r, hint));
}

dnnl::primitive &pool_for(bool backward, const memory::desc &src, const memory::desc &dst) {
  const memory::dims src_dims = src.get_dims(), dst_dims = dst.get_dims();
  return made_once(pools(), key_of(backward ? 'b' : 'f', {&src_dims, &dst_dims}),
                   [&] { return make_pool(backward, src, dst); });
}

int pool_entry(bool backward, void *input, const int64_t *input_shape, void *output, const int64_t *output_shape) {
  try {
    memory::desc in({input_shape, input_shape + 4}, memory::data_type::f32, tag::nchw);
    memory::desc out({output_shape, output_shape + 4}, memory::data_type::f32, tag::nchw);
    const memory::desc &src = backward ? out : in, &dst = backward ? in : out;
    dnnl::primitive &pool = pool_for(backward, src, dst);
    std::lock_guard<std::mutex> one_at_a_time(running_lock);
    memory from(in, cpu(), input), to(out, cpu(), output);
    if (backward)
      pool.execute(cpu_stream(), {{DNNL_ARG_DIFF_DST, from}, {DNNL_ARG_DIFF_SRC, to}});
    else
      pool.execute(cpu_stream(), {{DNNL_ARG_SRC, from}, {DNNL_ARG_DST, to}});
    cpu_stream().wait();
  } catch (const dnnl::error &) {
    return 1;
  }
  return 0;
}
}  // namespace

extern "C" int HalvingPoolForward(int, void **params, int *, int64_t **shapes, const char **, void *, void *) {
  return pool_entry(false, params[0], shapes[0], params[1], shapes[1]);
}

extern "C" int HalvingPoolBackward(int, void **params, int *, int64_t **shapes, const char **, void *, void *) {
  return pool_entry(true, params[0], shapes[0], params[2], shapes[2]);
}

// Reflection padding of H and W by p pixels (PyTorch's ReflectionPad2d), on NCHW float32, p read from the shapes:
// ReflectionPadForward(x) -> y, (N, C, H + 2p, W + 2p); ReflectionPadBackward(dy, x) -> dx, x read for its shape
// only, each pixel of dx the sum of dy over the pixels that copy it.
namespace {
int64_t reflected(int64_t i, int64_t side) { return i < 0 ? -i : (i >= side ? 2 * (side - 1) - i : i); }

// body(plane) for each (n, c) plane of `shape`, on the worker pool.
template <typename Body>
void each_plane(const int64_t *shape, Body body) {
  const int64_t planes = shape[0] * shape[1];
  std::lock_guard<std::mutex> one_at_a_time(running_lock);
  onednn_kernels::run_in_parallel(static_cast<int>(std::min<int64_t>(planes, 1024)), [&](int part, int parts) {
    for (int64_t plane = part; plane < planes; plane += parts) body(plane);
  });
}

void pad_forward(const float *x, const int64_t *x_shape, float *y, const int64_t *y_shape) {
  const int64_t h = x_shape[2], w = x_shape[3], p = (y_shape[3] - w) / 2, out_w = y_shape[3];
  each_plane(x_shape, [&](int64_t plane) {
    const float *source = x + plane * h * w;
    float *target = y + plane * y_shape[2] * out_w;
    for (int64_t row = 0; row < y_shape[2]; ++row, target += out_w) {
      const float *line = source + reflected(row - p, h) * w;
      for (int64_t j = 0; j < p; ++j) target[j] = line[p - j], target[p + w + j] = line[w - 2 - j];
      std::copy(line, line + w, target + p);
    }
  });
}

void pad_backward(const float *dy, const int64_t *dy_shape, float *dx, const int64_t *x_shape) {
  const int64_t h = x_shape[2], w = x_shape[3], p = (dy_shape[3] - w) / 2, out_w = dy_shape[3];
  each_plane(x_shape, [&](int64_t plane) {
    const float *source = dy + plane * dy_shape[2] * out_w;
    float *target = dx + plane * h * w;
    std::fill(target, target + h * w, 0.0f);
    for (int64_t row = 0; row < dy_shape[2]; ++row, source += out_w) {
      float *line = target + reflected(row - p, h) * w;
      for (int64_t j = 0; j < w; ++j) line[j] += source[p + j];
      for (int64_t j = 0; j < p; ++j) line[p - j] += source[j], line[w - 2 - j] += source[p + w + j];
    }
  });
}
}  // namespace

extern "C" int ReflectionPadForward(int, void **params, int *, int64_t **shapes, const char **, void *, void *) {
  pad_forward(static_cast<const float *>(params[0]), shapes[0], static_cast<float *>(params[1]), shapes[1]);
  return 0;
}

extern "C" int ReflectionPadBackward(int, void **params, int *, int64_t **shapes, const char **, void *, void *) {
  pad_backward(static_cast<const float *>(params[0]), shapes[0], static_cast<float *>(params[2]), shapes[2]);
  return 0;
}

// Dropout's mask: DropoutMask(seed, keep, shape_of) -> mask, float32 in shape_of's shape, each value 1 / keep with
// probability keep and 0 otherwise (seed int32[1], keep float32[1], 0 < keep < 1). The values come from splitmix64
// on the position, two per draw, so a mask is a function of the seed alone, whichever thread draws which part.
namespace {
constexpr uint64_t golden_gamma = 0x9e3779b97f4a7c15ULL;

inline uint64_t splitmix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// One value of the mask from 32 random bits.
inline float mask_value(uint32_t bits, uint32_t threshold, float scale) { return bits < threshold ? scale : 0.0f; }

// Values 2 * first .. 2 * end - 1 of the mask. Vectorised, and cloned for AVX-512 and AVX2 (picked when the library
// loads): with vector 64-bit products it runs 15x faster than the scalar baseline build.
__attribute__((target_clones("arch=x86-64-v4", "avx2", "default"), optimize("tree-vectorize"))) void draw_pairs(
    float *mask, int64_t first, int64_t end, uint64_t start, uint32_t threshold, float scale) {
  for (int64_t draw = first; draw < end; ++draw) {
    const uint64_t bits = splitmix64(start + (draw + 1) * golden_gamma);
    mask[2 * draw] = mask_value(static_cast<uint32_t>(bits), threshold, scale);
    mask[2 * draw + 1] = mask_value(static_cast<uint32_t>(bits >> 32), threshold, scale);
  }
}

void dropout_mask(uint64_t seed, float keep, float *mask, int64_t count) {
  const uint64_t start = splitmix64(seed) * golden_gamma;
  const uint32_t threshold = static_cast<uint32_t>(std::min(keep * 4294967296.0, 4294967295.0));
  const float scale = 1.0f / keep;
  const int64_t pairs = count / 2, parts = std::max<int64_t>(1, std::min<int64_t>(pairs / 4096, 64));
  std::lock_guard<std::mutex> one_at_a_time(running_lock);
  onednn_kernels::run_in_parallel(static_cast<int>(parts), [=](int part, int) {
    draw_pairs(mask, pairs * part / parts, pairs * (part + 1) / parts, start, threshold, scale);
  });
  if (count % 2) {  // the last value: the low half of the next draw
    const uint64_t bits = splitmix64(start + (pairs + 1) * golden_gamma);
    mask[count - 1] = mask_value(static_cast<uint32_t>(bits), threshold, scale);
  }
}
}  // namespace

extern "C" int DropoutMask(int, void **params, int *ndims, int64_t **shapes, const char **, void *, void *) {
  int64_t count = 1;
  for (int i = 0; i < ndims[3]; ++i) count *= shapes[3][i];
  dropout_mask(static_cast<uint64_t>(*static_cast<const int32_t *>(params[0])), *static_cast<const float *>(params[1]),
               static_cast<float *>(params[3]), count);
  return 0;
}
