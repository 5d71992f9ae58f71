#include "fake_chat_completions_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/response_stream.hpp"
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

FakeChatCompletionsServer::Reply FakeChatCompletionsServer::streamed(
    const std::vector<std::string>& pieces, std::chrono::milliseconds gap,
    const std::string& finish_reason, bool done) {
  std::string whole;
  for (const auto& p : pieces) whole += p;
  Reply reply = completion(whole, finish_reason);
  const auto chunk = [](nlohmann::json delta, nlohmann::json finish) {
    return nlohmann::json{
        {"id", "chatcmpl-fake"},
        {"object", "chat.completion.chunk"},
        {"model", "fake-model"},
        {"choices",
         nlohmann::json::array(
             {{{"index", 0}, {"delta", std::move(delta)}, {"finish_reason", std::move(finish)}}})}}
        .dump();
  };
  reply.events.push_back(chunk({{"role", "assistant"}, {"content", ""}}, nullptr));
  for (const auto& p : pieces) reply.events.push_back(chunk({{"content", p}}, nullptr));
  reply.events.push_back(chunk(nlohmann::json::object(), finish_reason));
  if (done) reply.events.push_back("[DONE]");
  reply.gap = gap;
  return reply;
}

namespace {

// The events of a streamed reply, `gap` apart.
class StreamedReply final : public net::StreamBody {
 public:
  StreamedReply(std::vector<std::string> events, std::chrono::milliseconds gap)
      : events_(std::move(events)), gap_(gap) {}

  asio::awaitable<void> run(net::ResponseStream& out) override {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (size_t i = 0; i < events_.size() && !out.closing(); ++i) {
      if (i > 0 && gap_.count() > 0) {
        timer.expires_after(gap_);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      }
      if (!co_await out.write("data: " + events_[i] + "\n\n")) co_return;
    }
  }

 private:
  std::vector<std::string> events_;
  std::chrono::milliseconds gap_;
};

}  // namespace

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
  bool stream = false;
  {
    std::lock_guard lock(mutex_);
    seen_.push_back({request.path, std::string(request.header("authorization")),
                     nlohmann::json::parse(request.body, nullptr, false)});
    if (seen_.back().body.is_discarded()) seen_.back().body = nullptr;
    const auto& asked = seen_.back().body;
    stream = asked.is_object() && asked.value("stream", false);
    reply = reply_;
  }
  if (reply.delay.count() > 0) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(reply.delay);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (stream && !reply.events.empty()) {
    net::HttpResponse response;
    response.status = reply.status;
    response.content_type = "text/event-stream";
    response.stream = std::make_shared<StreamedReply>(std::move(reply.events), reply.gap);
    co_return response;
  }
  co_return net::json_response(std::move(reply.body), reply.status);
}

}  // namespace netra::agents
