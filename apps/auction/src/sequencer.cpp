#include <auction/sequencer.hpp>

#include <algorithm>
#include <functional>
#include <utility>

namespace auction {

sequencer::entry& sequencer::find_or_add(id_type auction, std::int64_t now_ms) {
  auto it = auctions_.find(auction);
  if (it == auctions_.end()) {
    make_room();
    it = auctions_.emplace(auction, entry{}).first;
  }
  it->second.used_ms = now_ms;
  return it->second;
}

void sequencer::make_room() {
  if (auctions_.size() < opts_.max_auctions) return;
  // The least recently used eighth goes, closed auctions first; never one awaiting a reader.
  std::vector<std::pair<std::pair<bool, std::int64_t>, id_type>> order;
  for (const auto& [id, en] : auctions_) {
    if (en.readers == 0) order.push_back({{!en.closed, en.used_ms}, id});
  }
  const std::size_t n = std::max<std::size_t>(1, opts_.max_auctions / 8);
  const auto end = order.begin() + static_cast<std::ptrdiff_t>(std::min(n, order.size()));
  std::partial_sort(order.begin(), end, order.end());
  for (auto it = order.begin(); it != end; ++it) auctions_.erase(it->second);
}

bool sequencer::has_gap(const entry& en) noexcept {
  return !en.closed && en.readers == 0 && en.next > 0 && en.highest >= en.next;
}

void sequencer::drain(entry& en, std::vector<auction_event>& out) {
  while (!en.early.empty() && !en.closed) {
    auto it = en.early.begin();
    if (it->first > en.next) break;
    if (it->first == en.next) {
      out.push_back(std::move(it->second));
      ++en.next;
      en.closed = out.back().name == auction_closed_event;
    }
    en.early.erase(it);
  }
  if (en.closed) en.early.clear();
}

std::vector<auction_event> sequencer::offer(auction_event e, std::int64_t now_ms) {
  std::vector<auction_event> out;
  if (e.seq == 0) return out;
  auto& en = find_or_add(e.auction, now_ms);
  if (en.next == 0 && en.readers == 0) en.next = e.seq;  // tracking starts here
  if (en.closed || (en.next > 0 && e.seq < en.next)) return out;
  const bool had_gap = has_gap(en);
  en.highest = std::max(en.highest, e.seq);
  if (e.seq == en.next || en.early.size() < opts_.max_buffered) {
    en.early.emplace(e.seq, std::move(e));  // a copy of a buffered one changes nothing
  }
  if (en.readers > 0) return out;
  const auto before = en.next;
  drain(en, out);
  if (has_gap(en) && (!had_gap || en.next != before)) en.gap_since = now_ms;
  return out;
}

void sequencer::expect(id_type auction, std::int64_t now_ms) {
  auto& en = find_or_add(auction, now_ms);
  if (en.next == 0 || en.readers > 0) ++en.readers;
}

std::vector<auction_event> sequencer::baseline(id_type auction,
                                               std::optional<std::uint64_t> last_seq,
                                               std::int64_t now_ms) {
  std::vector<auction_event> out;
  auto it = auctions_.find(auction);
  if (it == auctions_.end() || it->second.readers == 0) return out;
  auto& en = it->second;
  en.used_ms = now_ms;
  if (last_seq) en.lowest_read = std::min(en.lowest_read.value_or(*last_seq), *last_seq);
  if (--en.readers > 0) return out;
  if (en.lowest_read) {
    en.next = *en.lowest_read + 1;
  } else if (!en.early.empty()) {
    en.next = en.early.begin()->first;
  } else {
    auctions_.erase(it);  // nobody found it, nothing came: not tracked
    return out;
  }
  en.lowest_read.reset();
  drain(en, out);
  if (has_gap(en)) en.gap_since = now_ms;
  return out;
}

void sequencer::stored(id_type auction, std::uint64_t last_seq, std::int64_t now_ms) {
  auto it = auctions_.find(auction);
  if (it == auctions_.end()) return;
  auto& en = it->second;
  if (en.next == 0 || en.readers > 0 || en.closed || last_seq < en.next) return;
  const bool had_gap = has_gap(en);
  en.highest = std::max(en.highest, last_seq);
  if (!had_gap) en.gap_since = now_ms;
}

std::vector<id_type> sequencer::active(std::int64_t now_ms, std::int64_t within_ms,
                                       std::size_t limit) const {
  std::vector<std::pair<std::int64_t, id_type>> recent;
  for (const auto& [id, en] : auctions_) {
    if (!en.closed && en.readers == 0 && en.next > 0 && now_ms - en.used_ms <= within_ms) {
      recent.push_back({en.used_ms, id});
    }
  }
  const auto n = std::min(limit, recent.size());
  std::partial_sort(recent.begin(), recent.begin() + static_cast<std::ptrdiff_t>(n), recent.end(),
                    std::greater<>());
  std::vector<id_type> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(recent[i].second);
  return out;
}

std::vector<sequencer::gap> sequencer::due(std::int64_t now_ms) const {
  std::vector<gap> out;
  for (const auto& [id, en] : auctions_) {
    if (!has_gap(en)) continue;
    const bool full = en.early.size() >= opts_.max_buffered;
    if (!full && now_ms - en.gap_since < opts_.gap_ms) continue;
    // At most a buffer's worth at a time.
    const auto last = std::min<std::uint64_t>(en.highest, en.next + opts_.max_buffered - 1);
    out.push_back({id, en.next, last});
  }
  return out;
}

std::optional<std::uint64_t> sequencer::next_seq(id_type auction) const {
  auto it = auctions_.find(auction);
  if (it == auctions_.end() || it->second.readers > 0 || it->second.next == 0) return std::nullopt;
  return it->second.next;
}

}  // namespace auction
