#include "fake_chat_completions_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "support/run_awaitable.hpp"

namespace netra::agents {

FakeChatCompletionsServer::Reply FakeChatCompletionsServer::completion(
    const std::string& content, const std::string& finish_reason) {
  nlohmann::json body = {
      {"id", "chatcmpl-fake"},
      {"object", "chat.completion"},
      {"model", "fake-model"},
      {"choices",
       nlohmann::json::array({{{"index", 0},
                               {"message", {{"role", "assistant"}, {"content", content}}},
                               {"finish_reason", finish_reason}}})},
      {"usage", {{"prompt_tokens", 100}, {"completion_tokens", 20}, {"total_tokens", 120}}}};
  return Reply{200, body.dump(), std::chrono::milliseconds(0)};
}

FakeChatCompletionsServer::FakeChatCompletionsServer() {
  router_.add("POST", "/v1/chat/completions",
              [this](net::HttpRequest& r) -> asio::awaitable<net::HttpResponse> {
                auto response = co_await answer(r);
                co_return response;
              });
  net::ServerSettings settings;
  settings.host = "127.0.0.1";
  settings.port = 0;
  settings.access_log = false;
  server_ = std::make_unique<net::HttpServer>(loops_, settings, router_, net::ServerHooks{});
  loops_.start();
  server_->listen();
}

FakeChatCompletionsServer::~FakeChatCompletionsServer() {
  // A held answer is abandoned: its timer goes with the loop.
  testing::run_awaitable(loops_.context(0).get_executor(),
                         server_->shutdown(std::chrono::milliseconds(100)));
  loops_.stop(std::chrono::seconds(1));
}

std::string FakeChatCompletionsServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(server_->port()) + "/v1";
}

void FakeChatCompletionsServer::reply_with(Reply reply) {
  std::lock_guard lock(mutex_);
  reply_ = std::move(reply);
}

std::vector<FakeChatCompletionsServer::Seen> FakeChatCompletionsServer::requests() const {
  std::lock_guard lock(mutex_);
  return seen_;
}

asio::awaitable<net::HttpResponse> FakeChatCompletionsServer::answer(net::HttpRequest& request) {
  Reply reply;
  {
    std::lock_guard lock(mutex_);
    seen_.push_back({request.path, std::string(request.header("authorization")),
                     nlohmann::json::parse(request.body, nullptr, false)});
    if (seen_.back().body.is_discarded()) seen_.back().body = nullptr;
    reply = reply_;
  }
  if (reply.delay.count() > 0) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(reply.delay);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  co_return net::json_response(std::move(reply.body), reply.status);
}

}  // namespace netra::agents
