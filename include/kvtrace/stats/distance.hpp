#pragma once
// Distances between the empirical distributions of two samples, as scipy 1.10 computes them:
// the two-sample Kolmogorov-Smirnov statistic (scipy.stats.ks_2samp(a, b).statistic) and the
// 1-Wasserstein distance (scipy.stats.wasserstein_distance(a, b)), both bit-identical to scipy.
// Inputs need not be sorted; each call sorts copies, O((n + m) log(n + m)).

#include <cstdint>
#include <span>

namespace kvtrace::stats {

// sup_x |F_a(x) - F_b(x)| over the pooled values, in [0, 1]. int64 samples are compared as
// integers, as scipy compares an int64 array. Throws UsageError if a sample is empty or has NaN.
double ks_statistic(std::span<const double> a, std::span<const double> b);
double ks_statistic(std::span<const std::int64_t> a, std::span<const std::int64_t> b);

// The integral of |F_a(x) - F_b(x)| dx (the earth mover's distance between the two samples).
// int64 samples are cast to float64 first, as scipy casts them. Infinite values give scipy's
// inf or NaN. Throws UsageError if a sample is empty or has NaN.
double wasserstein_1(std::span<const double> a, std::span<const double> b);
double wasserstein_1(std::span<const std::int64_t> a, std::span<const std::int64_t> b);

}  // namespace kvtrace::stats
