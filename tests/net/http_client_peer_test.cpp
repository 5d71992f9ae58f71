// The HTTP client against a misbehaving peer — a raw socket that stalls, cuts responses short,
// sends too much or drops keep-alive connections — where the real server would never do that.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>
#include <thread>

#include "core/event_loops.hpp"
#include "net/http_client.hpp"
#include "support/misbehaving_peer.hpp"
#include "support/run_awaitable.hpp"

namespace netra::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using Kind = net::HttpClientError::Kind;
using Outcome = core::Result<net::HttpClientResponse, net::HttpClientError>;
using Clock = std::chrono::steady_clock;
namespace asio = boost::asio;

net::HttpClientRequest get(std::string url) {
  net::HttpClientRequest r;
  r.url = std::move(url);
  return r;
}

class HttpClientMisbehavingPeer : public ::testing::Test {
 protected:
  HttpClientMisbehavingPeer() { loops_.start(); }
  ~HttpClientMisbehavingPeer() override { client_.reset(); }

  void use_options(net::HttpClientOptions options) {
    client_ = std::make_unique<net::HttpClient>(std::move(options));
  }
  Outcome send(net::HttpClientRequest r, std::chrono::milliseconds budget = 5s) {
    return run_awaitable(loops_.context(0).get_executor(),
                         client_->send(std::move(r), core::Deadline::after(budget)));
  }

  core::EventLoops loops_{1, 10ms};
  std::unique_ptr<net::HttpClient> client_ = std::make_unique<net::HttpClient>();
};

TEST_F(HttpClientMisbehavingPeer, APeerThatNeverAnswersTimesOutAtTheDeadline) {
  MisbehavingPeer peer([](PeerConnection& c, size_t) {
    c.read_request();
    c.wait_for_close();
  });
  const auto began = Clock::now();
  auto r = send(get(peer.url("/slow")), 300ms);
  const auto took = Clock::now() - began;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::timeout);
  EXPECT_THAT(r.error().message, HasSubstr("reading the response"));
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 500ms);
  EXPECT_EQ(client_->idle_connections(), 0u);
  EXPECT_EQ(peer.requests().size(), 1u) << "a timed-out request must not be sent again";
}

TEST_F(HttpClientMisbehavingPeer, APeerThatNeverReadsTimesOutWhileTheBodyIsWritten) {
  MisbehavingPeer peer([](PeerConnection& c, size_t) { c.stall(); });
  net::HttpClientRequest insert = get(peer.url("/?query=INSERT"));
  insert.method = "POST";
  insert.body.assign(32 * 1024 * 1024, 'x');  // more than loopback buffers hold
  const auto began = Clock::now();
  auto r = send(std::move(insert), 300ms);
  const auto took = Clock::now() - began;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::timeout);
  EXPECT_THAT(r.error().message, HasSubstr("sending the request"));
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 500ms);
}

TEST_F(HttpClientMisbehavingPeer, AnExpiredDeadlineSendsNothing) {
  MisbehavingPeer peer([](PeerConnection& c, size_t) { c.send(ok_response("late")); });
  auto r = send(get(peer.url()), 0ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::timeout);
  EXPECT_EQ(peer.connections(), 0u);
}

TEST_F(HttpClientMisbehavingPeer, ACallerCancellingItsCoroutineEndsTheWait) {
  MisbehavingPeer peer([](PeerConnection& c, size_t) {
    c.read_request();
    c.wait_for_close();
  });
  auto signal = std::make_shared<asio::cancellation_signal>();
  auto executor = loops_.context(0).get_executor();
  const auto began = Clock::now();
  auto pending = asio::co_spawn(executor, client_->send(get(peer.url()), core::Deadline::after(5s)),
                                asio::bind_cancellation_slot(signal->slot(), asio::use_future));
  asio::steady_timer timer(executor, 100ms);
  timer.async_wait(
      [signal](boost::system::error_code) { signal->emit(asio::cancellation_type::terminal); });
  ASSERT_EQ(pending.wait_for(3s), std::future_status::ready);
  auto r = pending.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::cancelled) << r.error().message;
  EXPECT_LT(Clock::now() - began, 1s);
}

