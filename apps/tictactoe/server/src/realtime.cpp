#include <tictactoe/realtime.hpp>
#include <tictactoe/turn_notice.hpp>

#include "login.hpp"
#include "socket_handlers.hpp"
#include "validation.hpp"

#include <boost/json/array.hpp>

#include <chrono>
#include <exception>
#include <iostream>
#include <utility>
#include <vector>

namespace tictactoe {
namespace json = boost::json;
using apps::failure;
using apps::guarded;

namespace {

constexpr std::string_view too_many = "Too many requests";
constexpr std::string_view app = "tictactoe";
// The socket data's field saying the socket's page is hidden (event `visibility`).
constexpr std::string_view hidden_key = "hidden";
// The server-side event telling the node holding a quick-match acknowledgement its answer:
// {"ticket": string, "reply": the acknowledgement's argument}.
constexpr std::string_view answer_event = "tictactoe:answer";
// Games whose forfeit check is under way on one node at once.
constexpr std::size_t max_sweeping = 1000;
// Compare-and-set attempts of one change before giving up (each failure means another change of
// the same game was applied meanwhile).
constexpr int max_attempts = 64;

json::value player_json(const player& p) {
  if (p.empty()) return nullptr;
  return json::object{{"userId", p.user_id}, {"username", p.username}};
}

json::value mark_json(mark m) {
  if (m == mark::none) return nullptr;
  return json::string(to_string(m));
}

// A cell: an integer 0-8 (JSON number), else nullopt.
std::optional<int> parse_cell(const json::value* v) {
  if (!v) return std::nullopt;
  if (v->is_int64() && v->get_int64() >= 0 && v->get_int64() <= 8) {
    return static_cast<int>(v->get_int64());
  }
  if (v->is_uint64() && v->get_uint64() <= 8) return static_cast<int>(v->get_uint64());
  if (v->is_double()) {
    const double d = v->get_double();
    if (d >= 0 && d <= 8 && d == static_cast<double>(static_cast<int>(d))) {
      return static_cast<int>(d);
    }
  }
  return std::nullopt;
}

std::optional<id_type> user_of(const sio::remote_socket& r) {
  auto* id = r.data().if_contains("userId");
  if (!id || !id->is_int64()) return std::nullopt;
  return id->get_int64();
}

std::optional<id_type> game_of_room(std::string_view room) {
  constexpr std::string_view prefix = "game:";
  if (!room.starts_with(prefix)) return std::nullopt;
  return apps::parse_id(room.substr(prefix.size()));
}

room_socket room_socket_of(const sio::remote_socket& r) {
  auto* hidden = r.data().if_contains(hidden_key);
  return {user_of(r).value_or(0), hidden && hidden->is_bool() && hidden->get_bool()};
}

bool active(const game& g) {
  return g.state == status::waiting || g.state == status::playing;
}

player player_of(const apps::identity& me) {
  return {me.user_id, me.username};
}

void log_error(std::string_view what, const std::exception& e) {
  std::cerr << app << ": " << what << ": " << e.what() << '\n';
}

}  // namespace

std::string realtime::room_key(id_type game) {
  return "game:" + std::to_string(game);
}

json::object realtime::state_json(const game& g) {
  json::array board;
  for (mark m : g.board) board.push_back(mark_json(m));
  json::value line = nullptr;
  if (g.line) line = json::array{(*g.line)[0], (*g.line)[1], (*g.line)[2]};
  json::object away;
  if (g.away_x) away["X"] = g.away_x;
  if (g.away_o) away["O"] = g.away_o;
  json::array rematch;
  if (g.rematch_x) rematch.push_back("X");
  if (g.rematch_o) rematch.push_back("O");
  return {{"gameId", g.id},
          {"board", std::move(board)},
          {"turn", mark_json(g.turn)},
          {"players", json::object{{"X", player_json(g.x)}, {"O", player_json(g.o)}}},
          {"status", to_string(g.state)},
          {"winner", mark_json(g.winner)},
          {"line", std::move(line)},
          {"version", g.version},
          {"round", g.round},
          {"away", std::move(away)},
          {"rematch", std::move(rematch)},
          {"quick", g.quick}};
}

realtime::realtime(sio::server& io, std::shared_ptr<storage> db, apps::notifier& notify,
                   realtime_options opts)
    : io_(io),
      db_(std::move(db)),
      notify_(notify),
      opts_(opts),
      limits_({opts.moves, opts.creates, opts.others}) {}

realtime::~realtime() {
  stop();
}

void realtime::stop() {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
  }
  wake_.notify_all();
  if (sweeper_.joinable() && sweeper_.get_id() != std::this_thread::get_id()) sweeper_.join();
}

