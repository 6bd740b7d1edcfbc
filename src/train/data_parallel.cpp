// ProcessGroupSync over c10d. Debian's LibTorch 1.13 ships the Gloo headers; PyTorch's pip LibTorch (GPU machine)
// ships c10d but not gloo/*.h, and NCCL's nccl.h lives in the separate nvidia-nccl wheel (the build passes its
// include folder with -DCODESSM_NCCL_INCLUDE, which defines CODESSM_WITH_NCCL). Which backends exist is decided
// here, privately (USE_C10D_* from TorchConfig plus __has_include), never in the public header.
#include "codessm/train/data_parallel.h"

#include <fmt/format.h>

#if __has_include(<torch/csrc/distributed/c10d/TCPStore.hpp>)
#if defined(USE_C10D_GLOO) && __has_include(<gloo/algorithm.h>)
#define CODESSM_HAVE_GLOO 1
#include <torch/csrc/distributed/c10d/GlooDeviceFactory.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#if (defined(USE_C10D_NCCL) || defined(CODESSM_WITH_NCCL)) && __has_include(<nccl.h>)
#define CODESSM_HAVE_NCCL 1
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#if defined(CODESSM_HAVE_GLOO) || defined(CODESSM_HAVE_NCCL)
#define CODESSM_HAVE_C10D 1
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif
#endif

#include <cstdlib>

#include "codessm/core/error.h"

namespace codessm::train {

namespace {

int64_t env_int(const char* name, int64_t fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  try {
    return std::stoll(v);
  } catch (const std::exception&) {
    throw UsageError(fmt::format("environment variable {}='{}' is not an integer", name, v));
  }
}

}  // namespace

DistributedOptions DistributedOptions::from_env() {
  DistributedOptions o;
  o.rank = env_int("RANK", 0);
  o.world_size = env_int("WORLD_SIZE", 1);
  if (const char* a = std::getenv("MASTER_ADDR")) o.master_addr = a;
  o.master_port = env_int("MASTER_PORT", o.master_port);
  o.local_rank = env_int("LOCAL_RANK", o.rank);
  return o;
}

#ifdef CODESSM_HAVE_C10D
struct ProcessGroupSync::Impl {
  c10::intrusive_ptr<c10d::Store> store;
  // ProcessGroupGloo/NCCL are ProcessGroups in 1.13 and Backends in 2.x; both have the same collective signatures.
#ifdef CODESSM_HAVE_GLOO
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
#endif
#ifdef CODESSM_HAVE_NCCL
  c10::intrusive_ptr<c10d::ProcessGroupNCCL> nccl;
#endif

  /// Runs `collective(backend)` (e.g. an all-reduce) on whichever backend is active and waits for it.
  template <typename F>
  void run(F&& collective) {
#ifdef CODESSM_HAVE_NCCL
    if (nccl) {
      collective(*nccl)->wait();
      return;
    }
#endif
#ifdef CODESSM_HAVE_GLOO
    if (gloo) {
      collective(*gloo)->wait();
      return;
    }
#endif
    throw Error(ErrorKind::kInternal, "data parallel: no process group");
  }
};

ProcessGroupSync::ProcessGroupSync(const DistributedOptions& options) : options_(options), impl_(std::make_unique<Impl>()) {
  CODESSM_REQUIRE(options_.world_size >= 1 && options_.rank >= 0 && options_.rank < options_.world_size, UsageError,
                  "data parallel: rank {} is outside a world of size {} (RANK, WORLD_SIZE)", options_.rank,
                  options_.world_size);
  CODESSM_REQUIRE(options_.bucket_bytes > 0, UsageError, "data parallel: bucket_bytes must be > 0");
  const int rank = static_cast<int>(options_.rank), world = static_cast<int>(options_.world_size);
  try {
    if (!options_.file_store.empty()) {
      impl_->store = c10::make_intrusive<c10d::FileStore>(options_.file_store, world);
    } else {
      c10d::TCPStoreOptions so;
      so.port = static_cast<uint16_t>(options_.master_port);
      so.isServer = rank == 0;
      so.numWorkers = world;
      impl_->store = c10::make_intrusive<c10d::TCPStore>(options_.master_addr, so);
    }
    if (options_.backend == "gloo") {
#ifdef CODESSM_HAVE_GLOO
      auto go = c10d::ProcessGroupGloo::Options::create();
      // Loopback for single-host runs: the default device resolves the hostname, which sandboxes often cannot.
      const bool local = !options_.file_store.empty() || options_.master_addr == "127.0.0.1" ||
                         options_.master_addr == "localhost";
      go->devices.push_back(local ? c10d::GlooDeviceFactory::makeDeviceForInterface("lo")
                                  : c10d::ProcessGroupGloo::createDefaultDevice());
      impl_->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(impl_->store, rank, world, go);
#else
      throw UsageError("data parallel: backend gloo needs a LibTorch with the c10d Gloo headers (gloo/*.h); on CUDA "
                       "use nccl");
#endif
    } else if (options_.backend == "nccl") {
#ifdef CODESSM_HAVE_NCCL
      impl_->nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(impl_->store, rank, world);
#else
      throw UsageError("data parallel: backend nccl needs a CUDA LibTorch with NCCL headers; use gloo");
#endif
    } else {
      throw UsageError(fmt::format("data parallel: backend must be gloo or nccl, got '{}'", options_.backend));
    }
  } catch (const c10::Error& e) {
    throw DataError(fmt::format("data parallel: rendezvous of rank {} of {} failed ({}): {}", rank, world,
                                options_.file_store.empty()
                                    ? fmt::format("tcp {}:{}", options_.master_addr, options_.master_port)
                                    : "file " + options_.file_store,
                                e.what_without_backtrace()));
  }
}

ProcessGroupSync::~ProcessGroupSync() = default;

std::vector<double> ProcessGroupSync::sum_scalars(const std::vector<double>& values) {
  std::vector<at::Tensor> t{torch::tensor(values, torch::kFloat64)};  // (n)
#ifdef CODESSM_HAVE_NCCL
  // On this rank's own GPU: NCCL keys its communicator by device, so every collective of a rank must use one.
  if (impl_->nccl) t[0] = t[0].to(torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(options_.local_rank)));
#endif
  impl_->run([&](auto& pg) { return pg.allreduce(t); });
  auto host = t[0].to(torch::kCPU);
  return std::vector<double>(host.data_ptr<double>(), host.data_ptr<double>() + host.numel());
}

