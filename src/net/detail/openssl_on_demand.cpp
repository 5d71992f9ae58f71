#include "net/detail/openssl_on_demand.hpp"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <cstdio>
#include <cstdlib>

#include "core/shared_library.hpp"

namespace netra::net::detail {

namespace {

// Every OpenSSL function the TLS path calls, by name (libssl's, and libcrypto's through it).
// clang-format off
#define NETRA_OPENSSL_FUNCTIONS(X) \
  X(BIO_ctrl) X(BIO_ctrl_pending) X(BIO_free) X(BIO_new_bio_pair) X(BIO_read) X(BIO_write) \
  X(ERR_clear_error) X(ERR_get_error) X(ERR_lib_error_string) X(ERR_reason_error_string) \
  X(OPENSSL_thread_stop) \
  X(SSL_CTX_ctrl) X(SSL_CTX_free) X(SSL_CTX_get_default_passwd_cb_userdata) \
  X(SSL_CTX_get_ex_data) X(SSL_CTX_get_verify_callback) X(SSL_CTX_load_verify_locations) \
  X(SSL_CTX_new) X(SSL_CTX_set_default_passwd_cb_userdata) X(SSL_CTX_set_default_verify_paths) \
  X(SSL_CTX_set_ex_data) X(SSL_CTX_set_options) X(SSL_CTX_set_verify) \
  X(SSL_accept) X(SSL_connect) X(SSL_ctrl) X(SSL_free) X(SSL_get0_param) X(SSL_get_error) \
  X(SSL_get_ex_data) X(SSL_get_shutdown) X(SSL_get_verify_result) X(SSL_new) X(SSL_read) \
  X(SSL_set_bio) X(SSL_set_ex_data) X(SSL_write) \
  X(TLS_client_method) X(TLS_method) X(TLS_server_method) \
  X(X509_VERIFY_PARAM_set1_host) X(X509_VERIFY_PARAM_set1_ip_asc) X(X509_verify_cert_error_string)
// clang-format on

struct Openssl {
  NETRA_ON_DEMAND_FUNCTIONS(NETRA_OPENSSL_FUNCTIONS)
};

const core::OnDemandLibrary<Openssl>& loaded() {
  static const auto once =
      core::open_on_demand<Openssl>("libssl.so.3", "libssl3", "https:// needs OpenSSL 3");
  return once;
}

// For the forwarders: the loaded functions. Reached before load_openssl succeeded only by a bug.
const Openssl& ssl() {
  const auto& l = loaded();
  if (!l.error.empty()) {
    std::fprintf(stderr, "netra: an OpenSSL function was called without OpenSSL: %s\n",
                 l.error.c_str());
    std::abort();
  }
  return l.functions;
}

}  // namespace

bool load_openssl(std::string& error) {
  const auto& l = loaded();
  if (!l.error.empty()) error = l.error;
  return l.error.empty();
}

}  // namespace netra::net::detail

