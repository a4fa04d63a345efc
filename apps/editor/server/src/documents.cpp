#include <editor/documents.hpp>

#include "validation.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <exception>
#include <iostream>
#include <stdexcept>
#include <utility>

namespace editor {
namespace json = boost::json;

namespace {

std::string_view describe(ot::error e) {
  switch (e) {
    case ot::error::revision_too_old:
      return "Revision too old";
    case ot::error::revision_in_future:
      return "Revision in the future";
    case ot::error::length_mismatch:
      return "Operation does not match the document";
    case ot::error::too_many_components:
    case ot::error::insert_too_long:
    case ot::error::operation_too_long:
      return "Operation too large";
    case ot::error::splits_surrogate_pair:
      return "Operation splits a character";
    default:
      return "Invalid operation";
  }
}

std::string describe(const boost::system::error_code& ec) {
  if (ec.category() == ot::ot_category())
    return std::string(describe(static_cast<ot::error>(ec.value())));
  return "Invalid operation";
}

ot::text_operation parse_stored(const stored_operation& s) {
  auto op = ot::parse(json::parse(s.ops));
  if (!op) throw std::runtime_error("stored operation does not parse: " + op.error().message());
  return std::move(*op);
}

}  // namespace

documents::documents(storage& db, documents_options opts) : db_(db), opts_(opts) {}

documents::~documents() {
  std::lock_guard lock(mu_);
  for (auto& [id, d] : docs_) {
    std::lock_guard dl(d->mu);
    if (d->loaded) snapshot(*d);
  }
}

std::size_t documents::loaded() const {
  std::lock_guard lock(mu_);
  return docs_.size();
}

std::shared_ptr<documents::document> documents::find(id_type id) const {
  std::lock_guard lock(mu_);
  auto it = docs_.find(id);
  return it == docs_.end() ? nullptr : it->second;
}

open_result documents::open(id_type id, std::optional<std::uint64_t> since,
                            std::string_view client_id) {
  std::shared_ptr<document> d;
  {
    std::lock_guard lock(mu_);
    auto& slot = docs_[id];
    if (!slot) slot = std::make_shared<document>();
    d = slot;
    ++d->openers;
  }
  open_result r;
  try {
    std::lock_guard lock(d->mu);
    if (!d->loaded && !d->missing) {
      load(*d, id);
    } else if (d->loaded) {
      catch_up(*d);
    }
    if (d->missing) {
      r.error = "Document not found";
    } else {
      r.doc = {id, d->info.title, d->text, d->history.revision()};
      if (since && *since >= d->history.oldest() && *since <= d->history.revision()) {
        r.missed = missed(*d, *since, client_id);
      }
    }
  } catch (...) {
    close(id);
    throw;
  }
  if (!r.error.empty()) close(id);
  return r;
}

void documents::close(id_type id) {
  std::shared_ptr<document> d;
  {
    std::lock_guard lock(mu_);
    auto it = docs_.find(id);
    if (it == docs_.end() || --it->second->openers > 0) return;
    d = std::move(it->second);
    docs_.erase(it);
  }
  std::lock_guard lock(d->mu);
  if (d->loaded) snapshot(*d);
}

void documents::load(document& d, id_type id) {
  auto s = db_.load_document(id);
  if (!s) {
    d.missing = true;
    return;
  }
  auto ops = db_.operations(id, 0);
  // The kept operations up to the snapshot only fill the history; those after it make the text.
  const std::uint64_t start = ops.empty() ? s->revision : ops.front().revision - 1;
  d.info = s->info;
  d.text = std::move(s->text);
  d.snapshot_revision = s->revision;
  d.history = ot::history(opts_.history_capacity, std::min(start, s->revision));
  d.authors.clear();
  for (auto& o : ops) {
    if (o.revision != d.history.revision() + 1) {
      throw std::runtime_error("document " + std::to_string(id) + ": operations not contiguous");
    }
    auto op = parse_stored(o);
    if (o.revision > s->revision) {
      auto text = op.apply(d.text);
      if (!text) throw std::runtime_error("stored operation does not apply");
      d.text = std::move(*text);
    }
    record(d, std::move(op), {o.user_id, std::move(o.client_id)});
  }
  d.loaded = true;
}

void documents::catch_up(document& d) {
  auto ops = db_.operations(d.info.id, d.history.revision());
  if (!ops.empty() && ops.front().revision != d.history.revision() + 1) {
    load(d, d.info.id);  // too far behind: what it lacks is pruned, start from the snapshot
    return;
  }
  for (auto& o : ops) {
    auto op = parse_stored(o);
    auto text = op.apply(d.text);
    if (!text) throw std::runtime_error("stored operation does not apply");
    d.text = std::move(*text);
    record(d, std::move(op), {o.user_id, std::move(o.client_id)});
  }
}

void documents::record(document& d, ot::text_operation op, author who) {
  if (d.authors.size() == opts_.history_capacity) d.authors.pop_front();
  d.authors.push_back(std::move(who));
  d.history.push(std::move(op));
}

std::vector<missed_operation> documents::missed(const document& d, std::uint64_t since,
                                                std::string_view client_id) const {
  std::vector<missed_operation> out;
  const std::uint64_t oldest = d.history.oldest();
  for (std::uint64_t r = since + 1; r <= d.history.revision(); ++r) {
    const auto& who = d.authors[r - oldest - 1];
    out.push_back({r, ot::to_json(*d.history.made(r)), who.user_id,
                   !client_id.empty() && who.client_id == client_id});
  }
  return out;
}

submit_result documents::submit(id_type id, std::uint64_t revision, const json::value& ops,
                                id_type user, std::string_view client_id,
                                const std::function<void(const accepted_operation&)>& publish) {
  auto d = find(id);
  if (!d) return {"Open the document first"};
  auto op = ot::parse(ops, opts_.op_limits);
  if (!op) return {describe(op.error())};
  std::lock_guard lock(d->mu);
  if (!d->loaded) return {"Open the document first"};
  return try_submit(*d, revision, *op, {user, std::string(client_id)}, publish);
}

submit_result documents::try_submit(document& d, std::uint64_t revision,
                                    const ot::text_operation& op, const author& who,
                                    const std::function<void(const accepted_operation&)>& publish) {
  for (int attempt = 0; attempt < opts_.max_append_attempts; ++attempt) {
    // A client may know a revision this node has not loaded yet (another node made it).
    if (revision > d.history.revision()) catch_up(d);
    auto rebased = d.history.rebase(op, revision);
    if (!rebased) return {describe(rebased.error())};
    auto text = rebased->apply(d.text);
    if (!text) return {describe(text.error())};
    if (text->size() > opts_.max_document_bytes) return {"Document too large"};
    const std::uint64_t next = d.history.revision() + 1;
    auto ops = ot::to_json(*rebased);
    if (db_.append_operation(
            {d.info.id, next, json::serialize(ops), who.user_id, who.client_id, apps::now_ms()})) {
      d.text = std::move(*text);
      record(d, std::move(*rebased), who);
      if (publish) publish({d.info.id, next, std::move(ops), who.user_id});
      if (next - d.snapshot_revision >= opts_.snapshot_every) snapshot(d);
      return {{}, next};
    }
    catch_up(d);  // another node took that revision: rebase through what it appended
  }
  return {"Document is busy, try again"};
}

void documents::snapshot(document& d) {
  if (d.history.revision() <= d.snapshot_revision) return;
  try {
    db_.save_snapshot(d.info.id, d.text, d.history.revision(), opts_.history_capacity);
    d.snapshot_revision = d.history.revision();
  } catch (const std::exception& e) {
    std::cerr << "editor: snapshot of document " << d.info.id << ": " << e.what() << '\n';
  }
}

}  // namespace editor