void ProcessGroupSync::all_reduce_gradients(const std::vector<torch::Tensor>& params) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> grads;
  for (const auto& p : params)
    if (p.grad().defined()) grads.push_back(p.grad());
  // Buckets of consecutive gradients: one collective per bucket instead of one per tensor.
  size_t begin = 0;
  while (begin < grads.size()) {
    size_t end = begin;
    int64_t bytes = 0;
    while (end < grads.size() && (end == begin || bytes + grads[end].numel() * 4 <= options_.bucket_bytes))
      bytes += grads[end++].numel() * 4;
    std::vector<torch::Tensor> flat_parts;
    for (size_t i = begin; i < end; ++i) flat_parts.push_back(grads[i].reshape({-1}).to(torch::kFloat32));
    std::vector<at::Tensor> bucket{torch::cat(flat_parts)};  // (Σ numel) fp32
    impl_->run([&](auto& pg) { return pg.allreduce(bucket); });
    int64_t off = 0;
    for (size_t i = begin; i < end; ++i) {
      const int64_t n = grads[i].numel();
      grads[i].copy_(bucket[0].narrow(0, off, n).view(grads[i].sizes()));
      off += n;
    }
    begin = end;
  }
}

void ProcessGroupSync::broadcast_parameters(const std::vector<torch::Tensor>& params) {
  torch::NoGradGuard no_grad;
  for (const auto& p : params) {
    std::vector<at::Tensor> t{p.detach()};
    impl_->run([&](auto& pg) { return pg.broadcast(t); });
  }
}

#else  // neither Gloo nor NCCL headers: the class exists, construction says why it cannot work

struct ProcessGroupSync::Impl {};
ProcessGroupSync::ProcessGroupSync(const DistributedOptions& options) : options_(options) {
  throw UsageError("data parallel: this codessm was built against a LibTorch without the c10d Gloo headers "
                   "(gloo/*.h) and without NCCL (nccl.h; pass -DCODESSM_NCCL_INCLUDE=DIR); build against Debian's "
                   "libtorch-dev, or give the NCCL include folder on CUDA");
}
ProcessGroupSync::~ProcessGroupSync() = default;
std::vector<double> ProcessGroupSync::sum_scalars(const std::vector<double>& values) { return values; }
void ProcessGroupSync::all_reduce_gradients(const std::vector<torch::Tensor>&) {}
void ProcessGroupSync::broadcast_parameters(const std::vector<torch::Tensor>&) {}

#endif

bool ProcessGroupSync::available() {
#ifdef CODESSM_HAVE_GLOO
  return true;
#else
  return false;
#endif
}

bool ProcessGroupSync::nccl_available() {
#ifdef CODESSM_HAVE_NCCL
  return true;
#else
  return false;
#endif
}

}  // namespace codessm::train
