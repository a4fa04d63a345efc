// The collaborative editor's OT core (apps/editor/ot): what one edit costs the server. apply of a
// keystroke (retain, insert, retain) and of a word deleted, on a 10 KB and a 1 MB document of
// mixed text (ASCII, CJK, emoji); transform and compose of two keystrokes; parse of an op's JSON;
// rebase of an op sent 100 revisions ago against the history.
#include <editor/ot/history.hpp>
#include <editor/ot/text_operation.hpp>
#include <editor/ot/utf16.hpp>

#include <benchmark/benchmark.h>
#include <boost/json/parse.hpp>

#include <string>

namespace {

using namespace editor::ot;

std::string document(std::size_t bytes) {
  std::string d;
  while (d.size() < bytes)
    d += "The quick brown fox jumps over the lazy dog. \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80\n";
  return d;
}

// A keystroke at the middle of a document of `units` UTF-16 units (kept off a surrogate pair: the
// document's lines start with ASCII).
text_operation keystroke(std::size_t units, std::size_t at, const char* text = "x") {
  text_operation op;
  op.retain(at).insert(text).retain(units - at);
  return op;
}

std::size_t line_start_near(std::size_t units) {
  return units / 2 / 51 * 51;
}

void apply_keystroke(benchmark::State& state) {
  const std::string doc = document(static_cast<std::size_t>(state.range(0)));
  const std::size_t units = *utf16_length(doc);
  const auto op = keystroke(units, line_start_near(units));
  for (auto _ : state) {
    auto r = op.apply(doc);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * doc.size()));
}
BENCHMARK(apply_keystroke)->Arg(10 << 10)->Arg(1 << 20);

void apply_word_deleted(benchmark::State& state) {
  const std::string doc = document(static_cast<std::size_t>(state.range(0)));
  const std::size_t units = *utf16_length(doc);
  const std::size_t at = line_start_near(units);
  text_operation op;
  op.retain(at).remove(6).retain(units - at - 6);
  for (auto _ : state) {
    auto r = op.apply(doc);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * doc.size()));
}
BENCHMARK(apply_word_deleted)->Arg(10 << 10)->Arg(1 << 20);

void transform_keystrokes(benchmark::State& state) {
  const std::size_t units = *utf16_length(document(static_cast<std::size_t>(state.range(0))));
  const auto a = keystroke(units, line_start_near(units));
  const auto b = keystroke(units, line_start_near(units) + 51, "y");
  for (auto _ : state) {
    auto r = transform(a, b);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(transform_keystrokes)->Arg(10 << 10)->Arg(1 << 20);

void compose_keystrokes(benchmark::State& state) {
  const std::size_t units = *utf16_length(document(static_cast<std::size_t>(state.range(0))));
  const auto a = keystroke(units, line_start_near(units));
  const auto b = keystroke(units + 1, line_start_near(units) + 1, "y");
  for (auto _ : state) {
    auto r = compose(a, b);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(compose_keystrokes)->Arg(10 << 10)->Arg(1 << 20);

void parse_keystroke(benchmark::State& state) {
  const auto json = boost::json::parse(R"([524288, "x", 524288])");
  for (auto _ : state) {
    auto r = parse(json);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(parse_keystroke);

// An op based 100 revisions back, against 100 keystrokes by others spread over the document.
void rebase_100(benchmark::State& state) {
  std::size_t units = *utf16_length(document(static_cast<std::size_t>(state.range(0))));
  const std::size_t base_units = units;
  history h(100);
  for (std::size_t i = 0; i < 100; ++i) {
    h.push(keystroke(units, (i * 997) % units));
    ++units;
  }
  const auto op = keystroke(base_units, line_start_near(base_units));
  for (auto _ : state) {
    auto r = h.rebase(op, h.oldest());
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(rebase_100)->Arg(10 << 10)->Arg(1 << 20);

}  // namespace

BENCHMARK_MAIN();