TEST_F(HttpClientMisbehavingPeer, AResponseCutShortIsAProtocolError) {
  MisbehavingPeer peer([](PeerConnection& c, size_t) {
    c.read_request();
    c.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b");
  });
  auto r = send(get(peer.url()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::protocol);
  EXPECT_THAT(r.error().message, HasSubstr("mid-response"));
  EXPECT_EQ(peer.connections(), 1u) << "bytes of a response had arrived: no retry";
}

TEST_F(HttpClientMisbehavingPeer, GarbageInsteadOfAResponseIsAProtocolError) {
  MisbehavingPeer peer([](PeerConnection& c, size_t) {
    c.read_request();
    c.send("SSH-2.0-OpenSSH_9.2\r\n\r\n");
  });
  auto r = send(get(peer.url()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::protocol);
  EXPECT_THAT(r.error().message, HasSubstr("malformed response"));
}

TEST_F(HttpClientMisbehavingPeer, AFreshConnectionClosedWithoutAnswerIsNotRetried) {
  MisbehavingPeer peer([](PeerConnection& c, size_t) { c.read_request(); });
  auto r = send(get(peer.url()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::protocol);
  EXPECT_THAT(r.error().message, HasSubstr("without a response"));
  EXPECT_EQ(peer.connections(), 1u);
  EXPECT_EQ(peer.requests().size(), 1u);
}

TEST_F(HttpClientMisbehavingPeer, ADeclaredBodyOverTheLimitIsRefusedUnread) {
  net::HttpClientOptions options;
  options.max_response_body_bytes = 1000;
  use_options(options);
  MisbehavingPeer peer([](PeerConnection& c, size_t) {
    c.read_request();
    c.send(ok_response(std::string(5000, 'x')));
    c.wait_for_close();
  });
  auto r = send(get(peer.url()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::response_too_large);
  EXPECT_EQ(client_->idle_connections(), 0u) << "a connection with an unread body was kept";
}

TEST_F(HttpClientMisbehavingPeer, ChunkedBodiesAreJoinedAndLimitedToo) {
  net::HttpClientOptions options;
  options.max_response_body_bytes = 1000;
  use_options(options);
  auto chunked = [](int chunks) {
    std::string out = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < chunks; ++i) out += "190\r\n" + std::string(400, char('a' + i)) + "\r\n";
    return out + "0\r\n\r\n";
  };
  MisbehavingPeer peer([&chunked](PeerConnection& c, size_t) {
    if (c.read_request()) c.send(chunked(2));  // 800 bytes, as ClickHouse streams results
    if (c.read_request()) c.send(chunked(3));  // 1200 bytes
    c.wait_for_close();
  });
  auto within = send(get(peer.url()));
  ASSERT_TRUE(within) << within.error().message;
  EXPECT_EQ(within->body, std::string(400, 'a') + std::string(400, 'b'));
  auto over = send(get(peer.url()));
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().kind, Kind::response_too_large);
  EXPECT_EQ(peer.connections(), 1u) << "the chunked response was complete: the connection is kept";
}

TEST_F(HttpClientMisbehavingPeer, HeadersOverTheLimitAreResponseTooLarge) {
  net::HttpClientOptions options;
  options.max_response_header_bytes = 1024;
  use_options(options);
  MisbehavingPeer peer([](PeerConnection& c, size_t) {
    c.read_request();
    c.send("HTTP/1.1 200 OK\r\nX-Big: " + std::string(4000, 'h') + "\r\nContent-Length: 0\r\n\r\n");
    c.wait_for_close();
  });
  auto r = send(get(peer.url()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::response_too_large);
  EXPECT_THAT(r.error().message, HasSubstr("headers"));
}

TEST_F(HttpClientMisbehavingPeer, InterimResponsesPrecedeTheRealOne) {
  MisbehavingPeer peer([](PeerConnection& c, size_t) {
    c.read_request();
    c.send("HTTP/1.1 100 Continue\r\n\r\n" + ok_response("final"));
    c.wait_for_close();
  });
  auto r = send(get(peer.url()));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "final");
}

TEST_F(HttpClientMisbehavingPeer, ABodyEndedByCloseIsReadAndItsConnectionNotKept) {
  MisbehavingPeer peer([](PeerConnection& c, size_t) {
    c.read_request();
    c.send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end");
  });
  auto r = send(get(peer.url()));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->body, "until the end");
  EXPECT_EQ(client_->idle_connections(), 0u);
}

TEST_F(HttpClientMisbehavingPeer, AResponseSayingCloseEndsTheConnectionEvenIfThePeerLingers) {
  MisbehavingPeer peer([](PeerConnection& c, size_t index) {
    c.read_request();
    c.send(ok_response("answer " + std::to_string(index), /*close=*/true));
    c.wait_for_close();  // but does not close itself
  });
  auto first = send(get(peer.url()), 1s);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(client_->idle_connections(), 0u);
  auto second = send(get(peer.url()), 1s);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->body, "answer 1");
  EXPECT_EQ(peer.connections(), 2u);
}