// The forwarders: OpenSSL's own names and signatures (a signature that differs from its header's
// declaration does not compile), hidden, so they are never exported and never stand in for
// OpenSSL in a library that links it (libpq, when PostgreSQL is used).
using netra::net::detail::ssl;
#define NETRA_HIDDEN __attribute__((visibility("hidden")))
extern "C" {
NETRA_HIDDEN long BIO_ctrl(BIO* b, int cmd, long larg, void* parg) {
  return ssl().BIO_ctrl(b, cmd, larg, parg);
}
NETRA_HIDDEN size_t BIO_ctrl_pending(BIO* b) {
  return ssl().BIO_ctrl_pending(b);
}
NETRA_HIDDEN int BIO_free(BIO* a) {
  return ssl().BIO_free(a);
}
NETRA_HIDDEN int BIO_new_bio_pair(BIO** bio1, size_t writebuf1, BIO** bio2, size_t writebuf2) {
  return ssl().BIO_new_bio_pair(bio1, writebuf1, bio2, writebuf2);
}
NETRA_HIDDEN int BIO_read(BIO* b, void* data, int dlen) {
  return ssl().BIO_read(b, data, dlen);
}
NETRA_HIDDEN int BIO_write(BIO* b, const void* data, int dlen) {
  return ssl().BIO_write(b, data, dlen);
}
NETRA_HIDDEN void ERR_clear_error(void) {
  ssl().ERR_clear_error();
}
NETRA_HIDDEN unsigned long ERR_get_error(void) {
  return ssl().ERR_get_error();
}
NETRA_HIDDEN const char* ERR_lib_error_string(unsigned long e) {
  return ssl().ERR_lib_error_string(e);
}
NETRA_HIDDEN const char* ERR_reason_error_string(unsigned long e) {
  return ssl().ERR_reason_error_string(e);
}
NETRA_HIDDEN void OPENSSL_thread_stop(void) {
  ssl().OPENSSL_thread_stop();
}
NETRA_HIDDEN long SSL_CTX_ctrl(SSL_CTX* ctx, int cmd, long larg, void* parg) {
  return ssl().SSL_CTX_ctrl(ctx, cmd, larg, parg);
}
NETRA_HIDDEN void SSL_CTX_free(SSL_CTX* ctx) {
  ssl().SSL_CTX_free(ctx);
}
NETRA_HIDDEN void* SSL_CTX_get_default_passwd_cb_userdata(SSL_CTX* ctx) {
  return ssl().SSL_CTX_get_default_passwd_cb_userdata(ctx);
}
NETRA_HIDDEN void* SSL_CTX_get_ex_data(const SSL_CTX* ctx, int idx) {
  return ssl().SSL_CTX_get_ex_data(ctx, idx);
}
NETRA_HIDDEN SSL_verify_cb SSL_CTX_get_verify_callback(const SSL_CTX* ctx) {
  return ssl().SSL_CTX_get_verify_callback(ctx);
}
NETRA_HIDDEN int SSL_CTX_load_verify_locations(SSL_CTX* ctx, const char* ca_file,
                                               const char* ca_path) {
  return ssl().SSL_CTX_load_verify_locations(ctx, ca_file, ca_path);
}
NETRA_HIDDEN SSL_CTX* SSL_CTX_new(const SSL_METHOD* method) {
  return ssl().SSL_CTX_new(method);
}
NETRA_HIDDEN void SSL_CTX_set_default_passwd_cb_userdata(SSL_CTX* ctx, void* u) {
  ssl().SSL_CTX_set_default_passwd_cb_userdata(ctx, u);
}
NETRA_HIDDEN int SSL_CTX_set_default_verify_paths(SSL_CTX* ctx) {
  return ssl().SSL_CTX_set_default_verify_paths(ctx);
}
NETRA_HIDDEN int SSL_CTX_set_ex_data(SSL_CTX* ctx, int idx, void* data) {
  return ssl().SSL_CTX_set_ex_data(ctx, idx, data);
}
NETRA_HIDDEN uint64_t SSL_CTX_set_options(SSL_CTX* ctx, uint64_t op) {
  return ssl().SSL_CTX_set_options(ctx, op);
}
NETRA_HIDDEN void SSL_CTX_set_verify(SSL_CTX* ctx, int mode, SSL_verify_cb callback) {
  ssl().SSL_CTX_set_verify(ctx, mode, callback);
}
NETRA_HIDDEN int SSL_accept(SSL* s) {
  return ssl().SSL_accept(s);
}
NETRA_HIDDEN int SSL_connect(SSL* s) {
  return ssl().SSL_connect(s);
}
NETRA_HIDDEN long SSL_ctrl(SSL* s, int cmd, long larg, void* parg) {
  return ssl().SSL_ctrl(s, cmd, larg, parg);
}
NETRA_HIDDEN void SSL_free(SSL* s) {
  ssl().SSL_free(s);
}
NETRA_HIDDEN X509_VERIFY_PARAM* SSL_get0_param(SSL* s) {
  return ssl().SSL_get0_param(s);
}
NETRA_HIDDEN int SSL_get_error(const SSL* s, int ret_code) {
  return ssl().SSL_get_error(s, ret_code);
}
NETRA_HIDDEN void* SSL_get_ex_data(const SSL* s, int idx) {
  return ssl().SSL_get_ex_data(s, idx);
}
NETRA_HIDDEN int SSL_get_shutdown(const SSL* s) {
  return ssl().SSL_get_shutdown(s);
}
NETRA_HIDDEN long SSL_get_verify_result(const SSL* s) {
  return ssl().SSL_get_verify_result(s);
}
NETRA_HIDDEN SSL* SSL_new(SSL_CTX* ctx) {
  return ssl().SSL_new(ctx);
}
NETRA_HIDDEN int SSL_read(SSL* s, void* buf, int num) {
  return ssl().SSL_read(s, buf, num);
}
NETRA_HIDDEN void SSL_set_bio(SSL* s, BIO* rbio, BIO* wbio) {
  ssl().SSL_set_bio(s, rbio, wbio);
}
NETRA_HIDDEN int SSL_set_ex_data(SSL* s, int idx, void* data) {
  return ssl().SSL_set_ex_data(s, idx, data);
}
NETRA_HIDDEN int SSL_write(SSL* s, const void* buf, int num) {
  return ssl().SSL_write(s, buf, num);
}
NETRA_HIDDEN const SSL_METHOD* TLS_client_method(void) {
  return ssl().TLS_client_method();
}
NETRA_HIDDEN const SSL_METHOD* TLS_method(void) {
  return ssl().TLS_method();
}
NETRA_HIDDEN const SSL_METHOD* TLS_server_method(void) {
  return ssl().TLS_server_method();
}
NETRA_HIDDEN int X509_VERIFY_PARAM_set1_host(X509_VERIFY_PARAM* param, const char* name,
                                             size_t namelen) {
  return ssl().X509_VERIFY_PARAM_set1_host(param, name, namelen);
}
NETRA_HIDDEN int X509_VERIFY_PARAM_set1_ip_asc(X509_VERIFY_PARAM* param, const char* ipasc) {
  return ssl().X509_VERIFY_PARAM_set1_ip_asc(param, ipasc);
}
NETRA_HIDDEN const char* X509_verify_cert_error_string(long n) {
  return ssl().X509_verify_cert_error_string(n);
}
}
