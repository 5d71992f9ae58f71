// RS256 through nettle (hogweed, over GMP); Ed25519, SHA-256, HMAC and the constant-time compare
// through libsodium; key files through key_encoding. Not OpenSSL: OpenSSL 3 costs every process
// about 4 MiB of resident memory and 2 ms of start-up the moment a key is loaded (its default
// provider starting), and it is needed only when an https:// peer is called (README, memory).
#include "auth/signing_key.hpp"

#include <fcntl.h>
#include <gmp.h>
#include <nettle/bignum.h>
#include <nettle/rsa.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "auth/base64url.hpp"
#include "auth/key_encoding.hpp"
#include "core/id.hpp"

namespace netra::auth {

namespace {

constexpr unsigned kRsaBits = 2048;
constexpr unsigned long kRsaPublicExponent = 65537;

void require_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium cannot initialise");
}

// nettle's source of randomness (RSA blinding, key generation): the kernel's CSPRNG.
void random_bytes(void*, size_t length, uint8_t* out) {
  core::fill_random(out, length);
}

std::string sha256(std::string_view data) {
  std::string digest(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(digest.data()),
                     reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return digest;
}

std::string hmac_sha256(std::string_view secret, std::string_view data) {
  crypto_auth_hmacsha256_state state;
  std::string mac(crypto_auth_hmacsha256_BYTES, '\0');
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(data.data()),
                                data.size());
  crypto_auth_hmacsha256_final(&state, reinterpret_cast<unsigned char*>(mac.data()));
  sodium_memzero(&state, sizeof state);
  return mac;
}

// The unsigned big-endian bytes of a number, without leading zeros (as a JWK wants them).
std::string bytes_of(const mpz_t number) {
  std::string out(nettle_mpz_sizeinbase_256_u(number), '\0');
  nettle_mpz_get_str_256(out.size(), reinterpret_cast<uint8_t*>(out.data()), number);
  return out;
}

void wipe(std::string& secret) {
  sodium_memzero(secret.data(), secret.size());
}

}  // namespace

