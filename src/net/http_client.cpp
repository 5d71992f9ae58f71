// The HTTP client's Beast code: DNS, connect, the TLS handshake for https://, and one request
// with its response per exchange. Over 400 lines because Beast stays in this one translation
// unit (it is slow to compile).
#include "net/http_client.hpp"

#include <openssl/crypto.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cctype>
#include <mutex>
#include <optional>

#include "net/detail/beast_names.hpp"
#include "net/detail/idle_connections.hpp"
#include "net/detail/openssl_on_demand.hpp"
#include "net/http_url.hpp"
#include "telemetry/active_span.hpp"
#include "telemetry/logging.hpp"

namespace netra::net {

using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using Kind = HttpClientError::Kind;
using Outcome = core::Result<HttpClientResponse, HttpClientError>;
using RequestMessage = http::request<http::string_body>;
using BodyParts = std::function<asio::awaitable<void>(const HttpClientResponse&, std::string_view)>;

namespace {

HttpClientError failure(Kind kind, std::string message) {
  HttpClientError error;
  error.kind = kind;
  error.message = std::move(message);
  return error;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// RFC 9110 token: methods and header names.
bool is_token(std::string_view text) {
  constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  if (text.empty()) return false;
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && kSymbols.find(c) == std::string_view::npos)
      return false;
  }
  return true;
}

// No CR, LF or other control bytes: a header value must not be able to start a new header.
bool is_field_value(std::string_view text) {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && byte != '\t') || byte == 0x7f) return false;
  }
  return true;
}

// The server closed (or reset) the connection: on a reused idle connection, before any response
// byte, this is the keep-alive race, and the request may go again on a new connection.
bool is_connection_lost(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::connection_aborted;
}

// A parked socket stays registered with the reactor of the loop that made it, and tcp_stream
// runs its timer on the socket's executor; a request on another loop therefore moves the
// socket to its own loop rather than share one socket between two threads.
std::optional<tcp::socket> onto(tcp::socket socket, const asio::any_io_executor& executor) {
  if (&asio::query(socket.get_executor(), asio::execution::context) ==
      &asio::query(executor, asio::execution::context)) {
    return socket;
  }
  boost::system::error_code ec;
  const auto protocol = socket.local_endpoint(ec).protocol();
  if (ec) return std::nullopt;
  const auto fd = socket.release(ec);
  if (ec) return std::nullopt;
  tcp::socket moved(executor);
  moved.assign(protocol, fd, ec);
  if (ec) {
    ::close(fd);
    return std::nullopt;
  }
  return moved;
}

// How one request on one connection ended.
struct Exchange {
  std::optional<HttpClientResponse> response;
  bool reusable = false;  // the connection may carry another request
  HttpClientError error;
  bool nothing_received = false;  // the connection was lost before any byte of a response
};

// The client's TLS settings: peers are verified against `ca_file`, or the system's authorities.
// Made by the first https:// request, which loads OpenSSL (detail/openssl_on_demand.hpp). When
// OpenSSL or the file cannot be loaded, `unusable` says why, for each https:// request to report.
struct TlsSettings {
  explicit TlsSettings(const std::string& ca_file) {
    std::string error;
    if (!detail::load_openssl(error)) {
      unusable = "https:// needs OpenSSL: " + error;
      return;
    }
    context.emplace(asio::ssl::context::tls_client);
    boost::system::error_code ec;
    context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                             asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                             asio::ssl::context::no_tlsv1_1,
                         ec);
    context->set_verify_mode(asio::ssl::verify_peer, ec);
    if (ca_file.empty()) {
      context->set_default_verify_paths(ec);
      if (ec) unusable = "cannot load the system's certificate authorities: " + ec.message();
    } else {
      context->load_verify_file(ca_file, ec);
      if (ec)
        unusable = "cannot load the certificate authorities in '" + ca_file + "': " + ec.message();
    }
  }
  std::optional<asio::ssl::context> context;  // set unless `unusable`
  std::optional<std::string> unusable;
};

// The thread that makes the TLS settings: loading a library and reading the authorities' file
// are blocking calls, kept off the event loops. Made with the first https:// request.
asio::thread_pool& tls_setup_thread() {
  static asio::thread_pool thread(1);
  return thread;
}

