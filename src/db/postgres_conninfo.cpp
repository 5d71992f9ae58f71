#include "db/postgres_conninfo.hpp"

#include <filesystem>
#include <map>
#include <vector>

#include "core/configuration_error.hpp"
#include "db/database_settings.hpp"
#include "db/detail/libpq.hpp"

namespace netra::db {
namespace {

bool is_url(const std::string& s) {
  return s.rfind("postgres://", 0) == 0 || s.rfind("postgresql://", 0) == 0;
}

const std::vector<std::string> kModes = {"disable", "allow",     "prefer",
                                         "require", "verify-ca", "verify-full"};

struct Parsed {
  std::string base;  // URL without the query, or "" for keyword strings
  std::vector<std::pair<std::string, std::string>> params;  // in order
};

Parsed parse(const std::string& url) {
  Parsed p;
  std::string rest;
  char separator = ' ';
  if (is_url(url)) {
    const auto q = url.find('?');
    p.base = url.substr(0, q);
    rest = q == std::string::npos ? "" : url.substr(q + 1);
    separator = '&';
  } else {
    rest = url;
  }
  size_t start = 0;
  while (start < rest.size()) {
    size_t end = rest.find(separator, start);
    if (end == std::string::npos) end = rest.size();
    const std::string item = rest.substr(start, end - start);
    const auto eq = item.find('=');
    if (!item.empty()) {
      p.params.emplace_back(item.substr(0, eq), eq == std::string::npos ? "" : item.substr(eq + 1));
    }
    start = end + 1;
  }
  return p;
}

std::string render(const Parsed& p) {
  std::string out = p.base;
  const bool url = !p.base.empty();
  for (size_t i = 0; i < p.params.size(); ++i) {
    out += url ? (i == 0 ? "?" : "&") : (i == 0 ? "" : " ");
    out += p.params[i].first + "=" + p.params[i].second;
  }
  return out;
}

}  // namespace

std::string build_conninfo(const std::string& url, const TlsSettings& tls) {
  Parsed parsed = parse(url);
  std::vector<std::string> errors;
  std::map<std::string, std::string> given;
  std::vector<std::pair<std::string, std::string>> kept;
  std::string ssl_alias;
  for (auto& [k, v] : parsed.params) {
    if (k == "ssl") {
      ssl_alias = v;
    } else {
      given[k] = v;
      kept.emplace_back(k, v);
    }
  }
  parsed.params = kept;
  auto set = [&](const std::string& key, const std::string& value, const std::string& source) {
    if (value.empty()) return;
    auto it = given.find(key);
    if (it != given.end() && it->second != value) {
      errors.push_back("database.url " + redact_url(url) + ": " + key + "=" + it->second +
                       " conflicts with " + source + " = " + value);
      return;
    }
    if (it == given.end()) {
      given[key] = value;
      parsed.params.emplace_back(key, value);
    }
  };
  if (!ssl_alias.empty()) {
    std::string mode;
    if (ssl_alias == "true" || ssl_alias == "1" || ssl_alias == "yes" || ssl_alias == "require") {
      mode = "require";
    } else if (ssl_alias == "false" || ssl_alias == "0" || ssl_alias == "no" ||
               ssl_alias == "disable") {
      mode = "disable";
    } else {
      errors.push_back("database.url: ssl=" + ssl_alias + " is neither true nor false");
    }
    if (!mode.empty())
      set("sslmode", mode, "ssl=" + ssl_alias + " (which means sslmode=" + mode + ")");
  }
  set("sslmode", tls.mode, "database.ssl_mode");
  set("sslrootcert", tls.root_cert, "database.ssl_root_cert");
  set("sslcert", tls.cert, "database.ssl_cert");
  set("sslkey", tls.key, "database.ssl_key");
  if (auto it = given.find("sslmode"); it != given.end()) {
    if (std::find(kModes.begin(), kModes.end(), it->second) == kModes.end()) {
      errors.push_back("sslmode=" + it->second +
                       " is not one of disable, allow, prefer, require, verify-ca, verify-full");
    }
  }
  for (const char* file_key : {"sslrootcert", "sslcert", "sslkey"}) {
    auto it = given.find(file_key);
    if (it != given.end() && it->second != "system" && !std::filesystem::exists(it->second)) {
      errors.push_back(std::string(file_key) + "=" + it->second + ": no such file");
    }
  }
  if (!errors.empty()) throw core::ConfigurationError(errors);
  return render(parsed);
}

namespace {

bool on_this_machine(const std::string& host) {
  return host.empty() || host.front() == '/' || host == "localhost" || host == "::1" ||
         host.rfind("127.", 0) == 0;
}

}  // namespace

std::string unverified_remote_server(const std::string& url, const TlsSettings& tls) {
  const std::string conninfo = build_conninfo(url, tls);
  std::string missing;
  if (detail::load_libpq(missing) == nullptr) return "";  // connecting will say libpq is missing
  char* error = nullptr;
  PQconninfoOption* options = detail::pq().PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    detail::pq().PQfreemem(error);
    return "";  // build_conninfo accepted it; libpq will say what is wrong when it connects
  }
  std::string hosts, mode = "prefer";  // libpq's default: TLS if offered, never verified
  for (auto* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string keyword = o->keyword;
    if (keyword == "host" || (keyword == "hostaddr" && hosts.empty())) hosts = o->val;
    if (keyword == "sslmode" && *o->val != '\0') mode = o->val;
  }
  detail::pq().PQconninfoFree(options);
  if (mode == "verify-ca" || mode == "verify-full") return "";
  // host may list several, comma-separated: each one must be on this machine.
  size_t begin = 0;
  for (;;) {
    const size_t end = hosts.find(',', begin);
    const std::string host = hosts.substr(begin, end == std::string::npos ? end : end - begin);
    if (!on_this_machine(host)) return host + " (sslmode=" + mode + ")";
    if (end == std::string::npos) return "";
    begin = end + 1;
  }
}

}  // namespace netra::db
