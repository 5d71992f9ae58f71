// The HTTP client over https:// against a real TLS server, openssl s_server, with certificates
// made for the test: the server's certificate must chain to a trusted authority and name the host
// the URL names; every refusal says why, and a peer that never completes the handshake times out.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/event_loops.hpp"
#include "net/http_client.hpp"
#include "support/child_process.hpp"
#include "support/misbehaving_peer.hpp"
#include "support/run_awaitable.hpp"
#include "support/temp_dir.hpp"
#include "support/test_certificates.hpp"
#include "support/unused_port.hpp"

namespace netra::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using Kind = net::HttpClientError::Kind;
using Outcome = core::Result<net::HttpClientResponse, net::HttpClientError>;
using Clock = std::chrono::steady_clock;

// openssl s_server -www: answers each GET with an HTTP/1.0 page about the TLS session, its body
// ended by the close of the connection.
class TlsServer {
 public:
  TlsServer(const TempDir& dir, const std::string& certificate) : port_(unused_port()) {
    server_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        "/usr/bin/openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port_), "-cert",
        dir.file(certificate + ".crt"), "-key", dir.file(certificate + ".key"), "-www"});
    if (!server_->wait_for_output("ACCEPT", 10s)) {
      throw std::runtime_error("openssl s_server did not start: " + server_->output());
    }
  }
  std::string url(const std::string& host) const {
    return "https://" + host + ":" + std::to_string(port_) + "/";
  }

 private:
  int port_;
  std::unique_ptr<ChildProcess> server_;
};

class HttpClientTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    make_authority(*dir_, "ca");
    make_authority(*dir_, "other-ca");
    make_server_certificate(*dir_, "local", "ca", "localhost", "DNS:localhost,IP:127.0.0.1");
    make_server_certificate(*dir_, "elsewhere", "ca", "elsewhere.example", "DNS:elsewhere.example");
  }
  static void TearDownTestSuite() { delete dir_; }

  HttpClientTls() { loops_.start(); }

  Outcome get(const std::string& url, const std::string& ca_file,
              std::chrono::milliseconds budget = 5s) {
    net::HttpClientOptions options;
    options.ca_file = ca_file;
    net::HttpClient client(options);
    net::HttpClientRequest request;
    request.url = url;
    auto outcome = run_awaitable(loops_.context(0).get_executor(),
                                 client.send(std::move(request), core::Deadline::after(budget)));
    EXPECT_EQ(client.idle_connections(), 0u) << "an https:// connection is never kept";
    return outcome;
  }

  static TempDir* dir_;
  core::EventLoops loops_{1, 10ms};
};
TempDir* HttpClientTls::dir_ = nullptr;

TEST_F(HttpClientTls, ACertificateFromATrustedAuthorityForTheHostIsAccepted) {
  TlsServer server(*dir_, "local");
  for (const std::string host : {"localhost", "127.0.0.1"}) {
    auto r = get(server.url(host), dir_->file("ca.crt"));
    ASSERT_TRUE(r) << host << ": " << r.error().message;
    EXPECT_EQ(r->status, 200);
    // s_server's page describes the session it served: proof the bytes went over TLS.
    EXPECT_THAT(r->body, HasSubstr("Protocol  : TLSv1.3")) << host;
  }
}

TEST_F(HttpClientTls, ACertificateFromAnotherAuthorityIsRefused) {
  TlsServer server(*dir_, "local");
  auto r = get(server.url("localhost"), dir_->file("other-ca.crt"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::connect_failed);
  EXPECT_THAT(r.error().message, HasSubstr("TLS handshake failed"));
  EXPECT_THAT(r.error().message, HasSubstr("unable to get local issuer certificate"));
  EXPECT_THAT(r.error().message, HasSubstr("https://localhost:"));
}

TEST_F(HttpClientTls, TheSystemAuthoritiesDoNotTrustATestAuthority) {
  TlsServer server(*dir_, "local");
  auto r = get(server.url("localhost"), "");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::connect_failed);
  EXPECT_THAT(r.error().message, HasSubstr("TLS handshake failed"));
  EXPECT_THAT(r.error().message, HasSubstr("certificate verify failed"));
}

TEST_F(HttpClientTls, ACertificateForAnotherNameIsRefused) {
  TlsServer server(*dir_, "elsewhere");
  auto r = get(server.url("localhost"), dir_->file("ca.crt"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::connect_failed);
  EXPECT_THAT(r.error().message, HasSubstr("TLS handshake failed"));
  EXPECT_THAT(r.error().message, HasSubstr("hostname mismatch"));
}

TEST_F(HttpClientTls, AnAuthorityFileThatCannotBeReadFailsEachRequestSayingWhy) {
  auto r = get("https://localhost:1/", dir_->file("missing.crt"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::connect_failed);
  EXPECT_THAT(r.error().message, HasSubstr("cannot load the certificate authorities"));
  EXPECT_THAT(r.error().message, HasSubstr("missing.crt"));
}

TEST_F(HttpClientTls, APeerThatNeverAnswersTheHandshakeTimesOutAtTheDeadline) {
  MisbehavingPeer peer([](PeerConnection& c, size_t) { c.wait_for_close(); });
  std::string url = peer.url("/");
  url.replace(0, 4, "https");
  const auto began = Clock::now();
  auto r = get(url, dir_->file("ca.crt"), 300ms);
  const auto took = Clock::now() - began;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::timeout);
  EXPECT_THAT(r.error().message, HasSubstr("TLS handshake"));
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 600ms);
}

}  // namespace
}  // namespace netra::testing