// OpenSSL's reason, and for a refused certificate the verifier's ("certificate has expired").
std::string tls_failure_reason(const beast::error_code& ec, TlsStream& stream) {
  std::string reason = ec.message();
  const long verified = SSL_get_verify_result(stream.native_handle());
  if (verified != X509_V_OK) {
    reason += " (" + std::string(X509_verify_cert_error_string(verified)) + ")";
  }
  return reason;
}

}  // namespace

std::string_view to_string(HttpClientError::Kind kind) {
  switch (kind) {
    case Kind::invalid_url:
      return "invalid_url";
    case Kind::invalid_request:
      return "invalid_request";
    case Kind::connect_failed:
      return "connect_failed";
    case Kind::timeout:
      return "timeout";
    case Kind::protocol:
      return "protocol";
    case Kind::response_too_large:
      return "response_too_large";
    case Kind::cancelled:
      return "cancelled";
  }
  return "unknown";
}

std::string_view HttpClientResponse::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

class HttpClient::Impl {
 public:
  explicit Impl(HttpClientOptions options)
      : options_(std::move(options)),
        idle_(options_.max_idle_per_origin, options_.idle_timeout),
        log_(telemetry::logger("http_client")) {
    if (options_.user_agent.empty()) options_.user_agent = std::string("netra/") + NETRA_VERSION;
  }

  const HttpClientOptions& options() const { return options_; }

  asio::awaitable<Outcome> send(HttpClientRequest request, core::Deadline deadline) {
    auto url = parse_http_url(request.url);
    if (!url) co_return failure(Kind::invalid_url, "invalid URL: " + url.error());
    if (!is_token(request.method)) {
      co_return failure(Kind::invalid_request, "the method is not an HTTP token");
    }
    // What error messages and logs name: never the query, headers or body.
    const std::string what = request.method + (url->tls ? " https://" : " http://") + url->origin +
                             std::string(url->path());
    RequestMessage message;
    if (auto refused = build(request, *url, message)) {
      co_return failure(Kind::invalid_request, what + ": " + *refused);
    }
    const bool head = message.method() == http::verb::head;
    const BodyParts parts = std::move(request.on_body_part);
    auto executor = co_await asio::this_coro::executor;
    if (url->tls) co_return co_await send_tls(*url, message, head, parts, what, deadline, executor);

    std::optional<tcp::socket> socket;
    if (auto parked = idle_.take(url->origin, asio::query(executor, asio::execution::context))) {
      socket = onto(std::move(*parked), executor);
    }
    bool reused = socket.has_value();
    for (;;) {
      if (deadline.expired()) {
        co_return failure(Kind::timeout,
                          what + ": the deadline passed before the request was sent");
      }
      if (!socket) {
        auto connected = co_await connect(*url, what, deadline, executor);
        if (!connected) co_return connected.error();
        socket.emplace(std::move(connected).value());
      }
      beast::tcp_stream stream(std::move(*socket));
      socket.reset();
      Exchange outcome = co_await exchange(stream, message, head, parts, what, deadline);
      if (outcome.response) {
        if (outcome.reusable) {
          stream.expires_never();
          idle_.park(url->origin, stream.release_socket());
        }
        co_return std::move(*outcome.response);
      }
      if (!reused || !outcome.nothing_received) co_return outcome.error;
      log_->debug("{}: the server closed the reused connection ({}); sending on a new one", what,
                  outcome.error.message);
      reused = false;
    }
  }

