// Template part of min_norm_point.h (Wolfe's major/minor cycles). The Corral members live in
// min_norm_point.cpp.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>

namespace codessm::probe::detail {

template <class Oracle>
MinNormPoint min_norm_point(int d, Oracle&& oracle, const std::vector<double>& y0, int64_t key0, double eps,
                            int max_iterations) {
  MinNormPoint out;
  Corral corral(d);
  double max_sq = 0.0;
  for (double v : y0) max_sq += v * v;
  // M² ~ the squared scale of the points keeps B well conditioned; any positive value is exact.
  corral.set_scale(std::max(max_sq, 1e-300));
  corral.add(key0, y0.data());
  std::vector<double> lambda{1.0};
  std::vector<double> z = y0, y(d);

  auto recompute_z = [&] {
    for (int k = 0; k < d; ++k) {
      long double s = 0.0L;
      for (int c = 0; c < corral.size(); ++c) s += static_cast<long double>(lambda[c]) * corral.y(c)[k];
      z[k] = static_cast<double>(s);
    }
  };
  auto dot = [&](const double* a, const double* b) {
    long double s = 0.0L;
    for (int k = 0; k < d; ++k) s += static_cast<long double>(a[k]) * b[k];
    return static_cast<double>(s);
  };

  double last_min = 0.0;
  int it = 0;
  for (; it < max_iterations; ++it) {
    const double zz = dot(z.data(), z.data());
    if (zz == 0.0) {  // the origin is in the hull: exact zero distance
      last_min = 0.0;
      break;
    }
    const int64_t key = oracle(z.data(), y.data());
    const double yz = dot(y.data(), z.data());
    const double yy = dot(y.data(), y.data());
    last_min = yz;
    max_sq = std::max(max_sq, yy);
    if (zz - yz <= eps * max_sq) break;  // Wolfe's optimality test, relative to the point scale
    if (corral.contains(key)) break;     // rounding: the best vertex is already in the corral
    if (!corral.add(key, y.data())) break;
    lambda.push_back(0.0);
    // Minor cycle: move towards the affine minimiser until it lies in the corral's relative interior.
    for (int minor = 0; minor <= corral.size() + 1; ++minor) {
      const std::vector<double> alpha = corral.affine_minimiser();
      bool interior = true;
      for (double a : alpha) interior = interior && a > 0.0;
      if (interior) {
        lambda = alpha;
        break;
      }
      double theta = 1.0;
      for (int c = 0; c < corral.size(); ++c)
        if (alpha[c] <= 0.0) theta = std::min(theta, lambda[c] / (lambda[c] - alpha[c]));
      for (int c = 0; c < corral.size(); ++c) lambda[c] = theta * alpha[c] + (1.0 - theta) * lambda[c];
      // Drop the points whose weight reached zero (at least the one that defined theta).
      int worst = 0;
      for (int c = 1; c < corral.size(); ++c)
        if (lambda[c] < lambda[worst]) worst = c;
      for (int c = corral.size() - 1; c >= 0; --c) {
        if (lambda[c] <= 1e-15 || c == worst) {
          corral.remove(c);
          lambda.erase(lambda.begin() + c);
          if (c < worst) --worst;
        }
      }
      double sum = 0.0;
      for (double l : lambda) sum += l;
      for (double& l : lambda) l /= sum;
      if (corral.size() == 1) {
        lambda.assign(1, 1.0);
        break;
      }
    }
    recompute_z();
  }
  out.iterations = it;
  out.converged = it < max_iterations;
  if (!out.converged) {  // z moved after the last oracle call: refresh the bound for the final z
    oracle(z.data(), y.data());
    last_min = dot(y.data(), z.data());
  }
  out.z = z;
  out.norm = std::sqrt(dot(z.data(), z.data()));
  out.lower_bound = out.norm > 0.0 ? std::max(0.0, last_min) / out.norm : 0.0;
  out.weights = lambda;
  for (int c = 0; c < corral.size(); ++c) out.keys.push_back(corral.key(c));
  return out;
}

}  // namespace codessm::probe::detail
