// FakeChatCompletionsServer: a fake of an OpenAI-compatible API (no real model can run here) —
// the project's HttpServer on loopback answering POST /v1/chat/completions as the test scripts:
// a completion, a status, a malformed body, or an answer held past the client's deadline.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/event_loops.hpp"
#include "net/http_server.hpp"
#include "net/router.hpp"

namespace netra::agents {

namespace asio = boost::asio;

class FakeChatCompletionsServer {
 public:
  struct Reply {
    int status = 200;
    std::string body;
    std::chrono::milliseconds delay{0};  // before answering; a timer, the loop keeps turning
    // When not empty, and the request asked for `stream: true`: a text/event-stream of these
    // `data:` payloads instead of `body`, `gap` apart (chunked, each sent at once).
    std::vector<std::string> events = {};
    std::chrono::milliseconds gap{0};
  };
  // A 200 completion whose choices[0].message.content is `content`.
  static Reply completion(const std::string& content, const std::string& finish_reason = "stop");
  // The same reply streamed as OpenAI streams it: a chunk with the role, one per piece
  // (choices[0].delta.content), one with `finish_reason`, then [DONE] (unless `done` is false).
  // A non-streaming request gets the whole completion.
  static Reply streamed(const std::vector<std::string>& pieces, std::chrono::milliseconds gap,
                        const std::string& finish_reason = "stop", bool done = true);

  struct Seen {
    std::string path;
    std::string authorization;  // the header as sent, "" when absent
    nlohmann::json body;        // null when it was not JSON
  };

  FakeChatCompletionsServer();  // listening on 127.0.0.1, a free port
  ~FakeChatCompletionsServer();
  FakeChatCompletionsServer(const FakeChatCompletionsServer&) = delete;
  FakeChatCompletionsServer& operator=(const FakeChatCompletionsServer&) = delete;

  // What the client is configured with: http://127.0.0.1:<port>/v1
  std::string base_url() const;
  void reply_with(Reply reply);  // for every request from now on
  std::vector<Seen> requests() const;

 private:
  asio::awaitable<net::HttpResponse> answer(net::HttpRequest& request);

  mutable std::mutex mutex_;
  Reply reply_ = completion("A fake summary.");
  std::vector<Seen> seen_;
  core::EventLoops loops_{1, std::chrono::milliseconds(10)};
  net::Router router_;
  std::unique_ptr<net::HttpServer> server_;
};

}  // namespace netra::agents
