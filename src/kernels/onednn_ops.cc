// 2-D convolution and transposed convolution on oneDNN's direct kernels, as MindSpore AOT custom operators
// (ops.Custom func_type "aot"): forward, backward-data and backward-weights of each. The operators around them are
// in spatial_ops.cc, what all share in onednn_runtime.h; build.py builds the three into one library.
// Convolutions' tensors arrive in MindSpore's plain layouts (NCHW; weights OIHW, or IOHW for a transposed
// convolution); oneDNN picks the layouts its kernels want (format_tag::any) and the data is reordered into and out
// of them, which is what lets it run its direct (jit/brgemm) kernels instead of im2col + SGEMM. Primitives are made
// once per shape and reused. The library is MindSpore's own libdnnl (one oneDNN per process: they share the
// soname), run one call at a time on the project's own thread pool (onednn_runtime.cc) through oneDNN's threadpool
// interface.
//
// SetConvolutionPrecision(1) makes every primitive made afterwards read its inputs in bfloat16 (the reorders into
// the kernels' layouts convert them; AMX or AVX-512 BF16 kernels) and write float32; 0 restores float32.
//
// Every function takes (a, b, geometry, shape_of) and writes one output: geometry is int64[8] = stride
// h, w, padding top, bottom, left, right, dilation h, w (1 = none); shape_of is the tensor whose shape the
// output has (read for its shape only).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <mutex>
#include <new>
#include <string>
#include <unordered_map>

#include "oneapi/dnnl/dnnl.hpp"
#include "onednn_runtime.h"

using dnnl::memory;
using tag = memory::format_tag;
using onednn_kernels::cpu;
using onednn_kernels::cpu_stream;
using onednn_kernels::kernels_lock;
using onednn_kernels::key_of;
using onednn_kernels::made_once;
using onednn_kernels::running_lock;

namespace {
// The shapes of one convolution: src (N, C, H, W), weights as oneDNN sees them (O, I, kh, kw), dst.
struct Geometry {
  memory::dims src, weights, dst, strides, dilates, pad_l, pad_r;
  tag weights_tag;

  Geometry(const int64_t *src_shape, const int64_t *weights_shape, const int64_t *dst_shape, const int64_t *g,
           bool transposed)
      : src(src_shape, src_shape + 4), weights(weights_shape, weights_shape + 4), dst(dst_shape, dst_shape + 4),
        strides{g[0], g[1]}, dilates{g[6] - 1, g[7] - 1}, pad_l{g[2], g[4]}, pad_r{g[3], g[5]},
        weights_tag(transposed ? tag::iohw : tag::oihw) {
    if (transposed) std::swap(weights[0], weights[1]);  // MindSpore keeps (in, out, kh, kw)
  }

  std::string key(char kind) const { return key_of(kind, {&src, &weights, &dst, &strides, &dilates, &pad_l, &pad_r}); }
};

using data_type = memory::data_type;

memory::desc any(const memory::dims &dims, data_type type = data_type::f32) {
  return memory::desc(dims, type, tag::any);
}

// The type the primitives made from now on read their two inputs in (SetConvolutionPrecision: f32, or bf16,
// converted by the reorders into the kernels' layouts; outputs stay f32), guarded by kernels_lock.
data_type inputs_type = data_type::f32;

// The attributes of every convolution primitive: its scratchpad is handed to it (reused_buffer), and fpmath mode
// bf16 lets a form no kernel takes in bf16 tensors still compute in bfloat16 on f32 ones.
dnnl::primitive_attr kernel_attr() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  attr.set_fpmath_mode(inputs_type == data_type::bf16 ? dnnl::fpmath_mode::bf16 : dnnl::fpmath_mode::strict);
  return attr;
}

// One primitive, the three layouts it reads and writes, in the order of its (in, in, out) arguments, and the
// layout of its scratchpad.
struct Kernel {
  dnnl::primitive primitive;
  memory::desc layouts[3];
  int arguments[3];
  memory::desc scratchpad;
};

