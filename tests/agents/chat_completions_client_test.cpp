// The chat-completions client against a fake OpenAI-compatible server on loopback: what it sends
// (model, messages, temperature, the Bearer key), what it takes from the reply, and every way a
// call fails — timeout, refused connection, 500, 401, malformed JSON, no choices, a cut or empty
// reply — as a typed error that names neither the key nor the body.
#include "agents/chat_completions_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "fake_chat_completions_server.hpp"
#include "support/misbehaving_peer.hpp"
#include "support/run_awaitable.hpp"
#include "telemetry/logging.hpp"

namespace netra::agents {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;
using Kind = LlmError::Kind;

constexpr std::string_view kKey = "sk-test-5ecret-key-0123456789";

// What the "agents" logger writes while it lives, beside its usual sinks.
class CapturedLog {
 public:
  CapturedLog() : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(text_)) {
    telemetry::logger("agents")->sinks().push_back(sink_);
  }
  ~CapturedLog() {
    auto& sinks = telemetry::logger("agents")->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
  }
  std::string text() {
    sink_->flush();
    return text_.str();
  }

 private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
};

class ChatCompletionsClientTest : public ::testing::Test {
 protected:
  ChatCompletionsClientTest() { loops_.start(); }
  ~ChatCompletionsClientTest() override {
    http_.reset();
    loops_.stop(1s);
  }

  LlmSettings settings(std::chrono::milliseconds timeout = 5s) {
    LlmSettings s;
    s.url = fake_.base_url();
    s.model = "fake-model";
    s.api_key = std::string(kKey);
    s.timeout = timeout;
    s.max_tokens = 300;
    return s;
  }

  core::Result<std::string, LlmError> complete(const LlmSettings& s) {
    ChatCompletionsClient client(*http_, s);
    return testing::run_awaitable(
        loops_.context(0).get_executor(),
        client.complete({"be brief", "{\"calls\":\"9,140\"}"}, core::Deadline::after(20s)));
  }

  // The call fails with `kind`; neither its message nor the log names the key.
  LlmError must_fail(Kind kind, const LlmSettings& s) {
    CapturedLog log;
    auto outcome = complete(s);
    EXPECT_FALSE(outcome);
    if (outcome) return {};
    EXPECT_EQ(outcome.error().kind, kind) << outcome.error().message;
    EXPECT_THAT(outcome.error().message, Not(HasSubstr(kKey)));
    EXPECT_THAT(outcome.error().message, Not(HasSubstr("5ecret")));
    const auto logged = log.text();
    EXPECT_THAT(logged, HasSubstr("the language model did not answer"));
    EXPECT_THAT(logged, Not(HasSubstr("5ecret")));
    return outcome.error();
  }

  core::EventLoops loops_{1, 10ms};
  FakeChatCompletionsServer fake_;
  std::unique_ptr<net::HttpClient> http_ = std::make_unique<net::HttpClient>();
};

TEST_F(ChatCompletionsClientTest, SendsAnOpenAiRequestAndReturnsTheContent) {
  fake_.reply_with(FakeChatCompletionsServer::completion("  Spend was $12.34.\n"));
  auto outcome = complete(settings());
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome.value(), "Spend was $12.34.");

  const auto seen = fake_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].path, "/v1/chat/completions");
  EXPECT_EQ(seen[0].authorization, "Bearer " + std::string(kKey));
  const auto& body = seen[0].body;
  EXPECT_EQ(body["model"], "fake-model");
  EXPECT_EQ(body["temperature"], 0);
  EXPECT_EQ(body["max_tokens"], 300);
  EXPECT_EQ(body["stream"], false);
  ASSERT_EQ(body["messages"].size(), 2u);
  EXPECT_EQ(body["messages"][0]["role"], "system");
  EXPECT_EQ(body["messages"][0]["content"], "be brief");
  EXPECT_EQ(body["messages"][1]["role"], "user");
  EXPECT_EQ(body["messages"][1]["content"], "{\"calls\":\"9,140\"}");
}

