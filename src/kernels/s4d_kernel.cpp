#include <fmt/ranges.h>  // fmt::join (moved out of format.h in fmt 11)
#include "codessm/kernels/s4d_kernel.h"

#include <cmath>

#include "codessm/core/error.h"

namespace codessm::kernels {

S4DParamShapes check_s4d_shapes(const torch::Tensor& log_step, const torch::Tensor& A_re, const torch::Tensor& A_im,
                                const torch::Tensor& C) {
  auto shape_str = [](const torch::Tensor& t) { return fmt::format("{}", fmt::join(t.sizes().vec(), ", ")); };
  auto bad = [&]() {
    return UsageError(fmt::format(
        "S4D parameter shapes do not fit together: log_step [{}], A_re [{}], A_im [{}], C [{}]; expected "
        "[1],[N],[N],[N,2] (BiGS) or [K],[K,N],[K,N],[K,N,2] (K kernels)",
        shape_str(log_step), shape_str(A_re), shape_str(A_im), shape_str(C)));
  };
  S4DParamShapes s;
  if (log_step.dim() != 1 || A_re.sizes() != A_im.sizes()) throw bad();
  s.kernels = log_step.size(0);
  if (A_re.dim() == 1) {
    if (s.kernels != 1 || C.dim() != 2 || C.size(0) != A_re.size(0) || C.size(1) != 2) throw bad();
    s.modes = A_re.size(0);
  } else if (A_re.dim() == 2) {
    if (A_re.size(0) != s.kernels || C.dim() != 3 || C.size(0) != s.kernels || C.size(1) != A_re.size(1) ||
        C.size(2) != 2)
      throw bad();
    s.modes = A_re.size(1);
  } else {
    throw bad();
  }
  return s;
}

S4DModes s4d_modes(const torch::Tensor& log_step, const torch::Tensor& A_re, const torch::Tensor& A_im,
                   const torch::Tensor& C) {
  check_s4d_shapes(log_step, A_re, A_im, C);
  // Promote BiGS K=1 shapes to the general layout; for K=1 the arithmetic is identical to [pt:246-258].
  auto are = A_re.dim() == 1 ? A_re.unsqueeze(0) : A_re;   // r(K N)
  auto aim = A_im.dim() == 1 ? A_im.unsqueeze(0) : A_im;   // r(K N)
  auto c = C.dim() == 2 ? C.unsqueeze(0) : C;              // r(K N 2)
  auto dt = torch::exp(log_step);                                            // r(K)
  auto A = torch::complex(torch::clamp_max(are, kMaxARe), aim);              // c(K N)
  auto Cc = torch::complex(c.select(-1, 0), c.select(-1, 1));                // c(K N)
  auto dtA = A * dt.unsqueeze(-1);                                           // c(K N)
  auto Cp = Cc * (torch::exp(dtA) - 1.) / A;                                 // c(K N): C·B̄
  return {dtA, Cp};
}

torch::Tensor s4d_kernel(const torch::Tensor& log_step, const torch::Tensor& A_re, const torch::Tensor& A_im,
                         const torch::Tensor& C, int64_t L) {
  const auto s = check_s4d_shapes(log_step, A_re, A_im, C);
  CODESSM_REQUIRE(L >= 1, UsageError, "kernel length L must be >= 1 (got {})", L);
  auto [dtA, Cp] = s4d_modes(log_step, A_re, A_im, C);                      // c(K N) each
  auto pos = torch::arange(L, torch::TensorOptions().dtype(log_step.dtype()).device(log_step.device()));  // r(L)

  // Chunk over kernels: the Vandermonde temporary is K·N·L complex numbers (1 GB at K=1024, L=2048).
  const int64_t budget = int64_t(1) << 26;
  const int64_t per_kernel = s.modes * L;
  const int64_t chunk = std::max<int64_t>(1, budget / std::max<int64_t>(1, per_kernel));
  std::vector<torch::Tensor> parts;
  for (int64_t h0 = 0; h0 < s.kernels; h0 += chunk) {
    int64_t h1 = std::min(s.kernels, h0 + chunk);
    auto V = torch::exp(dtA.slice(0, h0, h1).unsqueeze(-1) * pos);          // c(k N L)
    parts.push_back(torch::einsum("hn,hnl->hl", {Cp.slice(0, h0, h1), V}));  // c(k L)
  }
  auto K = parts.size() == 1 ? parts[0] : torch::cat(parts, 0);             // c(K L)
  return torch::real(K);                                                     // r(K L)
}

namespace {

using cd = std::complex<double>;

/// The parameters of every kernel in float64: Δ_h, A_hn (clamped) and C_hn, shared by both float64 twins.
struct ModesF64 {
  std::vector<double> dt;   // [K]
  std::vector<cd> A, C;     // [K*N]
  int64_t kernels, modes;
};

ModesF64 modes_f64(const torch::Tensor& log_step, const torch::Tensor& A_re, const torch::Tensor& A_im,
                   const torch::Tensor& C) {
  const auto s = check_s4d_shapes(log_step, A_re, A_im, C);
  auto f64 = [](const torch::Tensor& t) { return t.detach().to(torch::kCPU, torch::kFloat64).contiguous(); };
  auto ls = f64(log_step), are = f64(A_re), aim = f64(A_im), cc = f64(C);
  ModesF64 m{{}, {}, {}, s.kernels, s.modes};
  for (int64_t h = 0; h < s.kernels; ++h) m.dt.push_back(std::exp(ls.data_ptr<double>()[h]));
  for (int64_t i = 0; i < s.kernels * s.modes; ++i) {
    m.A.emplace_back(std::min(are.data_ptr<double>()[i], kMaxARe), aim.data_ptr<double>()[i]);
    m.C.emplace_back(cc.data_ptr<double>()[2 * i], cc.data_ptr<double>()[2 * i + 1]);
  }
  return m;
}

}  // namespace

torch::Tensor s4d_kernel_reference(const torch::Tensor& log_step, const torch::Tensor& A_re,
                                   const torch::Tensor& A_im, const torch::Tensor& C, int64_t L) {
  const auto m = modes_f64(log_step, A_re, A_im, C);
  auto out = torch::zeros({m.kernels, L}, torch::kFloat64);
  auto o = out.accessor<double, 2>();
  for (int64_t h = 0; h < m.kernels; ++h) {
    for (int64_t n = 0; n < m.modes; ++n) {
      const cd A = m.A[h * m.modes + n], Cn = m.C[h * m.modes + n];
      const cd Abar = std::exp(m.dt[h] * A);          // ZOH
      const cd Bbar = (Abar - 1.0) / A;
      cd x = 0;                                       // state of mode n
      for (int64_t l = 0; l < L; ++l) {
        x = Abar * x + Bbar * (l == 0 ? 1.0 : 0.0);   // impulse input δ_l
        o[h][l] += (Cn * x).real();
      }
    }
  }
  return out;
}

torch::Tensor s4d_kernel_dft_closed_form(const torch::Tensor& log_step, const torch::Tensor& A_re,
                                         const torch::Tensor& A_im, const torch::Tensor& C, int64_t L) {
  const auto m = modes_f64(log_step, A_re, A_im, C);
  auto out = torch::zeros({m.kernels, L}, torch::kComplexDouble);
  auto* o = out.data_ptr<c10::complex<double>>();
  const double two_pi = 2.0 * M_PI;
  std::vector<cd> F(static_cast<size_t>(L));
  for (int64_t h = 0; h < m.kernels; ++h) {
    std::fill(F.begin(), F.end(), cd(0));
    for (int64_t n = 0; n < m.modes; ++n) {
      const cd A = m.A[h * m.modes + n];
      const cd z = std::exp(m.dt[h] * A);
      const cd Ct = m.C[h * m.modes + n] * (z - 1.0) / A;
      const cd zL = std::exp(m.dt[h] * A * static_cast<double>(L));
      for (int64_t k = 0; k < L; ++k) {
        const cd w = std::polar(1.0, -two_pi * static_cast<double>(k) / static_cast<double>(L));  // ω^{-k}
        F[k] += Ct * (1.0 - zL) / (1.0 - z * w);
      }
    }
    // K = Re(k_c) ⇒ DFT(K)[k] = ½(F[k] + conj(F[(L−k) mod L])).
    for (int64_t k = 0; k < L; ++k) {
      cd X = 0.5 * (F[k] + std::conj(F[(L - k) % L]));
      o[h * L + k] = c10::complex<double>(X.real(), X.imag());
    }
  }
  return out;
}

}  // namespace codessm::kernels
