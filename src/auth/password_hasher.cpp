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
}

namespace {

// On a pool thread: the fixed hash, made by the first caller (the others wait for it).
const std::string& calibrated(PasswordHasher::Calibration& calibration, unsigned long long ops,
                              size_t memory) {
  std::call_once(calibration.once, [&] {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, "not a real password", 19, ops, memory) == 0) calibration.hash = out;
  });
  return calibration.hash;
}

}  // namespace

asio::awaitable<bool> PasswordHasher::prepare() const {
  auto work = [calibration = calibration_, ops = ops_, memory = memory_] {
    return !calibrated(*calibration, ops, memory).empty();
  };
  bool made = false;
  try {
    // Awaited into a variable, as hash() does: no co_return co_await inside the try.
    made = co_await offload_.run(std::move(work));
  } catch (const core::OffloadQueueFull&) {
    // The first verification that needs it makes it.
  }
  co_return made;
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
  auto work = [encoded = std::move(encoded), real, password = std::move(password),
               calibration = calibration_, ops = ops_, memory = memory_] {
    // Not a hash: the same work against the fixed one (which cannot match), never an early no.
    const std::string& against = real ? encoded : calibrated(*calibration, ops, memory);
    return crypto_pwhash_str_verify(against.c_str(), password.data(), password.size()) == 0;
  };
  try {
    const bool matches = co_await offload_.run(std::move(work));
    co_return real&& matches;
  } catch (const core::OffloadQueueFull& e) {
    co_return HashError{e.what(), true};
  }
}

}  // namespace netra::auth
