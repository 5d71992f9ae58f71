// Token verifications per second on one core, RS256 and EdDSA — compare with
// `openssl speed -seconds 3 rsa2048 ed25519` (verify/s column), which is the limit:
//
//   bench/jwt_verify.sh
#include <benchmark/benchmark.h>

#include "auth/jwt.hpp"

namespace {

using namespace netra::auth;

// A verifier holding a fresh key, and a valid access token signed with it.
struct Fixture {
  Fixture(KeyAlgorithm algorithm, size_t cache_capacity)
      : key(std::make_shared<SigningKey>(SigningKey::generate(algorithm))),
        verifier(
            VerifierOptions{"netra", "netra-api", std::chrono::seconds(30), 8192, cache_capacity}) {
    verifier.add_key(key);
    token = issue_token(*key, Claims{"user_1", "netra", "netra-api", "jti_1", kNow, kNow,
                                     kNow + 900, TokenType::access, "fam_1"});
  }
  static constexpr int64_t kNow = 1'800'000'000;
  std::shared_ptr<SigningKey> key;
  JwtVerifier verifier;
  std::string token;
};

void verify_repeatedly(benchmark::State& state, KeyAlgorithm algorithm, size_t cache_capacity) {
  Fixture f(algorithm, cache_capacity);
  for (auto _ : state) {
    auto claims = f.verifier.verify(f.token, TokenType::access, Fixture::kNow);
    benchmark::DoNotOptimize(claims);
    if (!claims) state.SkipWithError("verification failed");
  }
  state.counters["verify_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_VerifyRS256(benchmark::State& state) {
  verify_repeatedly(state, KeyAlgorithm::rs256, 0);
}
void BM_VerifyEdDSA(benchmark::State& state) {
  verify_repeatedly(state, KeyAlgorithm::eddsa, 0);
}
// The signature check alone (SigningKey::verify: SHA-256 and nettle's RSA verification, no JWT
// parsing): what the library netra verifies with can do, the ceiling of BM_VerifyRS256.
void BM_SignatureOnlyRS256(benchmark::State& state) {
  Fixture f(KeyAlgorithm::rs256, 0);
  const auto last_dot = f.token.rfind('.');
  const std::string signing_input = f.token.substr(0, last_dot);
  const std::string signature = f.key->sign(signing_input);
  for (auto _ : state) {
    const bool ok = f.key->verify(signing_input, signature);
    benchmark::DoNotOptimize(ok);
    if (!ok) state.SkipWithError("verification failed");
  }
  state.counters["verify_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
// The same token again, answered from the verified-token cache (target: over 500,000 per second).
void BM_VerifyCachedRS256(benchmark::State& state) {
  verify_repeatedly(state, KeyAlgorithm::rs256, 100000);
}

BENCHMARK(BM_VerifyRS256)->MinTime(2.0);
BENCHMARK(BM_SignatureOnlyRS256)->MinTime(2.0);
BENCHMARK(BM_VerifyCachedRS256)->MinTime(1.0);
BENCHMARK(BM_VerifyEdDSA)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
