// PasswordHasher: argon2id through libsodium (crypto_pwhash_str), always on a pool of threads of
// its own — hashing takes tens of milliseconds of CPU and 64 MiB and must never run on an event
// loop, nor queue without bound in front of anything else.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <mutex>
#include <string>

#include "core/result.hpp"

namespace netra::core {
class OffloadPool;
}

namespace netra::auth {

namespace asio = boost::asio;

struct HashError {
  std::string message;
  bool busy = false;  // the hashing pool's queue is full: try again shortly (503)
};

struct PasswordLimits {
  unsigned long long ops = 0;  // 0: libsodium's interactive limits
  size_t memory = 0;
};

class PasswordHasher {
 public:
  PasswordHasher(core::OffloadPool& offload, PasswordLimits limits = {});

  // The encoded hash ("$argon2id$v=19$m=...") or why hashing failed (out of memory, busy).
  asio::awaitable<core::Result<std::string, HashError>> hash(std::string password) const;
  // Whether `password` matches `encoded`, or busy when the pool's queue is full. When `encoded`
  // is no argon2id hash (empty for an unknown account, a marker for an account without a
  // password) it still does the work of a verification against a fixed hash and answers false,
  // so that neither kind of account can be told apart by time.
  asio::awaitable<core::Result<bool, HashError>> verify(std::string encoded,
                                                        std::string password) const;
  // Makes that fixed hash on the hashing pool now, unless a verification made it already; false
  // when it cannot be made (not enough memory for the limits). Start-up begins it without
  // waiting for it: a verification that needs the hash before it is there makes it first (once,
  // for all), and so takes about twice as long — only in a process's first second or so (the
  // auth component starts it one second after start-up).
  asio::awaitable<bool> prepare() const;

  // The fixed hash, made once (on whichever pool thread needs it first).
  struct Calibration {
    std::once_flag once;
    std::string hash;  // empty: it could not be made
  };

 private:
  core::OffloadPool& offload_;
  unsigned long long ops_;
  size_t memory_;
  std::shared_ptr<Calibration> calibration_ = std::make_shared<Calibration>();
};

}  // namespace netra::auth
