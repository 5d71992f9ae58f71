// SigningKey: one asymmetric key that signs and verifies JWTs — RS256 (RSA 2048, the default:
// verification is what every request pays, and RSA verifies fastest) or EdDSA (Ed25519). Kept in
// PEM files with mode 0600; identified by a `kid` derived from the public key.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace netra::auth {

enum class KeyAlgorithm { rs256, eddsa };
std::string_view jwt_alg(KeyAlgorithm a);  // "RS256" / "EdDSA"

class SigningKey {
 public:
  ~SigningKey();
  SigningKey(SigningKey&&) noexcept;
  SigningKey& operator=(SigningKey&&) noexcept;

  static SigningKey generate(KeyAlgorithm algorithm);
  // Reads a private key (PEM); throws std::runtime_error naming the file on any problem.
  static SigningKey load(const std::string& path);
  // Writes the private key as PEM with mode 0600 (created so, never widened).
  void save(const std::string& path) const;

  KeyAlgorithm algorithm() const { return algorithm_; }
  const std::string& kid() const { return kid_; }
  std::string sign(std::string_view data) const;
  bool verify(std::string_view data, std::string_view signature) const;
  // The public half as a JWK (for /.well-known/jwks.json).
  nlohmann::json public_jwk() const;
  // DER of the public key, the bytes an "HS256 with the public key as secret" attack would use.
  std::string public_pem() const;

 private:
  struct Impl;
  SigningKey(std::unique_ptr<Impl> impl, KeyAlgorithm algorithm);
  std::unique_ptr<Impl> impl_;
  KeyAlgorithm algorithm_;
  std::string kid_;
};

}  // namespace netra::auth