bool realtime::stopped() const {
  std::lock_guard lock(mu_);
  return stopped_;
}

void realtime::install() {
  auto& nsp = io_.of(namespace_name);
  nsp.on_connection([this](sio::socket& s) { on_connection(s); });
  nsp.on_server_side_emit(std::string(answer_event), [this](const json::array& args) {
    auto& a = apps::first_arg(args);
    auto* ticket = apps::field(a, "ticket");
    auto* reply = apps::field(a, "reply");
    if (ticket && ticket->is_string() && reply)
      answer_held(std::string(ticket->get_string()), *reply);
  });
  sweeper_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopped_) {
      wake_.wait_for(lock, std::chrono::milliseconds(opts_.sweep_ms));
      if (stopped_) break;
      lock.unlock();
      sweep();
      lock.lock();
    }
  });
}

void realtime::on_connection(sio::socket& s) {
  auto me = apps::identity_of(s);
  if (!me) {
    s.disconnect();
    return;
  }
  limits_.attach(me->user_id, apps::now_ms());
  auto bind = [this](handler fn) {
    return apps::member_handler(*this, fn, [this] { return stopped(); });
  };
  s.on("createGame", bind(&realtime::create_game));
  s.on("joinGame", bind(&realtime::join_game));
  s.on("quickMatch", bind(&realtime::quick_match));
  s.on("move", bind(&realtime::move));
  s.on("rematch", bind(&realtime::rematch));
  s.on("leaveGame", bind(&realtime::leave_game));
  s.on("visibility", bind(&realtime::visibility));
  s.on_disconnect([this, user = me->user_id](sio::socket& s, sio::disconnect_reason) {
    try {
      disconnected(s);
    } catch (const std::exception& e) {
      log_error("disconnect", e);
    }
    limits_.detach(user);
  });
  // A socket recovered after a short disconnection is back in its games' rooms: its player is
  // there again.
  if (!s.recovered()) return;
  for (const auto& room : s.rooms()) {
    if (auto id = game_of_room(room)) {
      {
        std::lock_guard lock(mu_);
        games_of_[s.id()].insert(*id);
      }
      check_presence(*id);
    }
  }
}

bool realtime::admit(sio::socket& s, limit kind, sio::ack& ack) {
  auto me = apps::identity_of(s);
  if (!me) {
    ack(failure("Unauthorized"));
    return false;
  }
  if (!limits_.take(me->user_id, kind, apps::now_ms())) {
    ack(failure(too_many));
    return false;
  }
  return true;
}

bool realtime::enter(sio::socket& s, id_type game) {
  {
    std::lock_guard lock(mu_);
    auto& mine = games_of_[s.id()];
    if (!mine.contains(game) && mine.size() >= opts_.max_games_per_socket) return false;
    mine.insert(game);
  }
  s.join(room_key(game));
  return true;
}

template <class Change>
std::pair<std::string, std::optional<game>> realtime::change_game(id_type id, Change&& change) {
  for (int attempt = 0; attempt < max_attempts; ++attempt) {
    auto g = db_->load(id);
    if (!g) return {std::string(errors::not_found), std::nullopt};
    const std::string refusal(change(*g));
    if (refusal == "-") return {"", std::nullopt};
    if (!refusal.empty()) return {refusal, g};
    ++g->version;
    g->updated_ms = apps::now_ms();
    if (db_->update(*g)) return {"", g};
  }
  return {"Busy, try again", std::nullopt};
}

