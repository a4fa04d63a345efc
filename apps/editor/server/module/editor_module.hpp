// editor::module: the collaborative editor as an app of the demo server: its storage (documents
// and operations in the shared database), its REST routes (/api/docs, editor::rest) and its
// Socket.IO side on namespace "/editor" (editor::realtime), behind the host's login.
#pragma once

#include "app_module.hpp"

#include <editor/documents.hpp>
#include <editor/realtime.hpp>
#include <editor/rest.hpp>
#include <editor/storage.hpp>

#include <memory>

namespace editor {

class module final : public apps::app_module {
 public:
  explicit module(documents_options docs = {}, realtime_options rt = {}, rest_options rest = {});
  ~module() override;

  apps::app_info info() const override;  // "editor", "Editor", ..., "/editor"
  void install(apps::host_context& host) override;
  bool handle(const apps::api_request& req, apps::reply_fn& done) override;
  void stop() override;

 private:
  const documents_options docs_opts_;
  const realtime_options rt_opts_;
  const rest_options rest_opts_;
  apps::accounts_api* auth_ = nullptr;
  std::unique_ptr<storage> db_;
  std::unique_ptr<documents> docs_;
  std::unique_ptr<rest> rest_;
  std::unique_ptr<realtime> rt_;
};

}  // namespace editor
