#include "api/export_routes.hpp"

#include <boost/asio/awaitable.hpp>
#include <ctime>
#include <nlohmann/json.hpp>

#include "api/chat_json.hpp"
#include "api/error_response.hpp"
#include "chat/chat_store.hpp"
#include "chat/chat_validation.hpp"
#include "net/json_body.hpp"
#include "net/json_error.hpp"

namespace netra::api {
namespace {

namespace asio = boost::asio;
using json = nlohmann::json;
using net::HttpRequest;
using net::HttpResponse;

constexpr std::chrono::seconds kStoreBudget{5};

// "2026-12-05 00:31 UTC"
std::string utc_minute(int64_t unix_ms) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &tm);
  return text;
}

std::string markdown_of(const chat::Thread& thread, const std::vector<chat::Message>& messages,
                        bool truncated) {
  std::string out = "# " + thread.title.value_or("Untitled conversation") + "\n\n";
  out += "_Exported from Netra: " + std::to_string(messages.size()) + " messages, started " +
         utc_minute(thread.created_at) + "._\n";
  for (const auto& m : messages) {
    const char* who = m.role == chat::Role::user        ? "You"
                      : m.role == chat::Role::assistant ? "Netra"
                                                        : "System";
    out += "\n---\n\n**" + std::string(who) + "** · " + utc_minute(m.created_at) + "\n\n";
    // A report is Markdown with headings of its own: it goes in as written.
    out += m.content;
    if (!m.content.empty() && m.content.back() != '\n') out += '\n';
  }
  if (truncated) {
    out += "\n---\n\n_Only the first " + std::to_string(kMaxExportedMessages) +
           " messages are exported._\n";
  }
  return out;
}

// A file name from the title: letters, digits and '-' only (a header value, never a path).
std::string file_name(const chat::Thread& thread, const char* extension) {
  std::string name;
  for (char c : thread.title.value_or("")) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!name.empty() && name.back() != '-') {
      name += '-';
    }
    if (name.size() >= 60) break;
  }
  while (!name.empty() && name.back() == '-') name.pop_back();
  if (name.empty()) name = thread.id;
  return name + extension;
}

asio::awaitable<HttpResponse> export_thread(chat::ChatStore& store, HttpRequest& r) {
  const auto& id = r.path_params.at("id");
  if (auto bad = chat::check_id(id, chat::IdKind::thread, "id")) {
    co_return net::invalid_fields({{bad->field, bad->reason}});
  }
  const std::string format = r.query_param("format").empty() ? "markdown" : r.query_param("format");
  if (format != "markdown" && format != "json") {
    co_return net::invalid_fields({{"format", "markdown or json"}});
  }
  auto thread = co_await store.threads.get(r.user_id, id, core::Deadline::after(kStoreBudget));
  if (!thread) co_return error_response(thread.error(), r.request_id);
  std::vector<chat::Message> messages;
  int64_t total = 0;
  while (static_cast<int64_t>(messages.size()) < kMaxExportedMessages) {
    const auto offset = static_cast<int64_t>(messages.size());
    auto page = co_await store.messages.list(r.user_id, id, chat::kMaxPageLimit, offset,
                                             core::Deadline::after(kStoreBudget));
    if (!page) co_return error_response(page.error(), r.request_id);
    total = page->total;
    if (page->messages.empty()) break;
    for (auto& m : page->messages) messages.push_back(std::move(m));
    if (static_cast<int64_t>(messages.size()) >= total) break;  // no empty page to ask for
  }
  if (static_cast<int64_t>(messages.size()) > kMaxExportedMessages) {
    messages.resize(kMaxExportedMessages);
  }
  const bool truncated = total > static_cast<int64_t>(messages.size());
  HttpResponse response;
  if (format == "json") {
    json list = json::array();
    for (const auto& m : messages) list.push_back(message_json(m));
    response = net::json_response(json{
        {"thread", json::parse(thread_text(thread.value()))},
        {"messages", std::move(list)},
        {"total", total},
        {"truncated", truncated}}.dump(2));
  } else {
    response.content_type = "text/markdown; charset=utf-8";
    response.body = markdown_of(thread.value(), messages, truncated);
  }
  response.with_header("Content-Disposition",
                       "attachment; filename=\"" +
                           file_name(thread.value(), format == "json" ? ".json" : ".md") + "\"");
  response.with_header("Cache-Control", "no-store");
  co_return response;
}

}  // namespace

void add_export_route(net::Router& router, std::shared_ptr<chat::ChatStore> store) {
  router.add(
      "GET", "/api/threads/{id}/export",
      [store](HttpRequest& r) { return export_thread(*store, r); },
      net::RouteOptions{.needs_component = "api", .authenticated = true, .key_scope = "read"});
}

}  // namespace netra::api