TEST_F(ChatCompletionsClientTest, ATrailingSlashAndNoKeyAreFine) {
  auto s = settings();
  s.url += "/";
  s.api_key.clear();
  auto outcome = complete(s);
  ASSERT_TRUE(outcome) << outcome.error().message;
  const auto seen = fake_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].path, "/v1/chat/completions");
  EXPECT_EQ(seen[0].authorization, "") << "no key, no Authorization header";
}

TEST_F(ChatCompletionsClientTest, AServerThatHoldsItsAnswerPastTheTimeoutIsATimeout) {
  fake_.reply_with({200, FakeChatCompletionsServer::completion("late").body, 5s});
  const auto started = std::chrono::steady_clock::now();
  const auto error = must_fail(Kind::timeout, settings(300ms));
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 3s) << "the client waited for the held answer";
  EXPECT_THAT(error.message, HasSubstr("/v1/chat/completions"));
}

TEST_F(ChatCompletionsClientTest, TheCallerDeadlineBoundsTheCallToo) {
  fake_.reply_with({200, FakeChatCompletionsServer::completion("late").body, 5s});
  ChatCompletionsClient client(*http_, settings(10s));
  const auto started = std::chrono::steady_clock::now();
  auto outcome = testing::run_awaitable(loops_.context(0).get_executor(),
                                        client.complete({"s", "u"}, core::Deadline::after(300ms)));
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().kind, Kind::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
}

TEST_F(ChatCompletionsClientTest, StatusesAreErrorsThatNameTheStatusButNotTheBody) {
  fake_.reply_with(
      {500, R"({"error":{"message":"upstream exploded","type":"server_error"}})", 0ms});
  auto error = must_fail(Kind::http_status, settings());
  EXPECT_EQ(error.status, 500);
  EXPECT_THAT(error.message, HasSubstr("HTTP 500 (server_error)"));
  EXPECT_THAT(error.message, Not(HasSubstr("exploded")));

  // OpenAI's 401 quotes part of the key it refused.
  fake_.reply_with({401,
                    R"({"error":{"message":"Incorrect API key provided: sk-test-5ecret***789",)"
                    R"("type":"invalid_request_error","code":"invalid_api_key"}})",
                    0ms});
  error = must_fail(Kind::http_status, settings());
  EXPECT_EQ(error.status, 401);
  EXPECT_THAT(error.message, HasSubstr("HTTP 401 (invalid_api_key)"));
}

TEST_F(ChatCompletionsClientTest, MalformedAnswersAreBadResponses) {
  fake_.reply_with({200, "{\"choices\": [", 0ms});
  EXPECT_THAT(must_fail(Kind::bad_response, settings()).message, HasSubstr("not a JSON object"));
  fake_.reply_with({200, R"({"choices":[]})", 0ms});
  EXPECT_THAT(must_fail(Kind::bad_response, settings()).message, HasSubstr("no choices"));
  fake_.reply_with({200, R"({"choices":[{"message":{"role":"assistant","content":null}}]})", 0ms});
  EXPECT_THAT(must_fail(Kind::bad_response, settings()).message, HasSubstr("not a string"));
}

TEST_F(ChatCompletionsClientTest, EmptyCutOrOverlongRepliesAreRefused) {
  fake_.reply_with(FakeChatCompletionsServer::completion(" \n "));
  EXPECT_THAT(must_fail(Kind::bad_reply, settings()).message, HasSubstr("empty"));
  fake_.reply_with(FakeChatCompletionsServer::completion("Spend was", "length"));
  EXPECT_THAT(must_fail(Kind::bad_reply, settings()).message, HasSubstr("cut at max_tokens"));
  fake_.reply_with(FakeChatCompletionsServer::completion(std::string(5000, 'x')));
  EXPECT_THAT(must_fail(Kind::bad_reply, settings()).message, HasSubstr("over 4096"));
}

TEST_F(ChatCompletionsClientTest, NoServerOrAnUnusableUrlIsUnreachable) {
  auto s = settings();
  s.url = "http://127.0.0.1:" + std::to_string(testing::closed_port()) + "/v1";
  must_fail(Kind::unreachable, s);
  s.url = "ftp://api.openai.com/v1";
  EXPECT_THAT(must_fail(Kind::unreachable, s).message, HasSubstr("unsupported scheme 'ftp'"));
}

}  // namespace
}  // namespace netra::agents