void realtime::send_state(const game& g) {
  io_.of(namespace_name).to(room_key(g.id)).emit("state", state_json(g));
}

void realtime::create_game(sio::socket& s, const json::value&, sio::ack& ack) {
  guarded(app, "createGame", ack, [&] {
    if (!admit(s, limit_create, ack)) return;
    auto me = apps::identity_of(s);
    auto g = db_->create_game(player_of(*me), false, apps::now_ms());
    if (!enter(s, g.id)) return ack(failure("Too many games"));
    ack(json::object{{"success", true}, {"gameId", g.id}, {"state", state_json(g)}});
  });
}

void realtime::join_game(sio::socket& s, const json::value& arg, sio::ack& ack) {
  guarded(app, "joinGame", ack, [&] {
    if (!admit(s, limit_other, ack)) return;
    auto id = apps::parse_id(apps::field(arg, "gameId"));
    if (!id || !db_->load(*id)) return ack(failure(errors::not_found));
    // In the room before the game is read: no state sent meanwhile falls between the two.
    if (!enter(s, *id)) return ack(failure("Too many games"));
    auto me = apps::identity_of(s);
    mark role = mark::none;
    auto [refusal, g] = change_game(*id, [&](game& g) -> std::string_view {
      auto j = apply_join(g, player_of(*me));
      role = j.role;
      return j.changed ? "" : "-";
    });
    if (!refusal.empty()) return ack(failure(refusal));
    if (g)
      send_state(*g);
    else
      g = db_->load(*id);
    if (!g) return ack(failure(errors::not_found));
    ack(json::object{{"success", true},
                     {"role", role == mark::none ? "spectator" : to_string(role)},
                     {"state", state_json(*g)}});
  });
}

void realtime::move(sio::socket& s, const json::value& arg, sio::ack& ack) {
  guarded(app, "move", ack, [&] {
    if (!admit(s, limit_move, ack)) return;
    auto cell = parse_cell(apps::field(arg, "cell"));
    if (!cell) return ack(failure(errors::invalid_cell));
    auto id = apps::parse_id(apps::field(arg, "gameId"));
    if (!id) return ack(failure(errors::not_found));
    const auto user = apps::identity_of(s)->user_id;
    auto [refusal, g] = change_game(*id, [&](game& g) { return apply_move(g, user, *cell); });
    if (!refusal.empty()) return ack(failure(refusal));
    send_state(*g);
    ack(json::object{{"success", true}});
    notify_turn(*g);
  });
}

void realtime::notify_turn(const game& g) {
  if (g.state != status::playing) return;
  // The move stands and its ack is sent: a failure here only loses the notice.
  try {
    io_.of(namespace_name)
        .in(room_key(g.id))
        .fetch_sockets([self = shared_from_this(), g](std::vector<sio::remote_socket> sockets) {
          if (self->stopped()) return;
          try {
            std::vector<room_socket> room;
            room.reserve(sockets.size());
            for (const auto& r : sockets) room.push_back(room_socket_of(r));
            if (auto n = turn_notice(g, room)) self->notify_.push(std::move(*n));
          } catch (const std::exception& e) {
            log_error("turn notice", e);
          }
        });
  } catch (const std::exception& e) {
    log_error("turn notice", e);
  }
}

void realtime::visibility(sio::socket& s, const json::value& arg, sio::ack& ack) {
  guarded(app, "visibility", ack, [&] {
    auto* hidden = apps::field(arg, "hidden");
    if (!hidden || !hidden->is_bool()) return ack(failure("Invalid visibility"));
    s.data[hidden_key] = hidden->get_bool();
    ack(json::object{{"success", true}});
  });
}

