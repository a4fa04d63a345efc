// A compact, immutable table of {name, value} strings: the header and query tables of a handshake
// request (request_info), which every connection keeps for its whole life. Everything lives in
// ONE heap block: the entry count, 2n+1 32-bit offsets and all the characters (an empty table
// allocates nothing; the object itself is one pointer). Entries are sorted by name, so lookups
// are a binary search and iteration runs in name order like a std::map; names are unique.
//
// Read API as std::map<std::string, std::string, std::less<>> offers it (find/end/contains/count/
// at/size/empty/begin, lookup by std::string_view), except that entries are pairs of
// std::string_view returned by value: bind them with `const auto&` or `auto`, not `auto&`.
// Build one with string_table::builder (or from a range of pairs / an initializer list).
//
// Thread-safety: immutable once built; concurrent reads are safe. A copy is a deep copy (one
// allocation and one memcpy).
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sio::engineio {

class string_table {
 public:
  using key_type = std::string_view;
  using mapped_type = std::string_view;
  using value_type = std::pair<std::string_view, std::string_view>;  // {name, value}
  using size_type = std::size_t;
  using difference_type = std::ptrdiff_t;

  // Random-access iterator yielding entries by value (a proxy iterator, like std::ranges views).
  class const_iterator {
   public:
    using iterator_concept = std::random_access_iterator_tag;
    using iterator_category = std::input_iterator_tag;  // `reference` is not a real reference
    using value_type = string_table::value_type;
    using difference_type = std::ptrdiff_t;
    using reference = value_type;
    struct pointer {
      value_type entry;
      const value_type* operator->() const noexcept { return &entry; }
    };

    const_iterator() noexcept = default;

    value_type operator*() const noexcept { return table_->entry(index_); }
    pointer operator->() const noexcept { return {**this}; }
    value_type operator[](difference_type n) const noexcept { return *(*this + n); }

    const_iterator& operator++() noexcept {
      ++index_;
      return *this;
    }
    const_iterator operator++(int) noexcept {
      auto old = *this;
      ++index_;
      return old;
    }
    const_iterator& operator--() noexcept {
      --index_;
      return *this;
    }
    const_iterator operator--(int) noexcept {
      auto old = *this;
      --index_;
      return old;
    }
    const_iterator& operator+=(difference_type n) noexcept {
      index_ = static_cast<std::size_t>(static_cast<difference_type>(index_) + n);
      return *this;
    }
    const_iterator& operator-=(difference_type n) noexcept { return *this += -n; }
    friend const_iterator operator+(const_iterator it, difference_type n) noexcept {
      return it += n;
    }
    friend const_iterator operator+(difference_type n, const_iterator it) noexcept {
      return it += n;
    }
    friend const_iterator operator-(const_iterator it, difference_type n) noexcept {
      return it -= n;
    }
    friend difference_type operator-(const const_iterator& a, const const_iterator& b) noexcept {
      return static_cast<difference_type>(a.index_) - static_cast<difference_type>(b.index_);
    }
    friend bool operator==(const const_iterator& a, const const_iterator& b) noexcept {
      return a.index_ == b.index_;
    }
    friend std::strong_ordering operator<=>(const const_iterator& a,
                                            const const_iterator& b) noexcept {
      return a.index_ <=> b.index_;
    }

   private:
    friend class string_table;
    const_iterator(const string_table* t, std::size_t i) noexcept : table_(t), index_(i) {}
    const string_table* table_ = nullptr;
    std::size_t index_ = 0;
  };
  using iterator = const_iterator;

  // What to do with a name added more than once.
  enum class duplicates : std::uint8_t {
    join,       // values joined with ", " in the order added (HTTP headers)
    last_wins,  // the value added last is kept (query parameters)
  };

  // Collects {name, value} pairs (copied), then builds the table in one allocation.
  class builder {
   public:
    builder& add(std::string_view name, std::string_view value);
    void reserve(std::size_t entries, std::size_t chars);
    string_table build(duplicates d) const;

   private:
    struct pending {
      std::size_t name_off, name_len, value_off, value_len;
    };
    std::string chars_;
    std::vector<pending> entries_;
  };

  string_table() noexcept = default;
  // From {name, value} pairs (e.g. {{"host", "localhost"}}); a repeated name: the last wins.
  string_table(std::initializer_list<value_type> entries);
  // From any range of pair-like {name, value} (a std::map, a vector of pairs, ...).
  template <class Range>
  static string_table from(const Range& entries, duplicates d = duplicates::last_wins) {
    builder b;
    for (const auto& [name, value] : entries) b.add(name, value);
    return b.build(d);
  }

  string_table(const string_table& other);
  string_table(string_table&& other) noexcept = default;
  string_table& operator=(const string_table& other);
  string_table& operator=(string_table&& other) noexcept = default;
  ~string_table() = default;

  std::size_t size() const noexcept { return entry_count(); }
  bool empty() const noexcept { return !block_; }

  const_iterator begin() const noexcept { return {this, 0}; }
  const_iterator end() const noexcept { return {this, size()}; }
  const_iterator cbegin() const noexcept { return begin(); }
  const_iterator cend() const noexcept { return end(); }

  // Lookup by exact (case-sensitive) name.
  const_iterator find(std::string_view name) const noexcept;
  bool contains(std::string_view name) const noexcept { return find(name) != end(); }
  std::size_t count(std::string_view name) const noexcept { return contains(name) ? 1 : 0; }
  // The value of `name`; throws std::out_of_range when absent.
  std::string_view at(std::string_view name) const;

  // Heap bytes held (the block), for memory accounting.
  std::size_t heap_bytes() const noexcept;

  friend bool operator==(const string_table& a, const string_table& b) noexcept;

 private:
  // Block layout: [uint32 n][uint32 offsets[2n+1]][chars]. Entry i is the name
  // chars[off[2i], off[2i+1]) and the value chars[off[2i+1], off[2i+2]); off[2n] = total chars.
  std::size_t entry_count() const noexcept;
  std::uint32_t offset(std::size_t k) const noexcept;
  const char* chars() const noexcept;
  std::string_view name_at(std::size_t i) const noexcept;
  value_type entry(std::size_t i) const noexcept;

  std::unique_ptr<char[]> block_;  // null when empty
};

}  // namespace sio::engineio
