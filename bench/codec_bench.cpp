// Socket.IO v5 codec microbenchmarks: a typical chat event and a binary event, both ways.
// Boost.JSON's own serialize/parse of the same payload are listed as a reference point.
#include <sio/protocol/socketio.hpp>

#include <benchmark/benchmark.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <string>

namespace {

using namespace sio::protocol::socketio;

constexpr std::string_view event_text =
    R"(2/chat,17["sendMessage",{"roomId":"general","user":{"id":"u_4f2a9c","name":"Alice"},)"
    R"("text":"Hello everyone, how is it going today?","ts":1700000000123,"tags":["greeting","en"]}])";
constexpr std::string_view binary_text =
    R"(51-/chat,["upload",{"name":"photo.jpg","size":4096,"data":{"_placeholder":true,"num":0}}])";

packet event_packet() {
  decoder d;
  return std::move(**d.on_text(event_text));
}

packet binary_packet() {
  decoder d;
  (void)d.on_text(binary_text);
  return std::move(**d.on_binary(std::string(4096, '\x5a')));
}

void encode_event(benchmark::State& state) {
  const packet p = event_packet();
  for (auto _ : state) {
    auto e = encode(p);
    benchmark::DoNotOptimize(e);
  }
}
BENCHMARK(encode_event);

void encode_text_event_reused_buffer(benchmark::State& state) {
  const packet p = event_packet();
  std::string out;
  for (auto _ : state) {
    out.clear();
    encode_text(p, out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(encode_text_event_reused_buffer);

void decode_event(benchmark::State& state) {
  decoder d;
  for (auto _ : state) {
    auto r = d.on_text(event_text);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(decode_event);

void encode_binary_event(benchmark::State& state) {
  const packet p = binary_packet();
  for (auto _ : state) {
    auto e = encode(p);  // copies the 4 KiB attachment
    benchmark::DoNotOptimize(e);
  }
}
BENCHMARK(encode_binary_event);

void decode_binary_event(benchmark::State& state) {
  decoder d;
  const std::string attachment(4096, '\x5a');
  for (auto _ : state) {
    auto header = d.on_text(binary_text);
    auto r = d.on_binary(attachment);
    benchmark::DoNotOptimize(header);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(decode_binary_event);

// Reference: Boost.JSON on the event's payload alone.
void reference_boost_serialize_payload(benchmark::State& state) {
  const packet p = event_packet();
  for (auto _ : state) {
    auto s = boost::json::serialize(p.data);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(reference_boost_serialize_payload);

void reference_boost_parse_payload(benchmark::State& state) {
  const auto payload = event_text.substr(event_text.find('['));
  for (auto _ : state) {
    auto v = boost::json::parse(payload);
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(reference_boost_parse_payload);

}  // namespace

BENCHMARK_MAIN();