struct SigningKey::Impl {
  Impl() {
    rsa_public_key_init(&rsa_public);
    rsa_private_key_init(&rsa_private);
  }
  ~Impl() {
    rsa_public_key_clear(&rsa_public);
    rsa_private_key_clear(&rsa_private);
    sodium_memzero(ed25519_secret.data(), ed25519_secret.size());
    wipe(secret);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // The DER SubjectPublicKeyInfo, as OpenSSL's i2d_PUBKEY writes it: the kid hashes it.
  std::string public_der(KeyAlgorithm algorithm) const {
    if (algorithm == KeyAlgorithm::rs256)
      return key_encoding::rsa_public_key_spki(bytes_of(rsa_public.n), bytes_of(rsa_public.e));
    return key_encoding::ed25519_public_key_spki(
        std::string_view(reinterpret_cast<const char*>(ed25519_public.data()), 32));
  }

  static std::unique_ptr<Impl> ed25519_from_seed(const unsigned char* seed) {
    auto impl = std::make_unique<Impl>();
    crypto_sign_seed_keypair(impl->ed25519_public.data(), impl->ed25519_secret.data(), seed);
    return impl;
  }

  bool has_private = true;
  rsa_public_key rsa_public;    // RS256
  rsa_private_key rsa_private;  // RS256 with has_private
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> ed25519_public{};
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> ed25519_secret{};  // seed, then public
  std::string secret;                                                      // HS256
};

std::string_view jwt_alg(KeyAlgorithm a) {
  switch (a) {
    case KeyAlgorithm::rs256:
      return "RS256";
    case KeyAlgorithm::eddsa:
      return "EdDSA";
    case KeyAlgorithm::hs256:
      return "HS256";
  }
  return "?";
}

SigningKey::SigningKey(std::unique_ptr<Impl> impl, KeyAlgorithm algorithm, std::string kid)
    : impl_(std::move(impl)), algorithm_(algorithm), kid_(std::move(kid)) {
  if (algorithm_ == KeyAlgorithm::hs256) {
    // Named by a hash of the secret: stable across instances, and says nothing about the secret.
    if (kid_.empty())
      kid_ = "hs-" + base64url_encode(sha256("netra-hs256:" + impl_->secret)).substr(0, 13);
    return;
  }
  // The kid names the public key, so every instance holding the same key agrees on it.
  if (kid_.empty()) kid_ = base64url_encode(sha256(impl_->public_der(algorithm_))).substr(0, 16);
}
SigningKey::~SigningKey() = default;
SigningKey::SigningKey(SigningKey&&) noexcept = default;
SigningKey& SigningKey::operator=(SigningKey&&) noexcept = default;

SigningKey SigningKey::generate(KeyAlgorithm algorithm) {
  if (algorithm == KeyAlgorithm::hs256) throw std::logic_error("HS256 keys come from a secret");
  require_sodium();
  if (algorithm == KeyAlgorithm::eddsa) {
    std::array<unsigned char, crypto_sign_SEEDBYTES> seed{};
    core::fill_random(seed.data(), seed.size());
    auto impl = Impl::ed25519_from_seed(seed.data());
    sodium_memzero(seed.data(), seed.size());
    return SigningKey(std::move(impl), algorithm);
  }
  auto impl = std::make_unique<Impl>();
  mpz_set_ui(impl->rsa_public.e, kRsaPublicExponent);
  if (rsa_generate_keypair(&impl->rsa_public, &impl->rsa_private, nullptr, random_bytes, nullptr,
                           nullptr, kRsaBits, 0) != 1) {
    throw std::runtime_error("key generation failed");
  }
  return SigningKey(std::move(impl), KeyAlgorithm::rs256);
}

SigningKey SigningKey::load(const std::string& path) {
  require_sodium();
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read signing key " + path);
  std::stringstream text;
  text << in.rdbuf();
  std::string pem_text = text.str();
  auto pem = key_encoding::pem_decode(pem_text);
  wipe(pem_text);
  auto key = pem ? key_encoding::private_key_from_pem(*pem) : std::nullopt;
  if (pem) wipe(pem->der);
  if (!key) {
    throw std::runtime_error("signing key " + path +
                             " is not an unencrypted PEM private key (PKCS#8, or PKCS#1 for RSA) "
                             "of RSA or Ed25519");
  }
  std::unique_ptr<Impl> impl;
  KeyAlgorithm algorithm = KeyAlgorithm::rs256;
  if (key->kind == key_encoding::PrivateKeyDer::Kind::ed25519) {
    impl = Impl::ed25519_from_seed(reinterpret_cast<const unsigned char*>(key->bytes.data()));
    algorithm = KeyAlgorithm::eddsa;
  } else {
    impl = std::make_unique<Impl>();
    const bool ok =
        rsa_keypair_from_der(&impl->rsa_public, &impl->rsa_private, 0, key->bytes.size(),
                             reinterpret_cast<const uint8_t*>(key->bytes.data())) == 1 &&
        rsa_public_key_prepare(&impl->rsa_public) == 1 &&
        rsa_private_key_prepare(&impl->rsa_private) == 1;
    if (!ok) {
      wipe(key->bytes);
      throw std::runtime_error("signing key " + path + " is not a valid RSA private key");
    }
  }
  wipe(key->bytes);
  return SigningKey(std::move(impl), algorithm);
}

SigningKey SigningKey::from_secret(std::string secret) {
  require_sodium();
  if (secret.size() < kMinSharedSecretBytes) {
    throw std::invalid_argument("an HS256 secret must be at least " +
                                std::to_string(kMinSharedSecretBytes) + " bytes");
  }
  auto impl = std::make_unique<Impl>();
  impl->secret = std::move(secret);
  return SigningKey(std::move(impl), KeyAlgorithm::hs256);
}

SigningKey SigningKey::from_public_jwk(const nlohmann::json& jwk) {
  require_sodium();
  auto text = [&](const char* name) -> std::string {
    auto it = jwk.find(name);
    if (it == jwk.end() || !it->is_string()) {
      throw std::invalid_argument(std::string("JWK without a string \"") + name + "\"");
    }
    return it->get<std::string>();
  };
  auto bytes = [&](const char* name) {
    auto decoded = base64url_decode(text(name));
    if (!decoded || decoded->empty()) {
      throw std::invalid_argument(std::string("JWK \"") + name + "\" is not base64url");
    }
    return *decoded;
  };
  if (!jwk.is_object()) throw std::invalid_argument("JWK is not an object");
  const std::string kid = text("kid");
  if (kid.empty() || kid.size() > 128) throw std::invalid_argument("JWK kid is empty or too long");
  const std::string kty = text("kty");
  auto impl = std::make_unique<Impl>();
  impl->has_private = false;
  if (kty == "RSA") {
    const std::string n = bytes("n");
    const std::string e = bytes("e");
    if (n.size() < 256) throw std::invalid_argument("JWK RSA modulus shorter than 2048 bits");
    nettle_mpz_set_str_256_u(impl->rsa_public.n, n.size(),
                             reinterpret_cast<const uint8_t*>(n.data()));
    nettle_mpz_set_str_256_u(impl->rsa_public.e, e.size(),
                             reinterpret_cast<const uint8_t*>(e.data()));
    if (mpz_even_p(impl->rsa_public.e) || mpz_cmp_ui(impl->rsa_public.e, 1) <= 0 ||
        rsa_public_key_prepare(&impl->rsa_public) != 1) {
      throw std::invalid_argument("JWK is not a valid public key");
    }
    return SigningKey(std::move(impl), KeyAlgorithm::rs256, kid);
  }
  if (kty == "OKP") {
    if (text("crv") != "Ed25519") throw std::invalid_argument("JWK curve is not Ed25519");
    const std::string x = bytes("x");
    if (x.size() != impl->ed25519_public.size())
      throw std::invalid_argument("JWK is not a valid public key");
    std::copy(x.begin(), x.end(), impl->ed25519_public.begin());
    return SigningKey(std::move(impl), KeyAlgorithm::eddsa, kid);
  }
  throw std::invalid_argument("JWK kty \"" + kty + "\" is not RSA or OKP");
}

bool SigningKey::can_sign() const {
  return impl_->has_private;
}

bool SigningKey::save_if_absent(const std::string& path) const {
  if (is_symmetric() || !impl_->has_private)
    throw std::logic_error("only a private key pair can be saved");
  std::string der;
  if (algorithm_ == KeyAlgorithm::rs256) {
    const auto& pub = impl_->rsa_public;
    const auto& key = impl_->rsa_private;
    std::vector<std::string> integers = {bytes_of(pub.n), bytes_of(pub.e), bytes_of(key.d),
                                         bytes_of(key.p), bytes_of(key.q), bytes_of(key.a),
                                         bytes_of(key.b), bytes_of(key.c)};
    std::string pkcs1 = key_encoding::rsa_private_key_pkcs1(integers);
    der = key_encoding::rsa_private_key_pkcs8(pkcs1);
    wipe(pkcs1);
    for (auto& integer : integers) wipe(integer);
  } else {
    der = key_encoding::ed25519_private_key_pkcs8(std::string_view(
        reinterpret_cast<const char*>(impl_->ed25519_secret.data()), crypto_sign_SEEDBYTES));
  }
  std::string pem = key_encoding::pem_encode("PRIVATE KEY", der);
  wipe(der);
  // The PEM goes to a file of its own beside the key (O_EXCL|O_NOFOLLOW: never one that exists,
  // never through a link), is flushed, and is then linked into place. link(2) never replaces a
  // name, so of two instances generating a key at once the first one's stays and the other loads
  // it; and no reader ever sees half a key.
  const std::string temporary = path + ".tmp-" + std::to_string(::getpid()) + "-" +
                                std::to_string(reinterpret_cast<uintptr_t>(this));
  const int fd =
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  bool ok = fd >= 0 && ::write(fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size()) &&
            ::fsync(fd) == 0;
  if (fd >= 0) ok = ::close(fd) == 0 && ok;
  wipe(pem);
  int link_error = 0;
  if (ok && ::link(temporary.c_str(), path.c_str()) != 0) link_error = errno;
  if (fd >= 0) ::unlink(temporary.c_str());
  if (link_error == EEXIST) return false;
  if (!ok || link_error != 0) throw std::runtime_error("cannot write signing key " + path);
  return true;
}

std::string SigningKey::sign(std::string_view data) const {
  if (!impl_->has_private) throw std::logic_error("a key from a JWKS cannot sign");
  if (algorithm_ == KeyAlgorithm::hs256) return hmac_sha256(impl_->secret, data);
  if (algorithm_ == KeyAlgorithm::eddsa) {
    std::string signature(crypto_sign_BYTES, '\0');
    crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()), nullptr,
                         reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                         impl_->ed25519_secret.data());
    return signature;
  }
  const std::string digest = sha256(data);
  mpz_t s;
  mpz_init(s);
  // With blinding, and checked against the public key before it is returned (nettle's _tr).
  const bool ok =
      rsa_sha256_sign_digest_tr(&impl_->rsa_public, &impl_->rsa_private, nullptr, random_bytes,
                                reinterpret_cast<const uint8_t*>(digest.data()), s) == 1;
  // JWS wants the signature as many bytes as the modulus, leading zeros kept (RFC 7518 §3.3).
  std::string signature(impl_->rsa_public.size, '\0');
  if (ok) nettle_mpz_get_str_256(signature.size(), reinterpret_cast<uint8_t*>(signature.data()), s);
  mpz_clear(s);
  if (!ok) throw std::runtime_error("signing failed");
  return signature;
}

