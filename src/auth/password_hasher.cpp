#include "auth/password_hasher.hpp"

#include <sodium.h>

#include <stdexcept>

#include "core/offload_pool.hpp"

namespace netra::auth {

PasswordHasher::PasswordHasher(core::OffloadPool& offload, PasswordLimits limits)
    : offload_(offload),
      ops_(limits.ops ? limits.ops : crypto_pwhash_OPSLIMIT_INTERACTIVE),
      memory_(limits.memory ? limits.memory : crypto_pwhash_MEMLIMIT_INTERACTIVE) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot initialise");
  char out[crypto_pwhash_STRBYTES];
  // Hashed once, at construction (start-up, not a request path).
  if (crypto_pwhash_str(out, "not a real password", 19, ops_, memory_) != 0) {
    throw std::runtime_error("argon2id: not enough memory for the configured limits");
  }
  dummy_hash_ = out;
}

asio::awaitable<core::Result<std::string, HashError>> PasswordHasher::hash(
    std::string password) const {
  using Hashed = core::Result<std::string, HashError>;
  auto work = [password = std::move(password), ops = ops_, memory = memory_]() -> Hashed {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, password.data(), password.size(), ops, memory) != 0) {
      return HashError{"argon2id: out of memory"};
    }
    return std::string(out);
  };
  try {
    Hashed result = co_await offload_.run(std::move(work));
    co_return result;
  } catch (const core::OffloadQueueFull& e) {
    co_return HashError{e.what(), true};
  }
}

asio::awaitable<core::Result<bool, HashError>> PasswordHasher::verify(std::string encoded,
                                                                      std::string password) const {
  const bool real = encoded.rfind("$argon2", 0) == 0;
  auto work = [encoded = real ? std::move(encoded) : dummy_hash_, password = std::move(password)] {
    return crypto_pwhash_str_verify(encoded.c_str(), password.data(), password.size()) == 0;
  };
  try {
    const bool matches = co_await offload_.run(std::move(work));
    co_return real&& matches;
  } catch (const core::OffloadQueueFull& e) {
    co_return HashError{e.what(), true};
  }
}

}  // namespace netra::auth