// `kind`'s primitive with its inputs in `in` and its output in f32: y = f(x, w), dx = d(dy, w), dw = w(x, dy).
template <typename Forward, typename BackwardData, typename BackwardWeights>
Kernel make_kernel(char kind, const Geometry &g, dnnl::algorithm algorithm, data_type in) {
  const data_type out = data_type::f32;
  typename Forward::primitive_desc hint(cpu(), dnnl::prop_kind::forward_training, algorithm, any(g.src, in),
                                        any(g.weights, in), any(g.dst, kind == 'f' ? out : in), g.strides, g.dilates,
                                        g.pad_l, g.pad_r, kernel_attr());
  if (kind == 'f')
    return {Forward(hint), {hint.src_desc(), hint.weights_desc(), hint.dst_desc()},
            {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST}, hint.scratchpad_desc()};
  if (kind == 'd') {
    typename BackwardData::primitive_desc pd(cpu(), algorithm, any(g.src, out), any(g.weights, in), any(g.dst, in),
                                             g.strides, g.dilates, g.pad_l, g.pad_r, hint, kernel_attr());
    return {BackwardData(pd), {pd.diff_dst_desc(), pd.weights_desc(), pd.diff_src_desc()},
            {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC}, pd.scratchpad_desc()};
  }
  typename BackwardWeights::primitive_desc pd(cpu(), algorithm, any(g.src, in), any(g.weights, out), any(g.dst, in),
                                              g.strides, g.dilates, g.pad_l, g.pad_r, hint, kernel_attr());
  return {BackwardWeights(pd), {pd.src_desc(), pd.diff_dst_desc(), pd.diff_weights_desc()},
          {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS}, pd.scratchpad_desc()};
}

// make_kernel in the inputs' type, or in f32 (computing in bf16 through fpmath mode) where no kernel takes the
// form in bf16 tensors.
template <typename Forward, typename BackwardData, typename BackwardWeights>
Kernel make_kernel(char kind, const Geometry &g, dnnl::algorithm algorithm) {
  if (inputs_type != data_type::f32) {
    try {
      return make_kernel<Forward, BackwardData, BackwardWeights>(kind, g, algorithm, inputs_type);
    } catch (const dnnl::error &) {
    }
  }
  return make_kernel<Forward, BackwardData, BackwardWeights>(kind, g, algorithm, data_type::f32);
}

std::map<std::string, Kernel> &kernels() {
  static std::map<std::string, Kernel> made;
  return made;
}

Kernel &kernel_for(char kind, const Geometry &g, bool transposed) {
  return made_once(kernels(), g.key(kind) + (transposed ? "t" : "c"), [&] {
    return transposed
        ? make_kernel<dnnl::deconvolution_forward, dnnl::deconvolution_backward_data,
                      dnnl::deconvolution_backward_weights>(kind, g, dnnl::algorithm::deconvolution_direct)
        : make_kernel<dnnl::convolution_forward, dnnl::convolution_backward_data,
                      dnnl::convolution_backward_weights>(kind, g, dnnl::algorithm::convolution_direct);
  });
}

// Buffer `slot` (0-2: the reordered copies of a call's tensors, 3: its scratchpad) with room for `bytes`, kept
// from call to call (calls run one at a time, under running_lock): made anew, a buffer over glibc's mmap threshold
// (32 MB at most) costs a page fault per 4 kB at every call.
void *reused_buffer(int slot, size_t bytes) {
  static void *buffers[4] = {nullptr, nullptr, nullptr, nullptr};
  static size_t sizes[4] = {0, 0, 0, 0};
  if (bytes > sizes[slot]) {
    std::free(buffers[slot]);
    sizes[slot] = (bytes + 63) / 64 * 64;
    buffers[slot] = std::aligned_alloc(64, sizes[slot]);
    if (!buffers[slot]) {
      sizes[slot] = 0;
      throw std::bad_alloc();
    }
  }
  return buffers[slot];
}