  // One request on a new TLS connection: connect, handshake (the certificate must chain to a
  // trusted authority and name the host), exchange, close. The close sends no close_notify: the
  // response is complete by then, and waiting for the server's would only spend the deadline.
  asio::awaitable<Outcome> send_tls(const HttpUrl& url, RequestMessage& message, bool head,
                                    const BodyParts& parts, const std::string& what,
                                    core::Deadline deadline, asio::any_io_executor executor) {
    TlsSettings& tls = *co_await tls_settings();
    if (tls.unusable) co_return failure(Kind::connect_failed, what + ": " + *tls.unusable);
    if (deadline.expired()) {
      co_return failure(Kind::timeout, what + ": the deadline passed before the request was sent");
    }
    auto connected = co_await connect(url, what, deadline, executor);
    if (!connected) co_return connected.error();
    TlsStream stream(beast::tcp_stream(std::move(connected).value()), *tls.context);
    // OpenSSL checks the name itself, so that a mismatch is reported as one ("hostname
    // mismatch"). Server Name Indication is for a name only (RFC 6066 forbids addresses there).
    boost::system::error_code literal_ec;
    asio::ip::make_address(url.host, literal_ec);
    X509_VERIFY_PARAM* checks = SSL_get0_param(stream.native_handle());
    const bool named = literal_ec
                           ? X509_VERIFY_PARAM_set1_host(checks, url.host.c_str(), 0) == 1 &&
                                 SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())
                           : X509_VERIFY_PARAM_set1_ip_asc(checks, url.host.c_str()) == 1;
    if (!named) co_return failure(Kind::connect_failed, what + ": cannot set the TLS peer name");
    beast::get_lowest_layer(stream).expires_at(deadline.when());
    auto [handshake_ec] =
        co_await stream.async_handshake(asio::ssl::stream_base::client, use_tuple);
    if (handshake_ec == beast::error::timeout ||
        (handshake_ec == asio::error::operation_aborted && deadline.expired())) {
      co_return failure(Kind::timeout, what + ": the deadline passed during the TLS handshake");
    }
    if (handshake_ec == asio::error::operation_aborted) {
      co_return failure(Kind::cancelled, what + ": cancelled during the TLS handshake");
    }
    if (handshake_ec) {
      co_return failure(Kind::connect_failed, what + ": the TLS handshake failed: " +
                                                  tls_failure_reason(handshake_ec, stream));
    }
    Exchange outcome = co_await exchange(stream, message, head, parts, what, deadline);
    if (outcome.response) co_return std::move(*outcome.response);
    co_return outcome.error;
  }

  // The TLS settings, made on tls_setup_thread by the first https:// request; a request that
  // comes meanwhile waits for the same ones.
  asio::awaitable<TlsSettings*> tls_settings() {
    if (TlsSettings* ready = tls_ready_.load(std::memory_order_acquire)) co_return ready;
    co_await asio::co_spawn(tls_setup_thread(), make_tls_settings(this), asio::use_awaitable);
    co_return tls_ready_.load(std::memory_order_acquire);
  }
  static asio::awaitable<void> make_tls_settings(Impl* self) {
    std::call_once(self->tls_once_, [self] {
      self->tls_.emplace(self->options_.ca_file);
      self->tls_ready_.store(&*self->tls_, std::memory_order_release);
      // What OpenSSL keeps for this thread (its error queue, its random generator) is freed now:
      // the thread outlives the work and would hold it to the end.
      if (self->tls_->context) OPENSSL_thread_stop();
    });
    co_return;
  }

  size_t idle_connections() const { return idle_.size(); }
  size_t connections_opened() const { return opened_.load(); }
  void close_idle() { idle_.close_all(); }

 private:
  // Fills `message`, or says why the request cannot be sent (never quoting a header value).
  std::optional<std::string> build(HttpClientRequest& request, const HttpUrl& url,
                                   RequestMessage& message) const {
    message.version(11);
    message.method_string(request.method);
    message.target(url.target);
    bool has_host = false;
    bool has_user_agent = false;
    for (const auto& [name, value] : request.headers) {
      if (!is_token(name)) return std::string("a header name is not an HTTP token");
      if (!is_field_value(value)) {
        return "the value of header '" + name + "' holds a control character";
      }
      const auto key = lower(name);
      if (key == "content-length" || key == "transfer-encoding" || key == "connection") continue;
      has_host = has_host || key == "host";
      has_user_agent = has_user_agent || key == "user-agent";
      message.insert(name, value);
    }
    if (!has_host) message.set(http::field::host, url.host_header);
    if (!has_user_agent) message.set(http::field::user_agent, options_.user_agent);
    if (options_.max_idle_per_origin == 0 || url.tls) {
      message.set(http::field::connection, "close");
    }
    message.body() = std::move(request.body);
    message.prepare_payload();
    return std::nullopt;
  }

  asio::awaitable<core::Result<tcp::socket, HttpClientError>> connect(
      const HttpUrl& url, const std::string& what, core::Deadline deadline,
      asio::any_io_executor executor) {
    beast::tcp_stream stream(executor);
    boost::system::error_code ec;
    const auto literal = asio::ip::make_address(url.host, ec);
    if (!ec) {
      const tcp::endpoint endpoint(literal, url.port);
      stream.expires_at(deadline.when());
      auto [connect_ec] = co_await stream.async_connect(endpoint, use_tuple);
      ec = connect_ec;
    } else {
      auto resolved = co_await resolve(url, what, deadline, executor);
      if (!resolved) co_return resolved.error();
      stream.expires_at(deadline.when());
      auto [connect_ec, endpoint] = co_await stream.async_connect(resolved.value(), use_tuple);
      ec = connect_ec;
    }
    if (ec == beast::error::timeout || (ec && deadline.expired())) {
      co_return failure(Kind::timeout, what + ": not connected within the deadline");
    }
    if (ec == asio::error::operation_aborted) {
      co_return failure(Kind::cancelled, what + ": cancelled while connecting");
    }
    if (ec) co_return failure(Kind::connect_failed, what + ": cannot connect: " + ec.message());
    opened_.fetch_add(1);
    boost::system::error_code ignored;
    stream.socket().set_option(tcp::no_delay(true), ignored);
    stream.expires_never();
    co_return stream.release_socket();
  }

  // getaddrinfo runs on Asio's resolver thread and cannot be interrupted: at the deadline the
  // lookup is abandoned (it ends on its own, its answer dropped) rather than waited for.
  asio::awaitable<core::Result<tcp::resolver::results_type, HttpClientError>> resolve(
      const HttpUrl& url, const std::string& what, core::Deadline deadline,
      asio::any_io_executor executor) {
    struct Lookup {
      explicit Lookup(const asio::any_io_executor& ex) : resolver(ex), done(ex) {}
      tcp::resolver resolver;
      asio::steady_timer done;
      bool finished = false;
      boost::system::error_code ec;
      tcp::resolver::results_type results;
    };
    auto lookup = std::make_shared<Lookup>(executor);
    lookup->done.expires_at(deadline.when());
    // Completes on the resolver's executor, the caller's loop, like the wait below.
    lookup->resolver.async_resolve(
        url.host, std::to_string(url.port), tcp::resolver::numeric_service,
        [lookup](const boost::system::error_code& ec, tcp::resolver::results_type results) {
          lookup->finished = true;
          lookup->ec = ec;
          lookup->results = std::move(results);
          lookup->done.cancel();
        });
    co_await lookup->done.async_wait(use_tuple);
    if (!lookup->finished) {
      lookup->resolver.cancel();
      if (deadline.expired()) {
        co_return failure(Kind::timeout,
                          what + ": the DNS lookup of '" + url.host + "' outlasted the deadline");
      }
      co_return failure(Kind::cancelled, what + ": cancelled during the DNS lookup");
    }
    if (lookup->ec) {
      co_return failure(Kind::connect_failed,
                        what + ": cannot resolve '" + url.host + "': " + lookup->ec.message());
    }
    co_return std::move(lookup->results);
  }

  // Writes the request and reads its response on one connection (a tcp_stream or a TlsStream):
  // whole, or with `parts` its body piece by piece as each read brings some.
  template <typename Stream>
  asio::awaitable<Exchange> exchange(Stream& stream, RequestMessage& message, bool head,
                                     const BodyParts& parts, const std::string& what,
                                     core::Deadline deadline) {
    Exchange out;
    beast::get_lowest_layer(stream).expires_at(deadline.when());
    auto [write_ec, written] = co_await http::async_write(stream, message, use_tuple);
    if (write_ec) {
      out.error = io_failure(write_ec, what, "sending the request", deadline);
      out.nothing_received = is_connection_lost(write_ec);
      co_return out;
    }
    beast::flat_buffer buffer;
    std::optional<http::response_parser<http::string_body>> parser;
    bool interim = false;
    do {
      parser.emplace();
      parser->header_limit(static_cast<std::uint32_t>(options_.max_response_header_bytes));
      parser->body_limit(options_.max_response_body_bytes);
      parser->skip(head);
      auto [read_ec, read] = co_await http::async_read_header(stream, buffer, *parser, use_tuple);
      if (read_ec) {
        out.error = io_failure(read_ec, what, "reading the response", deadline);
        out.nothing_received =
            !interim && !parser->got_some() && buffer.size() == 0 && is_connection_lost(read_ec);
        co_return out;
      }
      // 100 Continue and the like precede the real response; 101 ends HTTP on the connection.
      const auto status = parser->get().result_int();
      interim = status >= 100 && status < 200 && status != 101;
    } while (interim);

    auto& received = parser->get();
    HttpClientResponse response;
    response.status = static_cast<int>(received.result_int());
    for (const auto& field : received) {
      response.headers.emplace_back(lower(field.name_string()), std::string(field.value()));
    }
    while (!parser->is_done()) {
      auto [read_ec, read] =
          parts ? co_await http::async_read_some(stream, buffer, *parser, use_tuple)
                : co_await http::async_read(stream, buffer, *parser, use_tuple);
      if (read_ec) {
        out.error = io_failure(read_ec, what, "reading the response", deadline);
        co_return out;
      }
      if (parts && !received.body().empty()) {
        co_await parts(response, received.body());
        received.body().clear();
      }
    }
    response.body = std::move(received.body());
    // Reused only after a complete response that leaves the connection clean and open.
    out.reusable = options_.max_idle_per_origin > 0 && received.keep_alive() &&
                   !parser->need_eof() && response.status != 101 && buffer.size() == 0;
    out.response = std::move(response);
    co_return out;
  }

  HttpClientError io_failure(const beast::error_code& ec, const std::string& what,
                             std::string_view stage, const core::Deadline& deadline) const {
    const std::string while_ = std::string(" while ") + std::string(stage);
    if (ec == beast::error::timeout || (ec == asio::error::operation_aborted && deadline.expired()))
      return failure(Kind::timeout, what + ": the deadline passed" + while_);
    if (ec == asio::error::operation_aborted)
      return failure(Kind::cancelled, what + ": cancelled" + while_);
    if (ec == http::error::body_limit) {
      return failure(Kind::response_too_large,
                     what + ": the response body exceeds " +
                         std::to_string(options_.max_response_body_bytes) + " bytes");
    }
    if (ec == http::error::header_limit) {
      return failure(Kind::response_too_large,
                     what + ": the response headers exceed " +
                         std::to_string(options_.max_response_header_bytes) + " bytes");
    }
    if (ec == http::error::end_of_stream) {
      return failure(Kind::protocol,
                     what + ": the server closed the connection without a response");
    }
    if (ec == http::error::partial_message) {
      return failure(Kind::protocol, what + ": the server closed the connection mid-response");
    }
    if (ec.category() == http::make_error_code(http::error::bad_version).category()) {
      return failure(Kind::protocol, what + ": malformed response: " + ec.message());
    }
    return failure(Kind::protocol, what + ": connection lost" + while_ + ": " + ec.message());
  }

  HttpClientOptions options_;
  detail::IdleConnections idle_;
  // Set once by the first https:// request (make_tls_settings), then only read.
  std::once_flag tls_once_;
  std::optional<TlsSettings> tls_;
  std::atomic<TlsSettings*> tls_ready_{nullptr};
  std::shared_ptr<spdlog::logger> log_;
  std::atomic<size_t> opened_{0};
};

