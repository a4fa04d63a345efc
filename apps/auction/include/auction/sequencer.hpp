// auction::sequencer: puts the numbered events of each auction (bidPlaced, auctionClosed; see
// events.hpp) back in seq order on one node before they are emitted to the node's sockets. Events
// arrive from this node's handlers and from the other nodes, in any order and possibly twice; the
// sequencer delivers each seq once, in order, keeps a bounded buffer of early ones, and names the
// gaps that stayed open (gap_ms) so that the caller reads them from storage and offers them.
//
// Tracking of an auction starts with its first event seen, or with expect(): a socket is about to
// read the auction from storage (joinAuction), and its events wait until baseline() says which seq
// that read ended at, so that nothing falls between the read and the events. After the close is
// delivered the auction keeps a small record that drops late copies of its events.
//
// Pure and single-threaded: time is passed in; the caller serialises the calls.
#pragma once

#include <auction/events.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

namespace auction {

struct sequencer_options {
  std::size_t max_buffered = 256;    // early events kept per auction (beyond: read from storage)
  std::int64_t gap_ms = 500;         // a gap open this long is read from storage
  std::size_t max_auctions = 10000;  // auctions tracked (beyond: the least recently used go)
};

class sequencer {
 public:
  // Seqs first..last of an auction, to read from storage and offer().
  struct gap {
    id_type auction = 0;
    std::uint64_t first = 0;
    std::uint64_t last = 0;
  };

  explicit sequencer(sequencer_options opts = {}) : opts_(opts) {}

  // An event: the events deliverable now, in seq order (none when it is early, late or a copy).
  std::vector<auction_event> offer(auction_event e, std::int64_t now_ms);
  // A reader of the auction starts: its events are held until its baseline().
  void expect(id_type auction, std::int64_t now_ms);
  // That reader saw the auction up to `last_seq` (nullopt: it found nothing). Once every reader
  // said so, delivery goes on after the lowest of them; returns what is deliverable then.
  std::vector<auction_event> baseline(id_type auction, std::optional<std::uint64_t> last_seq,
                                      std::int64_t now_ms);
  // Storage says the auction's last seq is `last_seq`: an event this node has not seen yet (its
  // node stopped before publishing it) becomes a gap, read from storage after gap_ms unless the
  // event arrives meanwhile.
  void stored(id_type auction, std::uint64_t last_seq, std::int64_t now_ms);
  // The open auctions delivering events here that had one within `within_ms`: those whose last
  // seq is worth comparing with storage's (at most `limit`, the most recent first).
  std::vector<id_type> active(std::int64_t now_ms, std::int64_t within_ms, std::size_t limit) const;
  // The gaps to read from storage now: open for gap_ms, or with a full buffer.
  std::vector<gap> due(std::int64_t now_ms) const;
  // The seq the auction's next delivered event will have (nullopt: not tracked, or waiting for a
  // baseline).
  std::optional<std::uint64_t> next_seq(id_type auction) const;
  std::size_t tracked() const noexcept { return auctions_.size(); }

 private:
  struct entry {
    std::uint64_t next = 0;   // the seq delivered next (0: unknown, waiting for baselines)
    std::size_t readers = 0;  // expect() without baseline() yet
    std::optional<std::uint64_t> lowest_read;
    std::map<std::uint64_t, auction_event> early;
    std::uint64_t highest = 0;   // the highest seq offered (may be beyond the buffer)
    std::int64_t gap_since = 0;  // when the current gap opened (meaningful while there is one)
    bool closed = false;         // the close was delivered
    std::int64_t used_ms = 0;
  };

  entry& find_or_add(id_type auction, std::int64_t now_ms);
  // Moves the buffered events from `next` on to `out` while they are consecutive.
  static void drain(entry& en, std::vector<auction_event>& out);
  static bool has_gap(const entry& en) noexcept;
  void make_room();

  const sequencer_options opts_;
  std::unordered_map<id_type, entry> auctions_;
};

}  // namespace auction
