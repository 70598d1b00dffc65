// The runtime the kernels share (onednn_runtime.h): the project's own thread pool, passed to oneDNN through its
// threadpool interface, so that the kernels need no OpenMP and idle threads sleep.
#include "onednn_runtime.h"

#include <sched.h>

#include <algorithm>
#include <condition_variable>
#include <thread>

#include "oneapi/dnnl/dnnl_threadpool.hpp"

namespace {
// The threads oneDNN's kernels run on: one per usable core, the calling thread included. Idle workers sleep
// rather than spin, so that between two kernels MindSpore's own operators have every core.
class WorkerPool : public dnnl::threadpool_interop::threadpool_iface {
 public:
  explicit WorkerPool(int threads) : threads_(threads) {
    for (int k = 1; k < threads_; ++k) std::thread([this, k] { work(k); }).detach();
  }
  int get_num_threads() const override { return threads_; }
  bool get_in_parallel() const override { return inside_; }
  uint64_t get_flags() const override { return 0; }  // synchronous: parallel_for returns when done

  void parallel_for(int n, const std::function<void(int, int)> &body) override {
    if (n <= 1 || threads_ == 1 || inside_) {
      for (int i = 0; i < n; ++i) body(i, n);
      return;
    }
    std::lock_guard<std::mutex> one_job(job_lock_);
    {
      std::lock_guard<std::mutex> hold(lock_);
      body_ = &body, n_ = n, pending_ = threads_ - 1, ++generation_;
    }
    wake_.notify_all();
    share(0);
    std::unique_lock<std::mutex> hold(lock_);
    done_.wait(hold, [this] { return pending_ == 0; });
  }

 private:
  void share(int k) {  // the parts k, k + threads, ... of the job
    inside_ = true;
    for (int i = k; i < n_; i += threads_) (*body_)(i, n_);
    inside_ = false;
  }

  void work(int k) {
    uint64_t seen = 0;
    std::unique_lock<std::mutex> hold(lock_);
    for (;;) {
      wake_.wait(hold, [&] { return generation_ != seen; });
      seen = generation_;
      hold.unlock();
      share(k);
      hold.lock();
      if (--pending_ == 0) done_.notify_one();
    }
  }

  const int threads_;
  std::mutex job_lock_, lock_;
  std::condition_variable wake_, done_;
  const std::function<void(int, int)> *body_ = nullptr;
  int n_ = 0, pending_ = 0;
  uint64_t generation_ = 0;
  static thread_local bool inside_;
};
thread_local bool WorkerPool::inside_ = false;

int usable_cores() {
  cpu_set_t cores;
  return sched_getaffinity(0, sizeof(cores), &cores) == 0 ? std::max(1, CPU_COUNT(&cores)) : 1;
}

WorkerPool &workers() {
  static WorkerPool *pool = new WorkerPool(usable_cores());  // never destroyed: its workers outlive main()
  return *pool;
}

}  // namespace

namespace onednn_kernels {
std::mutex kernels_lock, running_lock;

dnnl::engine &cpu() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream &cpu_stream() {
  static dnnl::stream stream = dnnl::threadpool_interop::make_stream(cpu(), &workers());
  return stream;
}

void run_in_parallel(int parts, const std::function<void(int, int)> &body) { workers().parallel_for(parts, body); }

std::string key_of(char kind, std::initializer_list<const dnnl::memory::dims *> all_dims) {
  std::string text(1, kind);
  for (const dnnl::memory::dims *dims : all_dims)
    for (auto value : *dims) text += "," + std::to_string(value);
  return text;
}
}  // namespace onednn_kernels