bool SigningKey::verify(std::string_view data, std::string_view signature) const {
  if (algorithm_ == KeyAlgorithm::hs256) {
    const std::string expected = hmac_sha256(impl_->secret, data);
    return signature.size() == expected.size() &&
           sodium_memcmp(signature.data(), expected.data(), expected.size()) == 0;
  }
  if (algorithm_ == KeyAlgorithm::eddsa) {
    return signature.size() == crypto_sign_BYTES &&
           crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                       reinterpret_cast<const unsigned char*>(data.data()),
                                       data.size(), impl_->ed25519_public.data()) == 0;
  }
  // Exactly the modulus's length, as OpenSSL also demands.
  if (signature.size() != impl_->rsa_public.size) return false;
  const std::string digest = sha256(data);
  mpz_t s;
  mpz_init(s);
  if (signature.size() % sizeof(uint64_t) == 0) {
    // As big-endian 64-bit words (GMP swaps whole limbs): nettle's reading, a byte at a time,
    // was 3 % of a verification. A 2048-bit modulus is 32 words.
    mpz_import(s, signature.size() / sizeof(uint64_t), 1, sizeof(uint64_t), 1, 0, signature.data());
  } else {
    nettle_mpz_set_str_256_u(s, signature.size(),
                             reinterpret_cast<const uint8_t*>(signature.data()));
  }
  const bool ok = rsa_sha256_verify_digest(&impl_->rsa_public,
                                           reinterpret_cast<const uint8_t*>(digest.data()), s) == 1;
  mpz_clear(s);
  return ok;
}

nlohmann::json SigningKey::public_jwk() const {
  if (is_symmetric()) throw std::logic_error("a shared secret has no public JWK");
  nlohmann::json jwk = {{"kid", kid_}, {"use", "sig"}, {"alg", jwt_alg(algorithm_)}};
  if (algorithm_ == KeyAlgorithm::rs256) {
    jwk["kty"] = "RSA";
    jwk["n"] = base64url_encode(bytes_of(impl_->rsa_public.n));
    jwk["e"] = base64url_encode(bytes_of(impl_->rsa_public.e));
  } else {
    jwk["kty"] = "OKP";
    jwk["crv"] = "Ed25519";
    jwk["x"] = base64url_encode(std::string_view(
        reinterpret_cast<const char*>(impl_->ed25519_public.data()), impl_->ed25519_public.size()));
  }
  return jwk;
}

std::string SigningKey::public_pem() const {
  if (is_symmetric()) throw std::logic_error("a shared secret has no public key");
  return key_encoding::pem_encode("PUBLIC KEY", impl_->public_der(algorithm_));
}

}  // namespace netra::auth
