#include <sio/engineio/string_table.hpp>

#include <algorithm>
#include <cstring>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace sio::engineio {

namespace {

constexpr std::size_t word = sizeof(std::uint32_t);
constexpr std::string_view joiner = ", ";  // HTTP's separator for a repeated header

std::uint32_t load(const char* p) noexcept {
  std::uint32_t v;
  std::memcpy(&v, p, word);
  return v;
}

void store(char* p, std::size_t v) noexcept {
  const auto u = static_cast<std::uint32_t>(v);
  std::memcpy(p, &u, word);
}

// Bytes of the block of a table of n entries and `chars` characters.
std::size_t block_size(std::size_t n, std::size_t chars) noexcept {
  return word * (2 * n + 2) + chars;
}

}  // namespace

// --- builder -------------------------------------------------------------------------------

string_table::builder& string_table::builder::add(std::string_view name, std::string_view value) {
  const std::size_t at = chars_.size();
  chars_.append(name);
  chars_.append(value);
  entries_.push_back({at, name.size(), at + name.size(), value.size()});
  return *this;
}

void string_table::builder::reserve(std::size_t entries, std::size_t chars) {
  entries_.reserve(entries);
  chars_.reserve(chars);
}

string_table string_table::builder::build(duplicates d) const {
  string_table t;
  if (entries_.empty()) return t;
  auto name = [this](const pending& e) {
    return std::string_view(chars_).substr(e.name_off, e.name_len);
  };
  auto value = [this](const pending& e) {
    return std::string_view(chars_).substr(e.value_off, e.value_len);
  };

  // Sort by name, stable: equal names keep the order they were added in.
  std::vector<std::uint32_t> order(entries_.size());
  std::iota(order.begin(), order.end(), std::uint32_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return name(entries_[a]) < name(entries_[b]);
  });

  // Runs of one name, [first, last) in `order`: one entry each in the result.
  std::vector<std::pair<std::size_t, std::size_t>> runs;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i + 1;
    while (j < order.size() && name(entries_[order[j]]) == name(entries_[order[i]])) ++j;
    runs.emplace_back(i, j);
    i = j;
  }
  const std::size_t n = runs.size();
  std::size_t chars = 0;
  for (const auto& [i, j] : runs) {
    chars += entries_[order[i]].name_len;
    if (d == duplicates::last_wins) {
      chars += entries_[order[j - 1]].value_len;
    } else {
      for (std::size_t k = i; k < j; ++k) chars += entries_[order[k]].value_len;
      chars += (j - i - 1) * joiner.size();
    }
  }
  if (chars > std::numeric_limits<std::uint32_t>::max() ||
      n > std::numeric_limits<std::uint32_t>::max() / 4)
    throw std::length_error("string_table too large");

  t.block_ = std::make_unique_for_overwrite<char[]>(block_size(n, chars));
  char* const base = t.block_.get();
  char* const text = base + word * (2 * n + 2);
  store(base, n);
  std::size_t slot = 0;  // next offset to write
  std::size_t pos = 0;   // next character to write
  auto put_offset = [&] { store(base + word * (1 + slot++), pos); };
  auto put = [&](std::string_view s) {
    if (!s.empty()) std::memcpy(text + pos, s.data(), s.size());
    pos += s.size();
  };
  for (const auto& [i, j] : runs) {
    put_offset();
    put(name(entries_[order[i]]));
    put_offset();
    if (d == duplicates::last_wins) {
      put(value(entries_[order[j - 1]]));
    } else {
      for (std::size_t k = i; k < j; ++k) {
        if (k != i) put(joiner);
        put(value(entries_[order[k]]));
      }
    }
  }
  put_offset();  // off[2n]: the end of the last value
  return t;
}

// --- string_table ---------------------------------------------------------------------------

string_table::string_table(std::initializer_list<value_type> entries)
    : string_table(from(entries)) {}

string_table::string_table(const string_table& other) {
  if (!other.block_) return;
  const std::size_t bytes = other.heap_bytes();
  block_ = std::make_unique_for_overwrite<char[]>(bytes);
  std::memcpy(block_.get(), other.block_.get(), bytes);
}

string_table& string_table::operator=(const string_table& other) {
  if (this != &other) *this = string_table(other);
  return *this;
}

std::size_t string_table::entry_count() const noexcept {
  return block_ ? load(block_.get()) : 0;
}

std::uint32_t string_table::offset(std::size_t k) const noexcept {
  return load(block_.get() + word * (1 + k));
}

const char* string_table::chars() const noexcept {
  return block_.get() + word * (2 * entry_count() + 2);
}

std::string_view string_table::name_at(std::size_t i) const noexcept {
  const std::uint32_t b = offset(2 * i);
  return {chars() + b, offset(2 * i + 1) - b};
}

string_table::value_type string_table::entry(std::size_t i) const noexcept {
  const char* text = chars();
  const std::uint32_t n0 = offset(2 * i);
  const std::uint32_t v0 = offset(2 * i + 1);
  const std::uint32_t v1 = offset(2 * i + 2);
  return {std::string_view(text + n0, v0 - n0), std::string_view(text + v0, v1 - v0)};
}

string_table::const_iterator string_table::find(std::string_view name) const noexcept {
  // Binary search over the sorted names.
  std::size_t lo = 0;
  std::size_t hi = size();
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    const int c = name_at(mid).compare(name);
    if (c == 0) return {this, mid};
    if (c < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return end();
}

std::string_view string_table::at(std::string_view name) const {
  auto it = find(name);
  if (it == end()) throw std::out_of_range("string_table::at: no such name");
  return it->second;
}

std::size_t string_table::heap_bytes() const noexcept {
  if (!block_) return 0;
  const std::size_t n = entry_count();
  return block_size(n, offset(2 * n));
}

bool operator==(const string_table& a, const string_table& b) noexcept {
  const std::size_t bytes = a.heap_bytes();
  return bytes == b.heap_bytes() &&
         (bytes == 0 || std::memcmp(a.block_.get(), b.block_.get(), bytes) == 0);
}

}  // namespace sio::engineio
