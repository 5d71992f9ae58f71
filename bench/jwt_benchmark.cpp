// Token verifications per second on one core, RS256 and EdDSA — compare with
// `openssl speed -seconds 3 rsa2048 ed25519` (verify/s column), which is the limit:
//
//   bench/jwt_verify.sh
#include <benchmark/benchmark.h>

#include "auth/jwt.hpp"

namespace {

using namespace netra::auth;

void verify_fresh_token(benchmark::State& state, KeyAlgorithm algorithm) {
  auto key = std::make_shared<SigningKey>(SigningKey::generate(algorithm));
  JwtVerifier verifier(VerifierOptions{"netra", "netra-api", std::chrono::seconds(30), 8192, 0});
  verifier.add_key(key);
  const int64_t now = 1'800'000'000;
  const auto token = issue_token(*key, Claims{"user_1", "netra", "netra-api", "jti_1", now, now,
                                              now + 900, TokenType::access});
  for (auto _ : state) {
    auto claims = verifier.verify(token, TokenType::access, now);
    benchmark::DoNotOptimize(claims);
    if (!claims) state.SkipWithError("verification failed");
  }
  state.counters["verify_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_VerifyRS256(benchmark::State& state) {
  verify_fresh_token(state, KeyAlgorithm::rs256);
}
void BM_VerifyEdDSA(benchmark::State& state) {
  verify_fresh_token(state, KeyAlgorithm::eddsa);
}
// The same token again, answered from the verified-token cache (target: over 500,000 per second).
void BM_VerifyCachedRS256(benchmark::State& state) {
  auto key = std::make_shared<SigningKey>(SigningKey::generate(KeyAlgorithm::rs256));
  JwtVerifier verifier(
      VerifierOptions{"netra", "netra-api", std::chrono::seconds(30), 8192, 100000});
  verifier.add_key(key);
  const int64_t now = 1'800'000'000;
  const auto token = issue_token(*key, Claims{"user_1", "netra", "netra-api", "jti_1", now, now,
                                              now + 900, TokenType::access});
  for (auto _ : state) {
    auto claims = verifier.verify(token, TokenType::access, now);
    benchmark::DoNotOptimize(claims);
  }
  state.counters["verify_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_VerifyRS256)->MinTime(2.0);
BENCHMARK(BM_VerifyCachedRS256)->MinTime(1.0);
BENCHMARK(BM_VerifyEdDSA)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