TEST_F(HttpClientMisbehavingPeer, AConnectionClosedWhileIdleIsNotUsedAgain) {
  MisbehavingPeer peer([](PeerConnection& c, size_t index) {
    c.read_request();
    c.send(ok_response("answer " + std::to_string(index)));
    if (index > 0) c.wait_for_close();
    // index 0: closes right after its first response, keep-alive notwithstanding.
  });
  auto first = send(get(peer.url()));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->body, "answer 0");
  std::this_thread::sleep_for(100ms);  // the close reaches the client's parked connection
  auto second = send(get(peer.url()));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->body, "answer 1");
  EXPECT_EQ(peer.connections(), 2u);
}

TEST_F(HttpClientMisbehavingPeer, AnIdleConnectionWithUnaskedBytesIsNotUsedAgain) {
  // Bytes on an idle connection would be read as the answer to the next request.
  MisbehavingPeer peer([](PeerConnection& c, size_t index) {
    c.read_request();
    c.send(ok_response("answer " + std::to_string(index)));
    if (index == 0) {
      std::this_thread::sleep_for(20ms);
      c.send(ok_response("nobody asked"));
    }
    c.wait_for_close();
  });
  ASSERT_TRUE(send(get(peer.url())));
  std::this_thread::sleep_for(100ms);  // the unasked response reaches the parked connection
  auto second = send(get(peer.url()));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->body, "answer 1");
  EXPECT_EQ(peer.connections(), 2u);
}

TEST_F(HttpClientMisbehavingPeer, ARequestTheServerDropsOnAReusedConnectionIsSentOnceMore) {
  // The keep-alive race: the server gives up on the idle connection just as the next request
  // arrives on it, and closes without a byte of response.
  MisbehavingPeer peer([](PeerConnection& c, size_t index) {
    c.read_request();
    if (index == 0) {
      c.send(ok_response("first"));
      c.read_request();
      return;  // closes
    }
    c.send(ok_response("answered on a new connection"));
    c.wait_for_close();
  });
  ASSERT_TRUE(send(get(peer.url())));
  net::HttpClientRequest insert = get(peer.url("/?query=INSERT"));
  insert.method = "POST";
  insert.body = "{\"row\":1}\n";
  auto r = send(std::move(insert));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->body, "answered on a new connection");
  EXPECT_EQ(peer.connections(), 2u);
  const auto requests = peer.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1], requests[2]) << "the retry must send the same request";
  EXPECT_THAT(requests[2], HasSubstr("{\"row\":1}"));
}

TEST_F(HttpClientMisbehavingPeer, AReusedConnectionThatFailsMidResponseIsNotRetried) {
  MisbehavingPeer peer([](PeerConnection& c, size_t index) {
    c.read_request();
    if (index > 0) {
      c.send(ok_response("should not be asked"));
      return;
    }
    c.send(ok_response("first"));
    c.read_request();
    c.send("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort");
  });
  ASSERT_TRUE(send(get(peer.url())));
  auto r = send(get(peer.url()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::protocol);
  EXPECT_EQ(peer.connections(), 1u);
}

}  // namespace
}  // namespace netra::testing
