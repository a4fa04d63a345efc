#include <dashboard/history.hpp>

#include <algorithm>
#include <optional>
#include <vector>

namespace dashboard {
namespace json = boost::json;

namespace {

std::optional<std::int64_t> as_ms(const json::value* v) {
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= std::uint64_t(INT64_MAX))
    return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_double() && v->get_double() >= 0 && v->get_double() < 9e15)
    return static_cast<std::int64_t>(v->get_double());
  return std::nullopt;
}

}  // namespace

history::history(history_limits limits) : limits_(limits) {}

bool history::add(json::object sample, std::int64_t now_ms) {
  const auto* node = sample.if_contains("node");
  const auto at = as_ms(sample.if_contains("at"));
  if (!node || !node->is_string() || node->get_string().empty() ||
      node->get_string().size() > limits_.node_name_bytes || !at)
    return false;
  const std::string name(node->get_string());
  std::lock_guard lk(mu_);
  expire(now_ms);
  auto it = nodes_.find(name);
  if (it == nodes_.end()) {
    if (nodes_.size() >= limits_.nodes) return false;
    it = nodes_.emplace(name, node_log{}).first;
  }
  auto& log = it->second;
  log.last_at = *at;
  log.last_arrived = now_ms;
  log.samples.push_back({now_ms, *at, std::move(sample)});
  while (log.samples.size() > limits_.samples_per_node) log.samples.pop_front();
  return true;
}

history::view history::read(std::int64_t now_ms) {
  view out;
  std::vector<const entry*> all;
  std::lock_guard lk(mu_);
  expire(now_ms);
  for (const auto& [name, log] : nodes_) {
    out.nodes.push_back(json::object{{"node", name}, {"lastAt", log.last_at}});
    for (const auto& e : log.samples) all.push_back(&e);
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const entry* a, const entry* b) { return a->at < b->at; });
  out.samples.reserve(all.size());
  for (const auto* e : all) out.samples.push_back(e->sample);
  return out;
}

void history::expire(std::int64_t now_ms) {
  const auto oldest = now_ms - limits_.keep_ms;
  std::erase_if(nodes_, [&](const auto& kv) { return kv.second.last_arrived < oldest; });
  for (auto& [name, log] : nodes_)
    while (!log.samples.empty() && log.samples.front().arrived < oldest) log.samples.pop_front();
}

}  // namespace dashboard
