// RFC 7692 permessage-deflate (sio_protocol permessage_deflate): the negotiation of offers as the
// `ws` package answers them, the codec against zlib itself (round trips, window bits, context
// takeover, the RFC's examples, a decompression bomb), and RSV1 in the WebSocket decoder.
#include <sio/protocol/permessage_deflate.hpp>
#include <sio/protocol/websocket.hpp>

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace pmd = sio::protocol::permessage_deflate;
namespace ws = sio::protocol::websocket;
using pmd::outcome;

// --- negotiation ------------------------------------------------------------------------------

struct negotiation_case {
  std::string header;
  pmd::options opts;
  outcome result;
  std::string response;  // the 101's Sec-WebSocket-Extensions when accepted
};

TEST(PerMessageDeflateNegotiation, AsTheWsPackageAnswers) {
  const pmd::options node{};  // perMessageDeflate: true
  const pmd::options server_nct{.server_no_context_takeover = true};
  const pmd::options client_nct{.client_no_context_takeover = true};
  const pmd::options server_bits{.server_max_window_bits = 10};
  const pmd::options client_bits{.client_max_window_bits = 10};
  const std::vector<negotiation_case> cases = {
      // What the `ws` client (socket.io-client in Node) and browsers offer.
      {"permessage-deflate; client_max_window_bits", node, outcome::accepted, "permessage-deflate"},
      {"permessage-deflate", node, outcome::accepted, "permessage-deflate"},
      {"permessage-deflate; client_max_window_bits=12", node, outcome::accepted,
       "permessage-deflate; client_max_window_bits=12"},
      {"permessage-deflate; server_max_window_bits=9", node, outcome::accepted,
       "permessage-deflate; server_max_window_bits=9"},
      {"permessage-deflate; client_no_context_takeover", node, outcome::accepted,
       "permessage-deflate; client_no_context_takeover"},
      // Asked by the server whatever the client offered.
      {"permessage-deflate; client_max_window_bits", server_nct, outcome::accepted,
       "permessage-deflate; server_no_context_takeover"},
      {"permessage-deflate", client_nct, outcome::accepted,
       "permessage-deflate; client_no_context_takeover"},
      {"permessage-deflate", server_bits, outcome::accepted,
       "permessage-deflate; server_max_window_bits=10"},
      {"permessage-deflate; client_max_window_bits", client_bits, outcome::accepted,
       "permessage-deflate; client_max_window_bits=10"},
      {"permessage-deflate; client_max_window_bits=12", client_bits, outcome::accepted,
       "permessage-deflate; client_max_window_bits=10"},
      // server_no_context_takeover offered: only a server configured for it accepts.
      {"permessage-deflate; server_no_context_takeover", node, outcome::refused, ""},
      {"permessage-deflate; server_no_context_takeover", server_nct, outcome::accepted,
       "permessage-deflate; server_no_context_takeover"},
      // The first acceptable offer wins.
      {"permessage-deflate; server_no_context_takeover, permessage-deflate; "
       "client_max_window_bits",
       node, outcome::accepted, "permessage-deflate"},
      // A smaller server window than the server insists on, no client window offered.
      {"permessage-deflate; server_max_window_bits=9", server_bits, outcome::refused, ""},
      {"permessage-deflate", client_bits, outcome::refused, ""},
      {"permessage-deflate; client_max_window_bits=9", client_bits, outcome::refused, ""},
      // Other extensions are skipped; quoted values are read.
      {"x-webkit-deflate-frame", node, outcome::none, ""},
      {"", node, outcome::none, ""},
      {"foo; bar=1, permessage-deflate; client_max_window_bits=\"11\"", node, outcome::accepted,
       "permessage-deflate; client_max_window_bits=11"},
      {"  permessage-deflate ;\tclient_max_window_bits  ", node, outcome::accepted,
       "permessage-deflate"},
      // Malformed or invalid parameters: the `ws` package answers 400.
      {"permessage-deflate; client_max_window_bits=7", node, outcome::refused, ""},
      {"permessage-deflate; client_max_window_bits=16", node, outcome::refused, ""},
      {"permessage-deflate; client_max_window_bits=0x0f", node, outcome::refused, ""},
      {"permessage-deflate; server_max_window_bits", node, outcome::refused, ""},
      {"permessage-deflate; server_no_context_takeover=1", server_nct, outcome::refused, ""},
      {"permessage-deflate; client_max_window_bits; client_max_window_bits", node, outcome::refused,
       ""},
      {"permessage-deflate; unknown", node, outcome::refused, ""},
      {"permessage-deflate, permessage-deflate; bogus=1", node, outcome::refused, ""},
      {"permessage-deflate;", node, outcome::refused, ""},
      {"permessage-deflate; a=\"unterminated", node, outcome::refused, ""},
      {",", node, outcome::refused, ""},
      {"permessage-deflate; client_max_window_bits=1@", node, outcome::refused, ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.header);
    const auto n = pmd::negotiate(c.header, c.opts);
    EXPECT_EQ(n.result, c.result);
    if (c.result == outcome::accepted) {
      EXPECT_EQ(n.response, c.response);
    }
  }
}

