// The floor under a login: one argon2id verification with libsodium's interactive limits (the
// PasswordHasher default), called directly on this thread. Prints p50 and p99 in milliseconds.
//   argon2_baseline [RUNS]
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  const int runs = argc > 1 ? std::atoi(argv[1]) : 30;
  const std::string password = "a long enough password";
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return 1;
  }
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    if (crypto_pwhash_str_verify(hash, password.data(), password.size()) != 0) return 1;
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[std::min(ms.size() - 1, static_cast<size_t>(q * ms.size()))];
  };
  std::printf("%.2f %.2f\n", at(0.50), at(0.99));
  return 0;
}
