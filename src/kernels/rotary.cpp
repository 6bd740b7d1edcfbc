#include "codessm/kernels/rotary.h"

#include <cmath>

#include "codessm/core/error.h"

namespace codessm::kernels {

torch::Tensor apply_rotary(const torch::Tensor& x, double base) {
  CODESSM_REQUIRE(x.dim() == 4 && x.size(3) % 2 == 0, UsageError, "rotary input must be (B, NH, L, HD) with even HD");
  const int64_t L = x.size(2), HD = x.size(3);
  auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(x.device());
  // Same construction as HF's sinusoidal table: inv_freq_i = 1 / base^(2i/HD).
  auto i = torch::arange(HD / 2, opts);                                   // r(HD/2)
  auto inv_freq = torch::pow(base, -2.0 * i / static_cast<double>(HD));    // r(HD/2)
  auto ang = torch::outer(torch::arange(L, opts), inv_freq);               // r(L HD/2)
  auto sin = torch::sin(ang).repeat_interleave(2, -1).to(x.dtype());      // r(L HD): s0 s0 s1 s1 ...
  auto cos = torch::cos(ang).repeat_interleave(2, -1).to(x.dtype());      // r(L HD)
  auto x2 = x.view({x.size(0), x.size(1), L, HD / 2, 2});
  // rotate_half: (x0, x1, x2, x3, ...) -> (−x1, x0, −x3, x2, ...)
  auto rot = torch::stack({-x2.select(-1, 1), x2.select(-1, 0)}, -1).view(x.sizes());  // r(B NH L HD)
  return x * cos + rot * sin;
}

torch::Tensor apply_rotary_reference(const torch::Tensor& x, double base) {
  auto xd = x.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  auto out = torch::empty_like(xd);
  auto a = xd.accessor<double, 4>();
  auto o = out.accessor<double, 4>();
  const int64_t HD = xd.size(3);
  for (int64_t b = 0; b < xd.size(0); ++b)
    for (int64_t h = 0; h < xd.size(1); ++h)
      for (int64_t p = 0; p < xd.size(2); ++p)
        for (int64_t i = 0; i < HD / 2; ++i) {
          const double th = p * std::pow(base, -2.0 * i / HD);
          const double c = std::cos(th), s = std::sin(th);
          o[b][h][p][2 * i] = a[b][h][p][2 * i] * c - a[b][h][p][2 * i + 1] * s;
          o[b][h][p][2 * i + 1] = a[b][h][p][2 * i + 1] * c + a[b][h][p][2 * i] * s;
        }
  return out;
}

}  // namespace codessm::kernels