TEST(PerMessageDeflateNegotiation, AgreedParameters) {
  auto n = pmd::negotiate(
      "permessage-deflate; client_no_context_takeover; server_max_window_bits=10; "
      "client_max_window_bits=9",
      pmd::options{});
  ASSERT_EQ(n.result, outcome::accepted);
  EXPECT_EQ(n.agreed, (pmd::params{.server_no_context_takeover = false,
                                   .client_no_context_takeover = true,
                                   .server_max_window_bits = 10,
                                   .client_max_window_bits = 9}));
  // Without a context takeover slot, both directions are asked to reset after each message.
  n = pmd::negotiate("permessage-deflate; client_max_window_bits", pmd::options{}, false);
  ASSERT_EQ(n.result, outcome::accepted);
  EXPECT_TRUE(n.agreed.server_no_context_takeover);
  EXPECT_TRUE(n.agreed.client_no_context_takeover);
  EXPECT_EQ(n.response,
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
}

// --- codec ------------------------------------------------------------------------------------

// zlib's own raw inflate of `data` + 00 00 ff ff (what a peer does), with a 15-bit window.
std::string zlib_inflate(std::string_view data, z_stream& z) {
  std::string in(data);
  in.append("\x00\x00\xff\xff", 4);
  std::string out(in.size() * 20 + 1024, '\0');
  z.next_in = reinterpret_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&z, Z_SYNC_FLUSH), Z_OK);
  out.resize(out.size() - z.avail_out);
  return out;
}

// zlib's raw deflate of one message with a sync flush, the tail removed (what a peer sends).
std::string zlib_deflate(std::string_view data, z_stream& z) {
  std::string out(data.size() + 1024, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_SYNC_FLUSH), Z_OK);
  out.resize(out.size() - z.avail_out - 4);
  return out;
}

std::string json_like(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s = "[\"receiveMessage\",[";
  while (s.size() < n)
    s += "{\"user\":\"user" + std::to_string(rng() % 50) + "\",\"text\":\"hello number " +
         std::to_string(rng()) + "\"},";
  s += "{}]]";
  return s;
}

TEST(PerMessageDeflateCodec, RfcExampleHello) {
  // RFC 7692 section 7.2.3.1: "Hello" compressed is f2 48 cd c9 c9 07 00.
  pmd::inflater in(15, false);
  std::string out;
  EXPECT_EQ(in.inflate(std::string_view("\xf2\x48\xcd\xc9\xc9\x07\x00", 7), 100, out),
            pmd::inflater::status::ok);
  EXPECT_EQ(out, "Hello");
  // Section 7.2.3.2: the same message again with context takeover reuses the window.
  EXPECT_EQ(in.inflate(std::string_view("\xf2\x00\x11\x00\x00", 5), 100, out),
            pmd::inflater::status::ok);
  EXPECT_EQ(out, "Hello");
  // Section 7.2.3.3: a stored (uncompressed) block; 7.2.3.4: a final block (BFINAL) is accepted
  // and the stream starts afresh after it.
  pmd::inflater fresh(15, false);
  EXPECT_EQ(
      fresh.inflate(std::string_view("\x00\x05\x00\xfa\xff\x48\x65\x6c\x6c\x6f\x00", 11), 100, out),
      pmd::inflater::status::ok);
  EXPECT_EQ(out, "Hello");
  EXPECT_EQ(fresh.inflate(std::string_view("\xf3\x48\xcd\xc9\xc9\x07\x00\x00", 8), 100, out),
            pmd::inflater::status::ok);
  EXPECT_EQ(out, "Hello");
  EXPECT_EQ(fresh.inflate(std::string_view("\xf3\x48\xcd\xc9\xc9\x07\x00\x00", 8), 100, out),
            pmd::inflater::status::ok);
  EXPECT_EQ(out, "Hello");
}

