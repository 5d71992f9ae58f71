// SigningKey: one key that signs and verifies JWTs — RS256 (RSA 2048, the default: verification
// is what every request pays, and RSA verifies fastest), EdDSA (Ed25519), or HS256 with a shared
// secret, only for compatibility with services that cannot verify anything else. Private keys live
// in PEM files with mode 0600; a key is identified by a `kid` derived from its public half (from a
// hash of the secret for HS256). A key read from a JWKS verifies but cannot sign.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace netra::auth {

enum class KeyAlgorithm { rs256, eddsa, hs256 };
std::string_view jwt_alg(KeyAlgorithm a);  // "RS256" / "EdDSA" / "HS256"

// The shortest HS256 secret accepted: 256 bits, the size of the HMAC's output.
inline constexpr size_t kMinSharedSecretBytes = 32;

class SigningKey {
 public:
  ~SigningKey();
  SigningKey(SigningKey&&) noexcept;
  SigningKey& operator=(SigningKey&&) noexcept;

  static SigningKey generate(KeyAlgorithm algorithm);
  // Reads a private key (PEM); throws std::runtime_error naming the file on any problem.
  static SigningKey load(const std::string& path);
  // Writes the private key as PEM to `path` unless a file (or link) of that name exists: then it
  // returns false and writes nothing. Whole or not at all, owner-only from its creation: see the
  // definition. Throws std::runtime_error naming the file when it cannot write.
  bool save_if_absent(const std::string& path) const;
  // HS256 over a shared secret of at least kMinSharedSecretBytes; throws std::invalid_argument.
  static SigningKey from_secret(std::string secret);
  // The public key of a JWK (RSA or Ed25519) as published at /.well-known/jwks.json: verifies
  // only. The kid is the JWK's own. Throws std::invalid_argument when it is not a usable key.
  static SigningKey from_public_jwk(const nlohmann::json& jwk);

  KeyAlgorithm algorithm() const { return algorithm_; }
  const std::string& kid() const { return kid_; }
  bool can_sign() const;
  // A shared secret is never published.
  bool is_symmetric() const { return algorithm_ == KeyAlgorithm::hs256; }
  std::string sign(std::string_view data) const;
  bool verify(std::string_view data, std::string_view signature) const;
  // The public half as a JWK (for /.well-known/jwks.json); not for symmetric keys.
  nlohmann::json public_jwk() const;
  // DER of the public key, the bytes an "HS256 with the public key as secret" attack would use.
  std::string public_pem() const;

 private:
  struct Impl;
  SigningKey(std::unique_ptr<Impl> impl, KeyAlgorithm algorithm, std::string kid = "");
  std::unique_ptr<Impl> impl_;
  KeyAlgorithm algorithm_;
  std::string kid_;
};

}  // namespace netra::auth
