// Random documents and operations for the property tests: text of ASCII, Latin with combining
// marks, CJK and characters beyond U+FFFF (surrogate pairs in UTF-16); operations that cut only
// between characters, as a well-behaved editor does.
#pragma once

#include <editor/ot/text_operation.hpp>

#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace editor::ot::test {

struct character {
  std::string_view utf8;
  std::size_t units;
};

inline const std::vector<character>& alphabet() {
  static const std::vector<character> a = {{"a", 1},
                                           {"b", 1},
                                           {" ", 1},
                                           {"\n", 1},
                                           {"\xC3\xA9", 1} /* é */,
                                           {"\xCC\x81", 1} /* combining acute */,
                                           {"\xE4\xB8\xAD", 1} /* 中 */,
                                           {"\xE2\x82\xAC", 1} /* € */,
                                           {"\xF0\x9F\x98\x80", 2} /* 😀 */,
                                           {"\xF0\x9F\x8F\xBD", 2} /* skin tone modifier */,
                                           {"\xF0\x90\x90\xB7", 2} /* Deseret 𐐷 */};
  return a;
}

class random_ops {
 public:
  explicit random_ops(std::uint64_t seed) : rng_(seed) {}

  std::size_t below(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }

  std::vector<character> chars(std::size_t max) {
    std::vector<character> out(below(max + 1));
    for (auto& c : out) c = alphabet()[below(alphabet().size())];
    return out;
  }

  static std::string text(const std::vector<character>& cs) {
    std::string s;
    for (const auto& c : cs) s += c.utf8;
    return s;
  }

  // A document as characters, so operations can be cut between them.
  std::vector<character> document() { return chars(24); }

  // A random operation on `doc`: retains, deletes and inserts of whole characters.
  text_operation operation(const std::vector<character>& doc) {
    text_operation op;
    std::size_t i = 0;
    while (i < doc.size()) {
      const std::size_t n = 1 + below(std::min<std::size_t>(doc.size() - i, 4));
      std::size_t units = 0;
      for (std::size_t k = 0; k < n; ++k) units += doc[i + k].units;
      switch (below(4)) {
        case 0:
          op.insert(text(chars(3)));
          continue;  // nothing of the document consumed
        case 1:
          op.remove(units);
          break;
        default:
          op.retain(units);
      }
      i += n;
    }
    if (below(2) == 0) op.insert(text(chars(3)));
    return op;
  }

  // Splits UTF-8 text into characters (views into `s`), for operations on a result.
  static std::vector<character> split(const std::string& s) {
    std::vector<character> out;
    std::size_t i = 0;
    while (i < s.size()) {
      const auto lead = static_cast<unsigned char>(s[i]);
      const std::size_t n = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
      out.push_back({std::string_view(s).substr(i, n), n == 4 ? 2u : 1u});
      i += n;
    }
    return out;
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace editor::ot::test