namespace netra::agents {
namespace {

using Clock = std::chrono::steady_clock;

struct Piece {
  std::string text;
  Clock::time_point when;
};

asio::awaitable<void> record_piece(std::vector<Piece>& pieces, std::string text) {
  pieces.push_back({std::move(text), Clock::now()});
  co_return;
}

class ChatCompletionsStreamTest : public ChatCompletionsClientTest {
 protected:
  struct Streamed {
    core::Result<std::string, LlmError> result;
    std::vector<Piece> pieces;
    Clock::time_point ended;
    std::string joined() const {
      std::string out;
      for (const auto& p : pieces) out += p.text;
      return out;
    }
  };

  Streamed stream(const LlmSettings& s) {
    Streamed out;
    ChatCompletionsClient client(*http_, s);
    ChatCompletionsClient::TextPart on_text = [&out](std::string_view piece) {
      return record_piece(out.pieces, std::string(piece));
    };
    out.result =
        testing::run_awaitable(loops_.context(0).get_executor(),
                               client.complete({"be brief", "{\"calls\":\"9,140\"}"},
                                               core::Deadline::after(20s), std::move(on_text)));
    out.ended = Clock::now();
    return out;
  }
};

TEST_F(ChatCompletionsStreamTest, TheReplyArrivesPieceByPieceAsTheModelWritesIt) {
  const std::vector<std::string> pieces = {"Over the last ", "7 days your workloads ",
                                           "made 9,140 calls."};
  fake_.reply_with(FakeChatCompletionsServer::streamed(pieces, 150ms));
  const auto streamed = stream(settings());
  ASSERT_TRUE(streamed.result) << streamed.result.error().message;
  EXPECT_EQ(streamed.result.value(), "Over the last 7 days your workloads made 9,140 calls.");
  EXPECT_EQ(streamed.joined(), streamed.result.value());
  ASSERT_GE(streamed.pieces.size(), 2u) << "the reply came whole";
  // Five events 150 ms apart: the first words were in hand well before the last.
  EXPECT_GE(streamed.ended - streamed.pieces.front().when, 300ms);
  EXPECT_EQ(fake_.requests().at(0).body["stream"], true);
}

TEST_F(ChatCompletionsStreamTest, AStreamCutAtMaxTokensOrEndingWithoutDoneIsRefused) {
  fake_.reply_with(FakeChatCompletionsServer::streamed({"Spend was ", "$12"}, 0ms, "length"));
  auto cut = stream(settings());
  ASSERT_FALSE(cut.result);
  EXPECT_EQ(cut.result.error().kind, Kind::bad_reply);
  EXPECT_THAT(cut.result.error().message, HasSubstr("cut at max_tokens"));

  fake_.reply_with(FakeChatCompletionsServer::streamed({"Spend was ", "$12"}, 0ms, "stop", false));
  auto unfinished = stream(settings());
  ASSERT_FALSE(unfinished.result);
  EXPECT_EQ(unfinished.result.error().kind, Kind::bad_response);
  EXPECT_THAT(unfinished.result.error().message, HasSubstr("without [DONE]"));
}

TEST_F(ChatCompletionsStreamTest, AProviderThatAnswersWholeOrWithAnErrorIsReadAsBefore) {
  fake_.reply_with(FakeChatCompletionsServer::completion("Spend was $12.34."));
  auto whole = stream(settings());
  ASSERT_TRUE(whole.result) << whole.result.error().message;
  EXPECT_EQ(whole.result.value(), "Spend was $12.34.");
  EXPECT_TRUE(whole.pieces.empty());

  fake_.reply_with(
      {401, R"({"error":{"message":"bad key sk-test-5ecret","code":"invalid_api_key"}})", 0ms});
  auto refused = stream(settings());
  ASSERT_FALSE(refused.result);
  EXPECT_EQ(refused.result.error().kind, Kind::http_status);
  EXPECT_THAT(refused.result.error().message, HasSubstr("HTTP 401 (invalid_api_key)"));
  EXPECT_THAT(refused.result.error().message, Not(HasSubstr("5ecret")));
  EXPECT_TRUE(refused.pieces.empty());
}

}  // namespace
}  // namespace netra::agents