TEST(PerMessageDeflateCodec, RoundTripsWithZlibAtEveryWindow) {
  for (int bits = pmd::min_window_bits; bits <= pmd::max_window_bits; ++bits) {
    for (const bool reset : {false, true}) {
      SCOPED_TRACE("window bits " + std::to_string(bits) + (reset ? ", no takeover" : ""));
      pmd::deflater d(bits, -1, 8, reset);
      z_stream peer{};
      ASSERT_EQ(inflateInit2(&peer, -15), Z_OK);
      pmd::inflater in(bits, reset);
      z_stream peer_out{};
      ASSERT_EQ(deflateInit2(&peer_out, 6, Z_DEFLATED, -std::max(bits, 9), 8, Z_DEFAULT_STRATEGY),
                Z_OK);
      std::string out;
      for (unsigned i = 0; i < 6; ++i) {
        const std::string msg = json_like(200 + i * 4000, i);
        d.compress("4", msg, out);
        if (msg.size() > 1000) {
          EXPECT_LT(out.size(), msg.size() / 2);
        }
        if (reset) inflateReset(&peer);
        EXPECT_EQ(zlib_inflate(out, peer), "4" + msg);
        const auto sent = zlib_deflate(msg, peer_out);
        if (reset) deflateReset(&peer_out);
        std::string back;
        ASSERT_EQ(in.inflate(sent, 1'000'000, back), pmd::inflater::status::ok);
        EXPECT_EQ(back, msg);
      }
      inflateEnd(&peer);
      deflateEnd(&peer_out);
    }
  }
}

TEST(PerMessageDeflateCodec, ContextTakeoverShrinksRepeats) {
  const std::string msg = json_like(3000, 7);
  pmd::deflater keep(15, -1, 8, false);
  pmd::deflater reset(15, -1, 8, true);
  std::string a, b, c, d;
  keep.compress({}, msg, a);
  keep.compress({}, msg, b);
  reset.compress({}, msg, c);
  reset.compress({}, msg, d);
  EXPECT_LT(b.size(), a.size() / 4);  // the second refers back to the first
  EXPECT_EQ(c, d);                    // without takeover every message stands alone
  EXPECT_EQ(a, c);
}

TEST(PerMessageDeflateCodec, IncompressibleAndEmpty) {
  std::mt19937 rng(1);
  std::string noise(70'000, '\0');
  for (auto& ch : noise) ch = static_cast<char>(rng());
  pmd::deflater d(15, -1, 8, true);
  pmd::inflater in(15, true);
  std::string out, back;
  d.compress({}, noise, out);
  ASSERT_EQ(in.inflate(out, noise.size(), back), pmd::inflater::status::ok);
  EXPECT_EQ(back, noise);
  d.compress({}, {}, out);
  ASSERT_EQ(in.inflate(out, 0, back), pmd::inflater::status::ok);
  EXPECT_EQ(back, "");
}

TEST(PerMessageDeflateCodec, BombIsRefusedBeforeItsMemoryIsSpent) {
  // 100 MB of zeros compress to about 100 KB; max_size is 1 MB.
  z_stream z{};
  ASSERT_EQ(deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY), Z_OK);
  const std::string chunk(1 << 20, '\0');
  std::string bomb(200'000, '\0');
  z.next_out = reinterpret_cast<Bytef*>(bomb.data());
  z.avail_out = static_cast<uInt>(bomb.size());
  for (int i = 0; i < 100; ++i) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(chunk.data()));
    z.avail_in = static_cast<uInt>(chunk.size());
    ASSERT_EQ(deflate(&z, i == 99 ? Z_SYNC_FLUSH : Z_NO_FLUSH), Z_OK);
  }
  bomb.resize(bomb.size() - z.avail_out - 4);
  deflateEnd(&z);
  ASSERT_LT(bomb.size(), 200'000u);

  for (const bool reset : {false, true}) {
    pmd::inflater in(15, reset);
    std::string out;
    EXPECT_EQ(in.inflate(bomb, 1'000'000, out), pmd::inflater::status::too_big);
    EXPECT_LE(out.size(), 1'000'000u + 16 * 1024);
    EXPECT_LE(out.capacity(), 2'100'000u);  // grown a chunk at a time, never to 100 MB
    if (reset) {                            // a shared stream serves the next message
      pmd::deflater d(15, -1, 8, true);
      std::string small;
      d.compress({}, "next", small);
      EXPECT_EQ(in.inflate(small, 100, out), pmd::inflater::status::ok);
      EXPECT_EQ(out, "next");
    }
  }
}

