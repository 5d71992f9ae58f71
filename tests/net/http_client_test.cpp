// The HTTP client against the project's real HttpServer, in process on loopback: round trips,
// statuses, keep-alive reuse as the server sees it, requests from several loops, refused URLs.
#include "net/http_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>
#include <cctype>
#include <future>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "core/event_loops.hpp"
#include "net/http_server.hpp"
#include "net/json_error.hpp"
#include "net/router.hpp"
#include "support/misbehaving_peer.hpp"
#include "support/run_awaitable.hpp"

namespace netra::testing {
namespace {

using namespace std::chrono_literals;
using net::HttpClientError;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using Kind = HttpClientError::Kind;
using Outcome = core::Result<net::HttpClientResponse, HttpClientError>;
namespace asio = boost::asio;

net::HttpClientRequest request(std::string method, std::string url, std::string body = {},
                               std::vector<std::pair<std::string, std::string>> headers = {}) {
  net::HttpClientRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

// What the server saw: method, query, body, headers and the client's port (one per connection).
asio::awaitable<net::HttpResponse> echo(net::HttpRequest& r) {
  nlohmann::json headers = nlohmann::json::object();
  for (const auto& [name, value] : r.headers) headers[name] = value;
  co_return net::json_response(nlohmann::json{
      {"method", r.method},
      {"query", r.query},
      {"body", r.body},
      {"headers", headers},
      {"port", r.remote_port}}.dump());
}

class HttpClientTest : public ::testing::Test {
 protected:
  HttpClientTest() {
    router_.add("GET", "/echo", echo);
    router_.add("POST", "/echo", echo);
    router_.add("POST", "/raw", [](net::HttpRequest& r) -> asio::awaitable<net::HttpResponse> {
      net::HttpResponse response;
      response.content_type = "application/octet-stream";
      response.body = std::move(r.body);
      co_return response;
    });
    router_.add("GET", "/status/{code}",
                [](net::HttpRequest& r) -> asio::awaitable<net::HttpResponse> {
                  co_return net::json_error(std::stoi(r.path_params["code"]), "scripted", "asked");
                });
    router_.add("GET", "/bytes", [](net::HttpRequest& r) -> asio::awaitable<net::HttpResponse> {
      co_return net::json_response(std::string(std::stoul(r.query_param("n")), 'x'));
    });
    // Holds the request for ?ms=, so that concurrent requests need connections of their own.
    router_.add("GET", "/sleep", [](net::HttpRequest& r) -> asio::awaitable<net::HttpResponse> {
      asio::steady_timer timer(co_await asio::this_coro::executor);
      timer.expires_after(std::chrono::milliseconds(std::stoi(r.query_param("ms"))));
      co_await timer.async_wait(asio::use_awaitable);
      co_return net::json_response(nlohmann::json{{"port", r.remote_port}}.dump());
    });
    net::ServerSettings settings;
    settings.host = "127.0.0.1";
    settings.port = 0;
    settings.body_limit = 16 * 1024 * 1024;
    settings.access_log = false;
    server_ =
        std::make_unique<net::HttpServer>(server_loops_, settings, router_, net::ServerHooks{});
    server_loops_.start();
    loops_.start();
    server_->listen();
  }
  ~HttpClientTest() override {
    client_.reset();
    run_awaitable(server_loops_.context(0).get_executor(), server_->shutdown(500ms));
  }

  std::string url(const std::string& target) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + target;
  }
  Outcome send(net::HttpClientRequest r, std::chrono::milliseconds budget = 5s, size_t loop = 0) {
    return run_awaitable(loops_.context(loop).get_executor(),
                         client_->send(std::move(r), core::Deadline::after(budget)));
  }
  // The client port the server saw for a /echo or /sleep request.
  static int port_of(const Outcome& r) { return nlohmann::json::parse(r->body)["port"]; }

  core::EventLoops server_loops_{2, 10ms};
  core::EventLoops loops_{3, 10ms};  // the client's: the service's own event loops
  net::Router router_;
  std::unique_ptr<net::HttpServer> server_;
  std::unique_ptr<net::HttpClient> client_ = std::make_unique<net::HttpClient>();
};

TEST_F(HttpClientTest, GetSendsHeadersAndQueryAndReturnsLowerCasedHeaders) {
  auto r = send(request("GET", url("/echo?a=1&b=two"), "", {{"X-Test", "hello"}}));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
  const auto seen = nlohmann::json::parse(r->body);
  EXPECT_EQ(seen["method"], "GET");
  EXPECT_EQ(seen["query"], "a=1&b=two");
  EXPECT_EQ(seen["headers"]["x-test"], "hello");
  EXPECT_THAT(seen["headers"]["user-agent"].get<std::string>(), StartsWith("netra/"));
  EXPECT_EQ(seen["headers"]["host"], "127.0.0.1:" + std::to_string(server_->port()));
  EXPECT_FALSE(seen["headers"].contains("content-length")) << "a GET without a body";
  EXPECT_EQ(r->header("content-type"), "application/json");
  EXPECT_FALSE(r->header("x-request-id").empty());
  // The server writes "Content-Type", "X-Request-Id": the client hands them over lower-case.
  for (const auto& [name, value] : r->headers) {
    EXPECT_TRUE(std::none_of(name.begin(), name.end(), [](unsigned char c) {
      return std::isupper(c);
    })) << name;
  }
}

TEST_F(HttpClientTest, CallerHeadersOverrideUserAgentButNotFraming) {
  auto r = send(request("POST", url("/echo"), "abc",
                        {{"User-Agent", "clickhouse-probe"},
                         {"Content-Length", "999"},
                         {"Content-Type", "application/x-ndjson"}}));
  ASSERT_TRUE(r) << r.error().message;
  const auto seen = nlohmann::json::parse(r->body);
  EXPECT_EQ(seen["headers"]["user-agent"], "clickhouse-probe");
  EXPECT_EQ(seen["headers"]["content-length"], "3");
  EXPECT_EQ(seen["headers"]["content-type"], "application/x-ndjson");
  EXPECT_EQ(seen["body"], "abc");
}

TEST_F(HttpClientTest, PostCarriesMegabytesBothWays) {
  // The size of a ClickHouse INSERT ... FORMAT JSONEachRow batch.
  std::string body;
  for (int i = 0; body.size() < 5 * 1024 * 1024; ++i) {
    body += R"({"model":"gpt-4o","tokens_in":)" + std::to_string(i) + "}\n";
  }
  auto r = send(request("POST", url("/raw"), body), 20s);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-length"), std::to_string(body.size()));
  EXPECT_TRUE(r->body == body) << "the echoed body differs (" << r->body.size() << " bytes)";
}

TEST_F(HttpClientTest, ErrorStatusesAreResponsesNotErrors) {
  for (int status : {404, 500, 503}) {
    auto r = send(request("GET", url("/status/" + std::to_string(status))));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, status);
    EXPECT_EQ(nlohmann::json::parse(r->body)["error"]["code"], "scripted");
  }
  auto unknown = send(request("GET", url("/no/such/route")));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(nlohmann::json::parse(unknown->body)["error"]["code"], "not_found");
}

TEST_F(HttpClientTest, SequentialRequestsReuseOneConnection) {
  std::set<int> ports;
  for (int i = 0; i < 5; ++i) {
    auto r = send(request("GET", url("/echo")));
    ASSERT_TRUE(r) << r.error().message;
    ports.insert(port_of(r));
  }
  EXPECT_EQ(ports.size(), 1u) << "the server saw more than one client connection";
  EXPECT_EQ(client_->connections_opened(), 1u);
  EXPECT_EQ(client_->idle_connections(), 1u);
  EXPECT_EQ(server_->open_connections(), 1u);
}

TEST_F(HttpClientTest, AConnectionMadeOnOneLoopIsReusedFromAnother) {
  std::set<int> ports;
  for (size_t loop : {0, 1, 2, 0}) {
    auto r = send(request("GET", url("/echo")), 5s, loop);
    ASSERT_TRUE(r) << "loop " << loop << ": " << r.error().message;
    ports.insert(port_of(r));
  }
  EXPECT_EQ(ports.size(), 1u);
  EXPECT_EQ(client_->connections_opened(), 1u);
}

TEST_F(HttpClientTest, AStalledLoopDoesNotHoldUpAConnectionItMadeWhenAnotherLoopReusesIt) {
  auto first = send(request("GET", url("/echo")), 5s, 0);
  ASSERT_TRUE(first) << first.error().message;
  std::promise<void> release;
  asio::post(loops_.context(0), [stalled = release.get_future().share()] {
    stalled.wait_for(3s);  // a handler that blocks loop 0, as the watchdog would report
  });
  const auto began = std::chrono::steady_clock::now();
  auto second = send(request("GET", url("/echo")), 1s, 1);
  const auto took = std::chrono::steady_clock::now() - began;
  release.set_value();
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(port_of(first), port_of(second)) << "the connection was not reused";
  EXPECT_LT(took, 500ms) << "the request waited for the loop that made the connection";
}

TEST_F(HttpClientTest, HeadReadsNoBodyAndKeepsTheConnectionUsable) {
  auto head = send(request("HEAD", url("/echo")));
  ASSERT_TRUE(head) << head.error().message;
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  EXPECT_NE(head->header("content-length"), "0");
  auto get = send(request("GET", url("/echo")));
  ASSERT_TRUE(get) << get.error().message;
  EXPECT_EQ(nlohmann::json::parse(get->body)["method"], "GET");
  EXPECT_EQ(client_->connections_opened(), 1u);
}

asio::awaitable<int> fetch_own_ids(net::HttpClient& client, std::string base, int worker) {
  int correct = 0;
  for (int i = 0; i < 5; ++i) {
    const std::string id = std::to_string(worker) + "-" + std::to_string(i);
    auto r =
        co_await client.send(request("GET", base + "/echo?id=" + id), core::Deadline::after(10s));
    if (r && r->status == 200 && nlohmann::json::parse(r->body)["query"] == "id=" + id) ++correct;
  }
  co_return correct;
}

TEST_F(HttpClientTest, ConcurrentRequestsFromSeveralLoopsEachGetTheirOwnAnswer) {
  std::vector<std::future<int>> workers;
  for (int w = 0; w < 24; ++w) {
    workers.push_back(asio::co_spawn(loops_.context(static_cast<size_t>(w) % loops_.size()),
                                     fetch_own_ids(*client_, url(""), w), asio::use_future));
  }
  int correct = 0;
  for (auto& w : workers) {
    ASSERT_EQ(w.wait_for(30s), std::future_status::ready);
    correct += w.get();
  }
  EXPECT_EQ(correct, 24 * 5) << "a response went to the wrong request, or a request failed";
  EXPECT_LE(client_->idle_connections(), 8u);
  EXPECT_LT(client_->connections_opened(), 24u * 5) << "no connection was ever reused";
}

TEST_F(HttpClientTest, IdleConnectionsBeyondTheMaximumAreClosed) {
  net::HttpClientOptions options;
  options.max_idle_per_origin = 2;
  client_ = std::make_unique<net::HttpClient>(options);
  std::vector<std::future<Outcome>> held;
  for (int i = 0; i < 6; ++i) {
    held.push_back(asio::co_spawn(
        loops_.context(0),
        client_->send(request("GET", url("/sleep?ms=300")), core::Deadline::after(5s)),
        asio::use_future));
  }
  std::set<int> ports;
  for (auto& h : held) {
    ASSERT_EQ(h.wait_for(10s), std::future_status::ready);
    auto r = h.get();
    ASSERT_TRUE(r) << r.error().message;
    ports.insert(port_of(r));
  }
  EXPECT_EQ(ports.size(), 6u) << "concurrent requests shared a connection";
  EXPECT_EQ(client_->connections_opened(), 6u);
  EXPECT_EQ(client_->idle_connections(), 2u);
  const auto until = std::chrono::steady_clock::now() + 2s;
  while (server_->open_connections() > 2 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(server_->open_connections(), 2u) << "the client did not close what it did not keep";
}

TEST_F(HttpClientTest, AnIdleConnectionPastTheIdleTimeoutIsNotReused) {
  net::HttpClientOptions options;
  options.idle_timeout = 100ms;
  client_ = std::make_unique<net::HttpClient>(options);
  auto first = send(request("GET", url("/echo")));
  ASSERT_TRUE(first);
  std::this_thread::sleep_for(250ms);
  auto second = send(request("GET", url("/echo")));
  ASSERT_TRUE(second);
  EXPECT_NE(port_of(first), port_of(second));
  EXPECT_EQ(client_->connections_opened(), 2u);
}

TEST_F(HttpClientTest, WithoutKeepAliveEveryRequestSaysCloseAndGetsANewConnection) {
  net::HttpClientOptions options;
  options.max_idle_per_origin = 0;
  client_ = std::make_unique<net::HttpClient>(options);
  auto first = send(request("GET", url("/echo")));
  auto second = send(request("GET", url("/echo")));
  ASSERT_TRUE(first && second);
  EXPECT_EQ(nlohmann::json::parse(first->body)["headers"]["connection"], "close");
  EXPECT_NE(port_of(first), port_of(second));
  EXPECT_EQ(client_->idle_connections(), 0u);
}

TEST_F(HttpClientTest, ResponseBodyLimitIsInclusive) {
  net::HttpClientOptions options;
  options.max_response_body_bytes = 1000;
  client_ = std::make_unique<net::HttpClient>(options);
  auto at_limit = send(request("GET", url("/bytes?n=1000")));
  ASSERT_TRUE(at_limit) << at_limit.error().message;
  EXPECT_EQ(at_limit->body.size(), 1000u);
  auto over = send(request("GET", url("/bytes?n=1001")));
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().kind, Kind::response_too_large);
  EXPECT_THAT(over.error().message, HasSubstr("1000 bytes"));
}

TEST_F(HttpClientTest, HostNamesAreResolved) {
  auto r = send(request("GET", "http://localhost:" + std::to_string(server_->port()) + "/echo"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpClientTest, AnUnknownHostIsConnectFailed) {
  auto r = send(request("GET", "http://no-such-host.invalid/"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::connect_failed) << r.error().message;
  EXPECT_THAT(r.error().message, HasSubstr("no-such-host.invalid"));
}

TEST_F(HttpClientTest, ARefusedConnectionFailsAtOnceWithoutLeakingTheQuery) {
  const auto began = std::chrono::steady_clock::now();
  auto r = send(request("GET", "http://127.0.0.1:" + std::to_string(closed_port()) +
                                   "/?query=SELECT+1&password=hunter2"),
                10s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::connect_failed);
  EXPECT_LT(std::chrono::steady_clock::now() - began, 1s);
  EXPECT_THAT(r.error().message, Not(HasSubstr("hunter2")));
  EXPECT_THAT(r.error().message, HasSubstr("refused"));
}

TEST_F(HttpClientTest, InvalidUrlsAreRefusedBeforeAnyConnection) {
  const std::string port = std::to_string(server_->port());
  const std::vector<std::string> bad_urls = {"",
                                             "127.0.0.1:" + port + "/echo",
                                             "ftp://127.0.0.1/",
                                             "http:///echo",
                                             "http://127.0.0.1:99999/",
                                             "http://127.0.0.1:x/",
                                             "http://127.0.0.1:/",
                                             "http://user:secret@127.0.0.1:" + port + "/",
                                             "http://127.0.0.1:" + port + "/a b",
                                             "http://127.0.0.1:" + port + "/\r\nX-Injected: 1",
                                             "http://[::1/",
                                             "http://ho st/"};
  for (const auto& bad : bad_urls) {
    auto r = send(request("GET", bad));
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind, Kind::invalid_url) << bad << ": " << r.error().message;
    EXPECT_THAT(r.error().message, Not(HasSubstr("secret")));
  }
  EXPECT_EQ(client_->connections_opened(), 0u);
}

TEST_F(HttpClientTest, HttpsToAPlainHttpServerFailsInTheHandshake) {
  auto https = send(request("GET", "https://127.0.0.1:" + std::to_string(server_->port()) + "/"));
  ASSERT_FALSE(https);
  EXPECT_EQ(https.error().kind, Kind::connect_failed);
  EXPECT_THAT(https.error().message, HasSubstr("the TLS handshake failed"));
  EXPECT_EQ(client_->idle_connections(), 0u);
}

TEST_F(HttpClientTest, HeadersThatCouldInjectAreRefusedWithoutQuotingThem) {
  auto value = send(request("GET", url("/echo"), "", {{"Authorization", "Bearer a\r\nX-Evil: 1"}}));
  ASSERT_FALSE(value);
  EXPECT_EQ(value.error().kind, Kind::invalid_request);
  EXPECT_THAT(value.error().message, Not(HasSubstr("Bearer")));
  auto name = send(request("GET", url("/echo"), "", {{"X Bad", "v"}}));
  ASSERT_FALSE(name);
  EXPECT_EQ(name.error().kind, Kind::invalid_request);
  auto method = send(request("GE T", url("/echo")));
  ASSERT_FALSE(method);
  EXPECT_EQ(method.error().kind, Kind::invalid_request);
  EXPECT_EQ(client_->connections_opened(), 0u);
}

}  // namespace
}  // namespace netra::testing