void realtime::rematch(sio::socket& s, const json::value& arg, sio::ack& ack) {
  guarded(app, "rematch", ack, [&] {
    if (!admit(s, limit_other, ack)) return;
    auto id = apps::parse_id(apps::field(arg, "gameId"));
    if (!id) return ack(failure(errors::not_found));
    const auto user = apps::identity_of(s)->user_id;
    auto [refusal, g] = change_game(*id, [&](game& g) { return apply_rematch(g, user); });
    if (!refusal.empty()) return ack(failure(refusal));
    send_state(*g);
    ack(json::object{{"success", true}});
  });
}

void realtime::leave_game(sio::socket& s, const json::value& arg, sio::ack& ack) {
  guarded(app, "leaveGame", ack, [&] {
    if (!admit(s, limit_other, ack)) return;
    auto id = apps::parse_id(apps::field(arg, "gameId"));
    if (!id) return ack(failure(errors::not_found));
    bool was_in = false;
    {
      std::lock_guard lock(mu_);
      if (auto it = games_of_.find(s.id()); it != games_of_.end()) was_in = it->second.erase(*id);
    }
    s.leave(room_key(*id));
    if (was_in) check_presence(*id, s.id());
    ack(json::object{{"success", true}});
  });
}

void realtime::quick_match(sio::socket& s, const json::value&, sio::ack& ack) {
  guarded(app, "quickMatch", ack, [&] {
    if (!admit(s, limit_create, ack)) return;
    // The socket id names the socket cluster-wide; the number tells its requests apart.
    const std::string ticket = s.id() + "#" + std::to_string(++tickets_);
    {
      // Held before the queue has it: a pairing right after can answer it.
      std::lock_guard lock(mu_);
      held_[ticket] = {ack, s.id()};
      ticket_of_[s.id()] = ticket;
    }
    auto me = apps::identity_of(s);
    auto res = db_->quick_match(player_of(*me), ticket, apps::now_ms());
    if (!res.replaced.empty()) answer_held(res.replaced, failure("Replaced"));
    if (!res.paired) return;
    {
      std::lock_guard lock(mu_);
      held_.erase(ticket);
      if (auto it = ticket_of_.find(s.id()); it != ticket_of_.end() && it->second == ticket) {
        ticket_of_.erase(it);
      }
    }
    const game& g = *res.paired;
    enter(s, g.id);
    paired(g, res.partner_ticket);
    ack(json::object{{"success", true}, {"gameId", g.id}, {"role", "O"}, {"state", state_json(g)}});
  });
}

void realtime::paired(const game& g, const std::string& partner_ticket) {
  const std::string room = room_key(g.id);
  const std::string partner_sid = partner_ticket.substr(0, partner_ticket.rfind('#'));
  io_.of(namespace_name).in(partner_sid).sockets_join(room);
  answer_held(
      partner_ticket,
      json::object{{"success", true}, {"gameId", g.id}, {"role", "X"}, {"state", state_json(g)}});
  // The waiting caller may have gone meanwhile: then its forfeit clock starts.
  check_presence(g.id);
}

void realtime::answer_held(const std::string& ticket, const json::value& reply) {
  if (answer_local(ticket, reply)) return;
  io_.of(namespace_name)
      .server_side_emit(answer_event, json::object{{"ticket", ticket}, {"reply", reply}});
}

bool realtime::answer_local(const std::string& ticket, const json::value& reply) {
  std::optional<held_match> h;
  {
    std::lock_guard lock(mu_);
    auto it = held_.find(ticket);
    if (it == held_.end()) return false;
    h = std::move(it->second);
    held_.erase(it);
    if (auto t = ticket_of_.find(h->sid); t != ticket_of_.end() && t->second == ticket) {
      ticket_of_.erase(t);
    }
    if (auto id = apps::parse_id(apps::field(reply, "gameId"))) games_of_[h->sid].insert(*id);
  }
  h->ack(reply);
  return true;
}

