// PasswordHasher: argon2id through libsodium (crypto_pwhash_str), always on the offload pool —
// hashing takes tens of milliseconds of CPU and memory and must never run on an event loop.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "core/result.hpp"

namespace netra::core {
class OffloadPool;
}

namespace netra::auth {

namespace asio = boost::asio;

struct HashError {
  std::string message;
};

struct PasswordLimits {
  unsigned long long ops = 0;  // 0: libsodium's interactive limits
  size_t memory = 0;
};

class PasswordHasher {
 public:
  PasswordHasher(core::OffloadPool& offload, PasswordLimits limits = {});

  // The encoded hash ("$argon2id$v=19$m=...") or why hashing failed (out of memory).
  asio::awaitable<core::Result<std::string, HashError>> hash(std::string password) const;
  // True when `password` matches `encoded`. With `encoded` empty it still does the work of a
  // verification against a fixed hash, so an unknown account answers in the same time.
  asio::awaitable<bool> verify(std::string encoded, std::string password) const;

 private:
  core::OffloadPool& offload_;
  unsigned long long ops_;
  size_t memory_;
  std::string dummy_hash_;
};

}  // namespace netra::auth
