// Certificates made with the openssl tool at test time, for real TLS peers (a PostgreSQL cluster,
// openssl s_server): an authority, and server certificates it signs for the names a test needs.
#pragma once

#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace netra::testing {

// Runs /usr/bin/openssl with `args`; throws with its output when it fails.
void openssl(const std::vector<std::string>& args);

// A self-signed authority in `dir`: <name>.crt and <name>.key, valid for two days.
void make_authority(const TempDir& dir, const std::string& name);

// <name>.crt and <name>.key in `dir`: subject CN=<common_name>, subjectAltName `alt_names`
// ("DNS:localhost,IP:127.0.0.1"), signed by the authority <authority>.crt made above.
void make_server_certificate(const TempDir& dir, const std::string& name,
                             const std::string& authority, const std::string& common_name,
                             const std::string& alt_names);

}  // namespace netra::testing
