// PostgreSQL connection settings as libpq understands them, reconciled from the URL and the
// database.ssl_* keys. The old backend broke on `ssl=` versus `sslmode=`: both are accepted
// (ssl=true means sslmode=require); a conflict or a missing certificate file is a configuration
// error that names both values.
#pragma once

#include <string>

namespace netra::db {

struct TlsSettings {
  std::string mode;  // disable | allow | prefer | require | verify-ca | verify-full; "" = libpq's
  std::string root_cert;  // sslrootcert
  std::string cert;       // sslcert
  std::string key;        // sslkey
};

// A postgres:// URL or a keyword string → the same form, with `ssl` turned into `sslmode` and the
// TLS settings merged in. Throws core::ConfigurationError; messages never show a password.
std::string build_conninfo(const std::string& url, const TlsSettings& tls);

// The server a connection with these settings would trust without verifying it: the first host
// that is neither on this machine (a loopback address, localhost, a Unix socket) nor reached with
// sslmode verify-ca or verify-full, as "host (sslmode=M)"; "" when there is none. Anyone on the
// network between could read and change every query of such a connection.
std::string unverified_remote_server(const std::string& url, const TlsSettings& tls);

}  // namespace netra::db