// Runs `kind` with the plain buffers `plain` (two inputs, one output) in the plain layouts `plain_tags`,
// reordering them into and out of the layouts the kernel chose.
void run(char kind, const Geometry &g, bool transposed, void *const plain[3], const memory::dims *dims[3],
         const tag plain_tags[3]) {
  Kernel &kernel = kernel_for(kind, g, transposed);
  std::lock_guard<std::mutex> one_at_a_time(running_lock);
  dnnl::stream &stream = cpu_stream();
  std::unordered_map<int, memory> arguments;
  memory user[3], used[3];
  for (int i = 0; i < 3; ++i) {
    user[i] = memory({*dims[i], memory::data_type::f32, plain_tags[i]}, cpu(), plain[i]);
    used[i] = user[i].get_desc() == kernel.layouts[i]
        ? user[i]
        : memory(kernel.layouts[i], cpu(), reused_buffer(i, kernel.layouts[i].get_size()));
    if (i < 2 && used[i].get_data_handle() != user[i].get_data_handle())
      dnnl::reorder(user[i], used[i]).execute(stream, user[i], used[i]);
    arguments[kernel.arguments[i]] = used[i];
  }
  arguments[DNNL_ARG_SCRATCHPAD] =
      memory(kernel.scratchpad, cpu(), reused_buffer(3, std::max<size_t>(kernel.scratchpad.get_size(), 1)));
  kernel.primitive.execute(stream, arguments);
  if (used[2].get_data_handle() != user[2].get_data_handle())
    dnnl::reorder(used[2], user[2]).execute(stream, used[2], user[2]);
  stream.wait();
}

// The three entry points of one operator, for a convolution or a transposed one. MindSpore's params are the
// inputs a, b, geometry, shape_of and then the output.
int entry(char kind, bool transposed, void **params, int64_t **shapes) {
  const int64_t *geometry = static_cast<const int64_t *>(params[2]);
  void *const a = params[0], *const b = params[1], *const out = params[4];
  try {
    if (kind == 'f') {  // (x, w) -> y
      Geometry g(shapes[0], shapes[1], shapes[4], geometry, transposed);
      void *const plain[3] = {a, b, out};
      const memory::dims *dims[3] = {&g.src, &g.weights, &g.dst};
      const tag tags[3] = {tag::nchw, g.weights_tag, tag::nchw};
      run(kind, g, transposed, plain, dims, tags);
    } else if (kind == 'd') {  // (dy, w) -> dx
      Geometry g(shapes[4], shapes[1], shapes[0], geometry, transposed);
      void *const plain[3] = {a, b, out};
      const memory::dims *dims[3] = {&g.dst, &g.weights, &g.src};
      const tag tags[3] = {tag::nchw, g.weights_tag, tag::nchw};
      run(kind, g, transposed, plain, dims, tags);
    } else {  // (dy, x) -> dw
      Geometry g(shapes[1], shapes[4], shapes[0], geometry, transposed);
      void *const plain[3] = {b, a, out};
      const memory::dims *dims[3] = {&g.src, &g.dst, &g.weights};
      const tag tags[3] = {tag::nchw, tag::nchw, g.weights_tag};
      run(kind, g, transposed, plain, dims, tags);
    }
  } catch (const dnnl::error &) {
    return 1;
  }
  return 0;
}
}  // namespace

extern "C" int SetConvolutionPrecision(int bfloat16) {
  std::lock_guard<std::mutex> hold(kernels_lock);
  inputs_type = bfloat16 ? data_type::bf16 : data_type::f32;
  kernels().clear();  // made in the other precision
  return 0;
}

#define DIRECT_CONV_ENTRY(name, kind, transposed)                                                             \
  extern "C" int name(int, void **params, int *, int64_t **shapes, const char **, void *, void *) { \
    return entry(kind, transposed, params, shapes);                                                    \
  }

DIRECT_CONV_ENTRY(ConvForward, 'f', false)
DIRECT_CONV_ENTRY(ConvBackwardData, 'd', false)
DIRECT_CONV_ENTRY(ConvBackwardWeights, 'w', false)
DIRECT_CONV_ENTRY(TransposedConvForward, 'f', true)
DIRECT_CONV_ENTRY(TransposedConvBackwardData, 'd', true)
DIRECT_CONV_ENTRY(TransposedConvBackwardWeights, 'w', true)
