// Long-polling compression (sio_engineio, src/engineio/http_compression.hpp): the coding chosen
// from Accept-Encoding as Node's `negotiator` chooses it, the decision for one response (threshold,
// option, the packets' compress flag), and the worker's zlib streams, checked by inflating their
// output with zlib itself.
#include "http_compression.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include <zlib.h>

namespace {

using sio::engineio::http_compression_options;
using sio::engineio::detail::accepted_coding;
using sio::engineio::detail::body_compressor;
using sio::engineio::detail::content_coding;
using sio::engineio::detail::polling_coding;

TEST(HttpCompression, AcceptedCoding) {
  struct row {
    std::string_view header;
    content_coding want;
  };
  const row rows[] = {
      {"", content_coding::identity},
      {"identity", content_coding::identity},
      {"br", content_coding::identity},
      {"gzip", content_coding::gzip},
      {"GZIP", content_coding::gzip},
      {"deflate", content_coding::deflate},
      {"gzip, deflate, br", content_coding::gzip},
      {"deflate, gzip", content_coding::deflate},  // equal q: the earlier entry
      {"*", content_coding::gzip},                 // equal in all: gzip is offered first
      {"gzip;q=0, deflate", content_coding::deflate},
      {"gzip;q=0,deflate;q=0", content_coding::identity},
      {"gzip;q=0.5, deflate;q=0.8", content_coding::deflate},
      {"deflate;q=0.5, gzip;q=0.8", content_coding::gzip},
      {"gzip;q=0, *", content_coding::deflate},  // the named entry rules gzip, * the rest
      {"*;q=0, deflate", content_coding::deflate},
      {"*;q=0.5, deflate;q=0.5", content_coding::deflate},  // named before "*" on equal q
      {"gzip;q=abc, deflate", content_coding::deflate},     // a q that is not a number refuses
      {"gzip;q=, deflate", content_coding::deflate},
      {"gzip ; q=1", content_coding::gzip},
      {"gzip;level=1;q=0", content_coding::identity},
      {"gzip foo", content_coding::identity},  // malformed: ignored
      {" , ,gzip", content_coding::gzip},
      {"identity;q=1, gzip;q=0.001", content_coding::gzip},
  };
  for (const auto& r : rows) EXPECT_EQ(accepted_coding(r.header), r.want) << r.header;
}

TEST(HttpCompression, PollingCodingHonoursThresholdOptionAndFlag) {
  const http_compression_options on{};
  EXPECT_EQ(on.threshold, 1024u);  // Node's default
  EXPECT_TRUE(on.enabled);
  EXPECT_EQ(polling_coding(on, true, 1024, "gzip"), content_coding::gzip);
  EXPECT_EQ(polling_coding(on, true, 1023, "gzip"), content_coding::identity);
  EXPECT_EQ(polling_coding(on, false, 4096, "gzip"), content_coding::identity);
  EXPECT_EQ(polling_coding(on, true, 4096, "deflate"), content_coding::deflate);
  EXPECT_EQ(polling_coding(on, true, 4096, ""), content_coding::identity);
  EXPECT_EQ(polling_coding({.enabled = false}, true, 4096, "gzip"), content_coding::identity);
  EXPECT_EQ(polling_coding({.threshold = 0}, true, 0, "gzip"), content_coding::gzip);
}

// zlib's inflate of a gzip or zlib-format stream (windowBits 15 + 32: either header).
std::string inflate_all(const std::string& in) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 32), Z_OK);
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(out.size() - z.avail_out);
  inflateEnd(&z);
  return out;
}

std::string payload(std::size_t n) {
  std::string s = "4";
  while (s.size() < n)
    s += R"({"user":"alice","text":"hello, world","n":)" + std::to_string(s.size()) + "}";
  return s;
}

TEST(HttpCompression, CompressorRoundTripsAndIsReused) {
  body_compressor c;
  std::string out;
  // Alternating codings, levels and sizes on the same streams: each body decodes alone.
  for (int round = 0; round < 3; ++round) {
    for (const auto coding : {content_coding::gzip, content_coding::deflate}) {
      for (const int level : {-1, 1, 9, 0}) {
        for (const std::size_t n : {std::size_t{1}, std::size_t{1024}, std::size_t{100'000}}) {
          const auto in = payload(n);
          ASSERT_TRUE(c.compress(coding, level, in, out));
          // gzip starts with 1f 8b, the zlib format with 78 (deflate, 32 KiB window).
          if (coding == content_coding::gzip) {
            EXPECT_EQ(out.substr(0, 2), "\x1f\x8b");
          } else {
            EXPECT_EQ(static_cast<unsigned char>(out[0]), 0x78);
          }
          EXPECT_EQ(inflate_all(out), in);
          if (level != 0 && n >= 1024) {
            EXPECT_LT(out.size(), in.size() / 2);
          }
        }
      }
    }
  }
}

TEST(HttpCompression, CompressorRefusesWhatZlibCannotDo) {
  body_compressor c;
  std::string out;
  EXPECT_FALSE(c.compress(content_coding::identity, -1, "abc", out));
  EXPECT_FALSE(c.compress(content_coding::gzip, 10, "abc", out));
  EXPECT_FALSE(c.compress(content_coding::gzip, -2, "abc", out));
  ASSERT_TRUE(c.compress(content_coding::gzip, 6, "", out));  // an empty body is a valid stream
  EXPECT_EQ(inflate_all(out), "");
}

}  // namespace