void realtime::disconnected(sio::socket& s) {
  std::set<id_type> games;
  std::string ticket;
  {
    std::lock_guard lock(mu_);
    if (auto it = games_of_.find(s.id()); it != games_of_.end()) {
      games = std::move(it->second);
      games_of_.erase(it);
    }
    if (auto it = ticket_of_.find(s.id()); it != ticket_of_.end()) {
      ticket = std::move(it->second);
      ticket_of_.erase(it);
      held_.erase(ticket);
    }
  }
  if (!ticket.empty()) db_->leave_queue(ticket);
  // The socket has left its rooms already; a socket recovering its session comes back with the
  // same id, so that id must not be excluded.
  for (id_type g : games) check_presence(g);
}

void realtime::check_presence(id_type game, std::string gone) {
  io_.of(namespace_name)
      .in(room_key(game))
      .fetch_sockets([self = shared_from_this(), game,
                      gone = std::move(gone)](std::vector<sio::remote_socket> sockets) {
        if (self->stopped()) return;
        std::set<id_type> present;
        for (const auto& r : sockets) {
          if (r.id() == gone) continue;
          if (auto u = user_of(r)) present.insert(*u);
        }
        try {
          self->apply_presence(game, present);
        } catch (const std::exception& e) {
          log_error("presence", e);
        }
      });
}

void realtime::apply_presence(id_type id, const std::set<id_type>& present) {
  const auto now = apps::now_ms();
  bool went_away = false;
  auto [refusal, g] = change_game(id, [&](game& g) -> std::string_view {
    if (!active(g)) return "-";
    bool changed = false;
    went_away = false;
    for (mark role : {mark::x, mark::o}) {
      const auto& p = seat(g, role);
      if (p.empty()) continue;
      if (present.contains(p.user_id)) {
        changed |= set_away(g, role, 0);
      } else if (away_of(g, role) == 0) {
        set_away(g, role, now + opts_.away_ms);
        went_away = changed = true;
      }
    }
    return changed ? "" : "-";
  });
  if (!g) return;
  send_state(*g);
  // A player who came back while this was decided (a recovered socket) is back now: ask again,
  // which clears it (and sets nothing new).
  if (went_away) check_presence(id);
}

void realtime::sweep() {
  try {
    for (id_type id : db_->away_due(apps::now_ms())) {
      {
        std::lock_guard lock(mu_);
        if (sweeping_.size() >= max_sweeping || !sweeping_.insert(id).second) continue;
      }
      sweep_game(id);
    }
  } catch (const std::exception& e) {
    log_error("sweep", e);
  }
}

void realtime::sweep_game(id_type id) {
  io_.of(namespace_name)
      .in(room_key(id))
      .fetch_sockets([self = shared_from_this(), id](std::vector<sio::remote_socket> sockets) {
        std::set<id_type> present;
        for (const auto& r : sockets) {
          if (auto u = user_of(r)) present.insert(*u);
        }
        try {
          if (!self->stopped()) self->finish_due(id, present);
        } catch (const std::exception& e) {
          log_error("forfeit", e);
        }
        std::lock_guard lock(self->mu_);
        self->sweeping_.erase(id);
      });
}

void realtime::finish_due(id_type id, const std::set<id_type>& present) {
  const auto now = apps::now_ms();
  auto due = [&](const game& g, mark role) {
    const auto at = role == mark::x ? g.away_x : g.away_o;
    return at != 0 && at <= now && !present.contains(seat(g, role).user_id);
  };
  if (auto g = db_->load(id); g && g->state == status::waiting && due(*g, mark::x)) {
    db_->remove(id, g->version);  // a creator gone for good: nothing to keep
    return;
  }
  auto [refusal, g] = change_game(id, [&](game& g) -> std::string_view {
    if (!active(g)) return "-";
    for (mark role : {mark::x, mark::o}) {
      if (g.state == status::playing && due(g, role)) {
        apply_forfeit(g, role);
        return "";
      }
    }
    // Back meanwhile (or the times moved): the presence decides.
    bool changed = false;
    for (mark role : {mark::x, mark::o}) {
      if (present.contains(seat(g, role).user_id)) changed |= set_away(g, role, 0);
    }
    return changed ? "" : "-";
  });
  if (g) send_state(*g);
}

}  // namespace tictactoe