TEST(PerMessageDeflateCodec, InvalidData) {
  pmd::inflater in(15, false);
  std::string out;
  // Block type 3 (reserved).
  EXPECT_EQ(in.inflate(std::string_view("\xff\xff\xff", 3), 1000, out),
            pmd::inflater::status::invalid);
}

// --- RSV1 in the WebSocket decoder --------------------------------------------------------------

std::string masked(unsigned char first, std::string_view payload) {
  std::string f{static_cast<char>(first), static_cast<char>(0x80 | payload.size())};
  f.append(4, '\0');  // a zero masking key leaves the payload as it is
  f.append(payload);
  return f;
}

TEST(PerMessageDeflateDecoder, Rsv1MarksACompressedMessage) {
  using namespace std::string_view_literals;
  std::string wire = masked(0xc1, "\xf2\x48\xcd\xc9\xc9\x07\x00"sv) +  // compressed text
                     masked(0x41, "\xf2\x48"sv) + masked(0x80, "\xcd\xc9\xc9\x07\x00"sv) +
                     masked(0x81, "plain");  // then a fragmented one, then a plain one
  ws::decoder d;
  d.allow_compressed(true);
  d.feed(wire.data(), wire.size());
  std::vector<std::pair<bool, std::string>> got;
  for (auto e = d.next(); e.what == ws::event::kind::message; e = d.next())
    got.emplace_back(e.compressed, std::string(e.payload));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], std::make_pair(true, std::string("\xf2\x48\xcd\xc9\xc9\x07\x00", 7)));
  EXPECT_EQ(got[1], got[0]);
  EXPECT_EQ(got[2], std::make_pair(false, std::string("plain")));
}

TEST(PerMessageDeflateDecoder, Rsv1ErrorsAre1002) {
  const std::vector<std::pair<bool, std::string>> bad = {
      {false, masked(0xc1, "x")},                     // no extension agreed
      {true, masked(0xc9, "")},                       // on a ping
      {true, masked(0x01, "a") + masked(0xc0, "b")},  // on a continuation
      {true, masked(0xa1, "x")},                      // RSV2 stays reserved
  };
  for (const auto& [allowed, w] : bad) {
    std::string wire = w;
    ws::decoder d;
    d.allow_compressed(allowed);
    d.feed(wire.data(), wire.size());
    const auto e = d.next();
    EXPECT_EQ(e.what, ws::event::kind::error);
    EXPECT_EQ(e.code, ws::close_code::protocol_error);
  }
}

TEST(PerMessageDeflateEncoder, Rsv1Header) {
  unsigned char h[ws::max_header_size] = {};
  EXPECT_EQ(ws::write_header(h, ws::opcode::text, 5, true), 2u);
  EXPECT_EQ(h[0], 0xc1);
  EXPECT_EQ(ws::write_header(h, ws::opcode::binary, 300, true), 4u);
  EXPECT_EQ(h[0], 0xc2);
}

}  // namespace
