// Chunked Toeplitz form of the shared-kernel S4D convolution (see the header and docs/math/ssm_conv.md).
// Causal, chunk c = positions [c·Cc, (c+1)·Cc), i = t − c·Cc, Ā_n = e^{ΔA_n}, C̃_n = C_n·B̄_n,
// K[l] = Re Σ_n C̃_n Ā_n^l:
//   y_t = Σ_{j in chunk c, j≤t} K[t−j] u_j + D u_t                        (local: dense Toeplitz block)
//       + Re Σ_n C̃_n Ā_n^{i+1} h_{c,n},   h_{c,n} = Σ_{j<c·Cc} Ā_n^{c·Cc−1−j} u_j
//   h_c = Σ_{c'<c} z^{c−1−c'} s_{c'},   s_{c',n} = Σ_k Ā_n^{Cc−1−k} u_{c'Cc+k},   z = Ā^{Cc}
// Anti-causal mirrors it: W_in = Ā^k, W_out = C̃ Ā^{Cc−i}, h_c = Σ_{c'>c} z^{c'−c−1} s_{c'}, local block Tᵀ.
// Complex modes are carried as 2N real rows (real parts, then imaginary parts), so every product is a real
// GEMM in the input's dtype. Everything is plain differentiable tensor code except toeplitz_lower, whose
// backward is written out; autograd turns each product into the two products of its gradient.
#include "codessm/kernels/ssm_conv.h"

#include <optional>
#include <vector>

#include "codessm/core/error.h"
#include "codessm/kernels/batch_product.h"
#include "codessm/kernels/s4d_kernel.h"
#include "codessm/tensor/profile_scope.h"
#include "codessm/tensor/torch_compat.h"

