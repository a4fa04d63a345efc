// A log-bucketed latency histogram in the manner of HdrHistogram: exact below 128 ns, then 64
// sub-buckets per power of two (about 1.6 % relative precision) up to ~2^40 ns (18 minutes).
// Recording is one array increment: no allocation after construction.
//
// Thread-safety: none; each event loop keeps its own and they are merged at the end.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace sio::bench {

class histogram {
 public:
  static constexpr int sub_bits = 6;  // 64 sub-buckets per octave
  static constexpr std::uint64_t sub_count = 1u << sub_bits;
  static constexpr int max_shift = 34;
  static constexpr std::size_t bucket_count = 2 * sub_count + max_shift * sub_count;

  void record(std::int64_t ns) noexcept {
    std::uint64_t v = ns < 0 ? 0 : static_cast<std::uint64_t>(ns);
    ++counts_[index(v)];
    ++total_;
    sum_ += v;
    if (v > max_) max_ = v;
  }

  void merge(const histogram& o) noexcept {
    for (std::size_t i = 0; i < bucket_count; ++i) counts_[i] += o.counts_[i];
    total_ += o.total_;
    sum_ += o.sum_;
    if (o.max_ > max_) max_ = o.max_;
  }

  void reset() noexcept { *this = histogram{}; }

  std::uint64_t count() const noexcept { return total_; }
  std::uint64_t max() const noexcept { return max_; }
  double mean() const noexcept {
    return total_ ? static_cast<double>(sum_) / static_cast<double>(total_) : 0.0;
  }

  // The value at quantile q (0..1): the middle of the bucket holding it, capped at the max seen.
  std::uint64_t quantile(double q) const noexcept {
    if (total_ == 0) return 0;
    auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total_) + 0.5);
    if (rank < 1) rank = 1;
    if (rank > total_) rank = total_;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < bucket_count; ++i) {
      seen += counts_[i];
      if (seen >= rank) {
        auto v = value_of(i);
        return v > max_ ? max_ : v;
      }
    }
    return max_;
  }

 private:
  static std::size_t index(std::uint64_t v) noexcept {
    if (v < 2 * sub_count) return static_cast<std::size_t>(v);
    int msb = 63 - std::countl_zero(v);
    int shift = msb - sub_bits;  // >= 1
    if (shift > max_shift) return bucket_count - 1;
    auto mantissa = v >> shift;  // in [sub_count, 2*sub_count)
    return static_cast<std::size_t>(2 * sub_count + (shift - 1) * sub_count +
                                    (mantissa - sub_count));
  }
  static std::uint64_t value_of(std::size_t i) noexcept {
    if (i < 2 * sub_count) return i;
    auto j = i - 2 * sub_count;
    auto shift = static_cast<int>(j / sub_count) + 1;
    auto mantissa = sub_count + j % sub_count;
    return (mantissa << shift) + (std::uint64_t{1} << (shift - 1));
  }

  std::array<std::uint64_t, bucket_count> counts_{};
  std::uint64_t total_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace sio::bench