HttpClient::HttpClient(HttpClientOptions options)
    : impl_(std::make_shared<Impl>(std::move(options))) {}

HttpClient::~HttpClient() {
  impl_->close_idle();
}

asio::awaitable<core::Result<HttpClientResponse, HttpClientError>> HttpClient::send(
    HttpClientRequest request, core::Deadline deadline) {
  auto impl = impl_;  // a request in flight keeps the client's state alive
  const std::string operation = request.span_name.empty() ? request.method : request.span_name;
  const auto began = std::chrono::steady_clock::now();
  telemetry::ActiveSpan span(operation, telemetry::SpanKind::client);
  if (span.recording()) {
    const auto traceparent = span.traceparent();
    request.headers.emplace_back("traceparent",
                                 std::string(traceparent.data(), traceparent.size()));
    span.set("http.request.method", request.method);
    if (auto url = parse_http_url(request.url)) {
      span.set("server.address", url->host);
      span.set("server.port", int64_t{url->port});
      span.set("url.path", std::string(url->path()));  // never the query: it may hold a password
    }
  }
  auto outcome = co_await impl->send(std::move(request), deadline);
  if (!outcome) {
    span.fail(outcome.error().message);
  } else {
    span.set("http.response.status_code", int64_t{outcome.value().status});
    if (outcome.value().status >= 400) {
      span.fail("answered " + std::to_string(outcome.value().status));
    }
  }
  span.end();
  if (const auto& on_call = impl->options().on_call) {
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - began;
    on_call(operation, took.count(), outcome.ok() && outcome.value().status < 500);
  }
  co_return outcome;
}

size_t HttpClient::idle_connections() const {
  return impl_->idle_connections();
}
size_t HttpClient::connections_opened() const {
  return impl_->connections_opened();
}
void HttpClient::close_idle() {
  impl_->close_idle();
}

}  // namespace netra::net