namespace codessm::kernels {

namespace {

using ChunkMatrices = SsmConvPlan;

ChunkMatrices chunk_matrices(const torch::Tensor& log_step, const torch::Tensor& A_re, const torch::Tensor& A_im,
                             const torch::Tensor& C, const torch::Tensor& skip, int64_t Cc, int64_t nc,
                             bool anticausal, c10::optional<torch::ScalarType> matrix_dtype) {
  ChunkMatrices m;
  m.Cc = Cc;
  m.nc = nc;
  m.anticausal = anticausal;
  auto k_local = s4d_kernel(log_step, A_re, A_im, C, Cc);                       // r(K Cc)
  const int64_t K = k_local.size(0);
  // D·u on T's diagonal is D added to the kernel's first tap (T[i][i] = k[0]): no (K Cc Cc) eye product and
  // sum, which at L 4096 were two transient copies of every block's T (1.5 GiB each for codessm-base).
  auto tap0 = torch::zeros({Cc}, k_local.options());                            // r(Cc)
  tap0.select(0, 0).fill_(1.0);  // a fill on the device (index_put_ with a number copied it from the host and waited)
  auto taps = k_local + skip.reshape({K, 1}).to(k_local.scalar_type()) * tap0;  // r(K Cc)
  if (matrix_dtype) taps = taps.to(*matrix_dtype);
  m.T = toeplitz_lower(taps);                                                   // r(K Cc Cc)
  if (anticausal) m.T = m.T.transpose(1, 2);
  if (nc == 1) return m;

  auto [dtA, Cp] = s4d_modes(log_step, A_re, A_im, C);                         // c(K N)
  auto ropts = k_local.options();
  auto pos = torch::arange(Cc + 1, ropts);                                      // r(Cc+1)
  auto pw = torch::exp(dtA.unsqueeze(-1) * pos);                                // c(K N Cc+1): Ā^p
  torch::Tensor w_in, w_out;                                                    // c(K N Cc)
  if (!anticausal) {
    w_in = pw.narrow(2, 0, Cc).flip({2});                                       // Ā^{Cc−1−k}
    w_out = Cp.unsqueeze(-1) * pw.narrow(2, 1, Cc);                             // C̃ Ā^{i+1}
  } else {
    w_in = pw.narrow(2, 0, Cc);                                                 // Ā^k
    w_out = Cp.unsqueeze(-1) * pw.narrow(2, 1, Cc).flip({2});                   // C̃ Ā^{Cc−i}
  }
  m.W_in = torch::cat({torch::real(w_in), torch::imag(w_in)}, 1);               // r(K 2N Cc)
  m.W_out = torch::cat({torch::real(w_out), -torch::imag(w_out)}, 1).transpose(1, 2);  // r(K Cc 2N)

  // Transfer between chunks: h_c = Σ_{c'} z^{e(c,c')} s_{c'} with e = c−1−c' (causal, c' < c) or c'−c−1.
  auto idx = torch::arange(nc, ropts);                                          // r(nc)
  auto e = anticausal ? idx.unsqueeze(0) - idx.unsqueeze(1) - 1 : idx.unsqueeze(1) - idx.unsqueeze(0) - 1;  // r(nc nc)
  auto valid = (e >= 0).to(ropts.dtype());                                      // r(nc nc)
  auto zp = torch::exp(dtA.unsqueeze(-1).unsqueeze(-1) * (static_cast<double>(Cc) * torch::clamp_min(e, 0)));  // c(K N nc nc)
  auto zr = torch::real(zp) * valid, zi = torch::imag(zp) * valid;             // r(K N nc nc)
  // Complex product as a real 2×2 block: [Re h; Im h] = [[zr, −zi], [zi, zr]] [Re s; Im s].
  m.M = torch::cat({torch::cat({zr, -zi}, 3), torch::cat({zi, zr}, 3)}, 2);   // r(K N 2nc 2nc)
  return m;
}

void check_input(const torch::Tensor& u, int64_t kernels) {
  CODESSM_REQUIRE(u.dim() == 3, UsageError, "ssm_conv input must be (B, L, D); got {} dims", u.dim());
  CODESSM_REQUIRE(u.size(1) >= 1, UsageError, "ssm_conv needs L >= 1");
  CODESSM_REQUIRE(u.size(2) % kernels == 0, UsageError,
                  "channels D={} must be a multiple of the number of kernels K={}", u.size(2), kernels);
}

void check_skip(const torch::Tensor& skip, int64_t kernels) {
  CODESSM_REQUIRE(skip.numel() == kernels, UsageError, "skip D has {} values; expected one per kernel ({})",
                  skip.numel(), kernels);
}

/// One kernel's matrices (views of a plan's k-th entries).
struct BlockMatrices {
  torch::Tensor T, W_in, W_out, M;  // r(Cc Cc), r(2N Cc), r(Cc 2N), r(N 2nc 2nc)
};

/// The plan's per-kernel matrices, cut with one autograd node per tensor (squeeze for one kernel, unbind for
/// several), not one select per kernel: a select's backward fills a zero tensor of the whole plan.
std::vector<BlockMatrices> block_matrices(const SsmConvPlan& m) {
  const int64_t K = m.kernels();
  auto cut = [K](const torch::Tensor& t) {
    return !t.defined() ? std::vector<torch::Tensor>(K) : K == 1 ? std::vector<torch::Tensor>{t.squeeze(0)} : t.unbind(0);
  };
  auto T = cut(m.T), Wi = cut(m.W_in), Wo = cut(m.W_out), M = cut(m.M);
  std::vector<BlockMatrices> out;
  for (int64_t k = 0; k < K; ++k) out.push_back({T[k], Wi[k], Wo[k], M[k]});
  return out;
}

/// One channel block (one kernel) of the chunked convolution. u: r(B Lp d), Lp = nc·Cc. Returns r(B Lp d).
torch::Tensor conv_block(const torch::Tensor& u, const BlockMatrices& m, int64_t Cc, int64_t nc, int64_t tiles,
                         bool anticausal, bool fp32_state) {
  const int64_t B = u.size(0), d = u.size(2);
  const auto dt = u.scalar_type();
  auto uc = u.reshape({B * nc, Cc, d});                                         // r(B·nc Cc d), a view when possible
  torch::Tensor y;                                                              // r(B·nc Cc d): local blocks
  if (u.is_cuda() || tiles > 1) {
    // CUDA (and tiles asked for on the CPU): batched products over T broadcast with batch stride 0, its zero tiles skipped. (matmul(2-D, 3-D) with
    // a T that needs gradients folds the batch into one GEMM through transposed copies of u and, in its backward,
    // of the gradients — ncu, training step 8×2048: 6 strided copies per layer, ~8 ms of a 67 ms step; bmm reads
    // u's column view in place, and broadcast_product's backward needs no copy either.)
    y = broadcast_product(m.T, uc, tiles, anticausal);
  } else {
    y = torch::matmul(m.T.to(dt), uc);                                          // the CPU: one product
  }
  if (nc > 1) {
    const int64_t N2 = m.W_in.size(0), N = N2 / 2;
    const bool low = dt == torch::kBFloat16 || dt == torch::kHalf;
    // Under bf16 autocast the fp32 products below would be cast back to bf16: keep them in the dtype given.
    std::optional<tensor::AutocastSuspend> no_autocast;
    if (low) no_autocast.emplace();
    if (low && !fp32_state) {
      // 16-bit state path: the chunk summaries and the output term are products in u's dtype (fp32
      // accumulation on the tensor cores, one rounding each; the output term is added inside the product, to
      // the local block's rounded result); only the chunk mixing, on tensors 2N/Cc of u's size, runs in fp32.
      // No fp32 copy of u and no fp32 output term: at L 8192 the fp32 path's casts and its separate sum moved
      // ~22 bytes per element of u against ~8 here.
      auto s = torch::matmul(m.W_in.to(dt), uc);                                // r(B·nc 2N d), u's dtype
      // (B nc 2 N d) → (N 2 nc B d), cast to fp32 in the same copy → r(N 2nc B·d).
      auto sm = torch::empty({N, 2, nc, B, d}, u.options().dtype(torch::kFloat32))
                    .copy_(s.view({B, nc, 2, N, d}).permute({3, 2, 1, 0, 4}))
                    .view({N, 2 * nc, B * d});
      auto h = torch::bmm(m.M.to(torch::kFloat32), sm);                          // r(N 2nc B·d) fp32
      auto hc = torch::empty({B, nc, 2, N, d}, u.options())
                    .copy_(h.view({N, 2, nc, B, d}).permute({3, 2, 1, 0, 4}))
                    .view({B * nc, N2, d});                                      // r(B·nc 2N d), u's dtype
      y = torch::baddbmm(y, m.W_out.to(dt).expand({B * nc, Cc, N2}), hc);        // += W_out·h
    } else {
      const auto sdt = low ? torch::kFloat32 : dt;                               // the state path's dtype
      auto s = torch::matmul(m.W_in.to(sdt), uc.to(sdt));                       // r(B·nc 2N d): chunk summaries
      // Per mode, mix the chunks: (B nc 2 N d) → (N 2 nc B d) → r(N 2nc B·d).
      auto sm = s.view({B, nc, 2, N, d}).permute({3, 2, 1, 0, 4}).reshape({N, 2 * nc, B * d});
      auto h = torch::bmm(m.M.to(sdt), sm);                                     // r(N 2nc B·d): states entering chunks
      auto hc = h.view({N, 2, nc, B, d}).permute({3, 2, 1, 0, 4}).reshape({B * nc, N2, d});  // r(B·nc 2N d)
      auto w_out = m.W_out.to(sdt).expand({B * nc, Cc, N2});                    // r(B·nc Cc 2N)
      if (sdt == dt) y = torch::baddbmm(y, w_out, hc);                          // += W_out·h
      else y.add_(torch::bmm(w_out, hc));                                       // summed in fp32, rounded once
    }
  }
  return y.view({B, nc * Cc, d});                                               // r(B Lp d)
}

}  // namespace

std::vector<SsmConvPlan> SsmConvPlan::split(int64_t count) const {
  CODESSM_REQUIRE(count >= 1 && kernels() % count == 0, UsageError, "SsmConvPlan::split: {} kernels into groups of {}",
                  kernels(), count);
  const int64_t n = kernels() / count;
  auto cut = [&](const torch::Tensor& t) { return t.defined() ? t.split(count, 0) : std::vector<torch::Tensor>(n); };
  auto T_ = cut(T), Wi = cut(W_in), Wo = cut(W_out), M_ = cut(M);
  std::vector<SsmConvPlan> out(n, *this);
  for (int64_t i = 0; i < n; ++i) {
    out[i].T = T_[i];
    out[i].W_in = Wi[i];
    out[i].W_out = Wo[i];
    out[i].M = M_[i];
  }
  return out;
}

int64_t auto_chunk(int64_t L, int64_t kernels, bool cuda, bool state16_inference) {
  if (!cuda) return 256;
  const int64_t budget = int64_t(4096) * 4096, K = std::max<int64_t>(kernels, 1);
  const int64_t dense_max = state16_inference ? 2048 : 4096;
  if (L <= dense_max && K * L * L <= budget) return std::max<int64_t>(L, 1);
  int64_t c = 1024;
  while (c > 64 && K * c * c > budget) c /= 2;
  return c;
}

int64_t auto_tiles(int64_t Cc, int64_t kernels, bool cuda) {
  return cuda && kernels == 1 && Cc >= 1024 && Cc % 2 == 0 ? 2 : 1;
}

SsmConvPlan ssm_conv_plan(const torch::Tensor& log_step, const torch::Tensor& A_re, const torch::Tensor& A_im,
                          const torch::Tensor& C, const torch::Tensor& skip, int64_t L, const SsmConvOptions& opts) {
  const auto shapes = check_s4d_shapes(log_step, A_re, A_im, C);
  check_skip(skip, shapes.kernels);
  CODESSM_REQUIRE(opts.chunk >= 0 && L >= 1 && opts.tiles >= 0, UsageError,
                  "ssm_conv needs chunk >= 0 (0 = automatic), tiles >= 0 and L >= 1 (got {}, {}, {})", opts.chunk,
                  opts.tiles, L);
  CODESSM_PROFILE("ssm.matrices");
  const int64_t chunk = opts.chunk > 0 ? opts.chunk : auto_chunk(L, shapes.kernels, log_step.is_cuda());
  const int64_t Cc = std::min(chunk, L), nc = (L + Cc - 1) / Cc;
  auto p = chunk_matrices(log_step, A_re, A_im, C, skip, Cc, nc, opts.anticausal, opts.matrix_dtype);
  p.L = L;
  // A tile count that does not divide this length's block (a short sequence) falls back to one product.
  const int64_t tiles = opts.tiles > 0 ? opts.tiles : auto_tiles(Cc, shapes.kernels, log_step.is_cuda());
  p.tiles = tiles <= Cc && Cc % tiles == 0 ? tiles : 1;
  return p;
}

torch::Tensor ssm_conv_apply(const torch::Tensor& u, const SsmConvPlan& plan, bool fp32_state) {
  const int64_t K = plan.kernels();
  check_input(u, K);
  const int64_t L = u.size(1), D = u.size(2), Cc = plan.Cc, nc = plan.nc, Lp = nc * Cc;
  CODESSM_REQUIRE(L == plan.L, UsageError, "ssm_conv: the plan was made for L={}, the input has L={}", plan.L, L);
  CODESSM_PROFILE("ssm.products");
  // Zeros appended after the end change no output at t < L in either direction.
  auto up = Lp == L ? u : torch::constant_pad_nd(u, {0, 0, 0, Lp - L});          // r(B Lp D)
  torch::Tensor y;
  const auto blocks = block_matrices(plan);
  if (K == 1) {
    y = conv_block(up, blocks[0], Cc, nc, plan.tiles, plan.anticausal, fp32_state);  // r(B Lp D)
  } else {
    const int64_t d = D / K;
    std::vector<torch::Tensor> parts;
    for (int64_t k = 0; k < K; ++k)
      parts.push_back(conv_block(up.narrow(2, k * d, d), blocks[k], Cc, nc, plan.tiles, plan.anticausal, fp32_state));
    y = torch::cat(parts, 2);                                                   // r(B Lp D)
  }
  return Lp == L ? y : y.narrow(1, 0, L);                                       // r(B L D)
}

torch::Tensor ssm_conv(const torch::Tensor& u, const torch::Tensor& log_step, const torch::Tensor& A_re,
                       const torch::Tensor& A_im, const torch::Tensor& C, const torch::Tensor& skip,
                       const SsmConvOptions& opts) {
  check_input(u, check_s4d_shapes(log_step, A_re, A_im, C).kernels);
  return ssm_conv_apply(u, ssm_conv_plan(log_step, A_re, A_im, C, skip, u.size(1), opts), opts.fp32_state);
}

torch::Tensor ssm_conv_reference(const torch::Tensor& u, const torch::Tensor& log_step, const torch::Tensor& A_re,
                                 const torch::Tensor& A_im, const torch::Tensor& C, const torch::Tensor& skip,
                                 bool anticausal) {
  const auto shapes = check_s4d_shapes(log_step, A_re, A_im, C);
  check_input(u, shapes.kernels);
  check_skip(skip, shapes.kernels);
  auto ud = u.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  const int64_t B = ud.size(0), L = ud.size(1), D = ud.size(2), K = shapes.kernels, block = D / K;
  auto kd = s4d_kernel_reference(log_step, A_re, A_im, C, L);                   // f64(K L)
  auto sd = skip.detach().to(torch::kCPU, torch::kFloat64).reshape({K}).contiguous();
  auto y = torch::zeros({B, L, D}, torch::kFloat64);
  auto ua = ud.accessor<double, 3>();
  auto ka = kd.accessor<double, 2>();
  auto sa = sd.accessor<double, 1>();
  auto ya = y.accessor<double, 3>();
  for (int64_t b = 0; b < B; ++b)
    for (int64_t c = 0; c < D; ++c) {
      const int64_t h = c / block;
      for (int64_t t = 0; t < L; ++t) {
        double acc = sa[h] * ua[b][t][c];
        if (!anticausal)
          for (int64_t j = 0; j <= t; ++j) acc += ka[h][t - j] * ua[b][j][c];
        else
          for (int64_t j = t; j < L; ++j) acc += ka[h][j - t] * ua[b][j][c];
        ya[b][t][c] = acc;
      }
    }
  return y;
}

}  // namespace codessm::kernels
