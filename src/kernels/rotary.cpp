#include "codessm/kernels/rotary.h"

#include <cmath>
#include <vector>

#include "codessm/core/error.h"

namespace codessm::kernels {

torch::Tensor apply_rotary(const torch::Tensor& x, double base, int64_t seq_dim) {
  CODESSM_REQUIRE(x.dim() >= 2 && seq_dim >= 0 && seq_dim < x.dim() - 1 && x.size(-1) % 2 == 0, UsageError,
                  "rotary input needs positions on dim {} before an even last dim; got {} dims", seq_dim, x.dim());
  const int64_t L = x.size(seq_dim), HD = x.size(-1);
  auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(x.device());
  // Same construction as HF's sinusoidal table: inv_freq_i = 1 / base^(2i/HD).
  auto i = torch::arange(HD / 2, opts);                                   // r(HD/2)
  auto inv_freq = torch::pow(base, -2.0 * i / static_cast<double>(HD));    // r(HD/2)
  auto ang = torch::outer(torch::arange(L, opts), inv_freq);               // r(L HD/2)
  std::vector<int64_t> bshape(x.dim(), 1);                                 // (1 … L … HD): broadcast over the rest
  bshape[seq_dim] = L;
  bshape.back() = HD;
  auto sin = torch::sin(ang).repeat_interleave(2, -1).to(x.dtype()).view(bshape);  // s0 s0 s1 s1 ...
  auto cos = torch::cos(ang).repeat_interleave(2, -1).to(x.dtype()).view(bshape);
  auto pair_shape = x.sizes().vec();
  pair_shape.back() = HD / 2;
  pair_shape.push_back(2);
  auto x2 = x.reshape(pair_shape);                                         // (…, HD/2, 2)
  // rotate_half: (x0, x1, x2, x3, ...) -> (−x1, x0, −x3, x2, ...)
  auto rot = torch::stack({-x2.select(-1, 1), x2.select(-1, 0)}, -1).view(x.sizes());
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
