#include "auth/signing_key.hpp"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "auth/base64url.hpp"

namespace netra::auth {

struct SigningKey::Impl {
  explicit Impl(EVP_PKEY* k, bool has_private = true) : key(k), has_private(has_private) {}
  ~Impl() {
    for (EVP_PKEY_CTX* ctx : idle_verifiers) EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(key);
    OPENSSL_cleanse(secret.data(), secret.size());
  }

  // RS256: a verification context set up once (PKCS#1 v1.5 over SHA-256) and reused. Setting one
  // up — fetching the algorithms from the provider — costs about as much as the RSA check
  // itself, and so does copying one; a context serves one call at a time, hence the pool.
  EVP_PKEY_CTX* take_verifier() {
    {
      std::lock_guard lock(verifiers_mutex);
      if (!idle_verifiers.empty()) {
        EVP_PKEY_CTX* ctx = idle_verifiers.back();
        idle_verifiers.pop_back();
        return ctx;
      }
    }
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr);
    if (ctx == nullptr || EVP_PKEY_verify_init(ctx) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) != 1) {
      EVP_PKEY_CTX_free(ctx);
      return nullptr;
    }
    return ctx;
  }
  void give_back(EVP_PKEY_CTX* ctx) {
    std::lock_guard lock(verifiers_mutex);
    if (idle_verifiers.size() < 64) {
      idle_verifiers.push_back(ctx);
      return;
    }
    EVP_PKEY_CTX_free(ctx);
  }

  EVP_PKEY* key;  // null for HS256
  bool has_private;
  std::string secret;  // HS256 only
  std::mutex verifiers_mutex;
  std::vector<EVP_PKEY_CTX*> idle_verifiers;
};

namespace {

std::string public_der(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key, &der);
  if (length <= 0) throw std::runtime_error("cannot encode a public key");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(length));
  OPENSSL_free(der);
  return out;
}

std::string sha256(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(digest), length);
}

std::string bignum_param(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1)
    throw std::runtime_error("cannot read an RSA key");
  std::string out(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

std::string hmac_sha256(std::string_view secret, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac,
           &length) == nullptr) {
    throw std::runtime_error("HMAC failed");
  }
  return std::string(reinterpret_cast<char*>(mac), length);
}

const EVP_MD* digest_for(KeyAlgorithm a) {
  return a == KeyAlgorithm::rs256 ? EVP_sha256() : nullptr;
}

}  // namespace

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
  if (kid_.empty()) kid_ = base64url_encode(sha256(public_der(impl_->key))).substr(0, 16);
}
SigningKey::~SigningKey() = default;
SigningKey::SigningKey(SigningKey&&) noexcept = default;
SigningKey& SigningKey::operator=(SigningKey&&) noexcept = default;

SigningKey SigningKey::generate(KeyAlgorithm algorithm) {
  EVP_PKEY* key = algorithm == KeyAlgorithm::rs256
                      ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048})
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (key == nullptr) throw std::runtime_error("key generation failed");
  return SigningKey(std::make_unique<Impl>(key), algorithm);
}

SigningKey SigningKey::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read signing key " + path);
  std::stringstream pem;
  pem << in.rdbuf();
  const std::string text = pem.str();
  BIO* bio = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr) throw std::runtime_error("signing key " + path + " is not a PEM private key");
  const int type = EVP_PKEY_get_base_id(key);
  if (type == EVP_PKEY_RSA) return SigningKey(std::make_unique<Impl>(key), KeyAlgorithm::rs256);
  if (type == EVP_PKEY_ED25519) return SigningKey(std::make_unique<Impl>(key), KeyAlgorithm::eddsa);
  EVP_PKEY_free(key);
  throw std::runtime_error("signing key " + path + " is neither RSA nor Ed25519");
}

SigningKey SigningKey::from_secret(std::string secret) {
  if (secret.size() < kMinSharedSecretBytes) {
    throw std::invalid_argument("an HS256 secret must be at least " +
                                std::to_string(kMinSharedSecretBytes) + " bytes");
  }
  auto impl = std::make_unique<Impl>(nullptr, true);
  impl->secret = std::move(secret);
  return SigningKey(std::move(impl), KeyAlgorithm::hs256);
}

SigningKey SigningKey::from_public_jwk(const nlohmann::json& jwk) {
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
  EVP_PKEY* key = nullptr;
  KeyAlgorithm algorithm = KeyAlgorithm::rs256;
  if (kty == "RSA") {
    const std::string n = bytes("n");
    const std::string e = bytes("e");
    if (n.size() < 256) throw std::invalid_argument("JWK RSA modulus shorter than 2048 bits");
    BIGNUM* bn_n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()),
                             static_cast<int>(n.size()), nullptr);
    BIGNUM* bn_e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()),
                             static_cast<int>(e.size()), nullptr);
    OSSL_PARAM_BLD* build = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_N, bn_n);
    OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_E, bn_e);
    OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(build);
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
    if (ctx == nullptr || params == nullptr || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
      key = nullptr;
    }
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(build);
    BN_free(bn_n);
    BN_free(bn_e);
  } else if (kty == "OKP") {
    if (text("crv") != "Ed25519") throw std::invalid_argument("JWK curve is not Ed25519");
    const std::string x = bytes("x");
    key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                      reinterpret_cast<const unsigned char*>(x.data()), x.size());
    algorithm = KeyAlgorithm::eddsa;
  } else {
    throw std::invalid_argument("JWK kty \"" + kty + "\" is not RSA or OKP");
  }
  if (key == nullptr) throw std::invalid_argument("JWK is not a valid public key");
  return SigningKey(std::make_unique<Impl>(key, false), algorithm, kid);
}

bool SigningKey::can_sign() const {
  return impl_->has_private;
}

bool SigningKey::save_if_absent(const std::string& path) const {
  if (impl_->key == nullptr || !impl_->has_private)
    throw std::logic_error("only a private key pair can be saved");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, impl_->key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  // The PEM goes to a file of its own beside the key (O_EXCL|O_NOFOLLOW: never one that exists,
  // never through a link), is flushed, and is then linked into place. link(2) never replaces a
  // name, so of two instances generating a key at once the first one's stays and the other loads
  // it; and no reader ever sees half a key.
  const std::string temporary = path + ".tmp-" + std::to_string(::getpid()) + "-" +
                                std::to_string(reinterpret_cast<uintptr_t>(this));
  const int fd =
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  bool ok = fd >= 0 &&
            ::write(fd, data, static_cast<size_t>(length)) == static_cast<ssize_t>(length) &&
            ::fsync(fd) == 0;
  if (fd >= 0) ok = ::close(fd) == 0 && ok;
  BIO_free(bio);
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
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t length = 0;
  std::string signature;
  if (EVP_DigestSignInit(ctx, nullptr, digest_for(algorithm_), nullptr, impl_->key) == 1 &&
      EVP_DigestSign(ctx, nullptr, &length, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) == 1) {
    signature.resize(length);
    if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length,
                       reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
      signature.clear();
    }
    signature.resize(length);
  }
  EVP_MD_CTX_free(ctx);
  if (signature.empty()) throw std::runtime_error("signing failed");
  return signature;
}

bool SigningKey::verify(std::string_view data, std::string_view signature) const {
  if (algorithm_ == KeyAlgorithm::hs256) {
    const std::string expected = hmac_sha256(impl_->secret, data);
    return signature.size() == expected.size() &&
           CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) == 0;
  }
  if (algorithm_ == KeyAlgorithm::rs256) {
    EVP_PKEY_CTX* verifier = impl_->take_verifier();
    if (verifier == nullptr) return false;
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
    const bool ok =
        EVP_PKEY_verify(verifier, reinterpret_cast<const unsigned char*>(signature.data()),
                        signature.size(), digest, sizeof digest) == 1;
    impl_->give_back(verifier);
    return ok;
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok =
      EVP_DigestVerifyInit(ctx, nullptr, digest_for(algorithm_), nullptr, impl_->key) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                       data.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

nlohmann::json SigningKey::public_jwk() const {
  if (is_symmetric()) throw std::logic_error("a shared secret has no public JWK");
  nlohmann::json jwk = {{"kid", kid_}, {"use", "sig"}, {"alg", jwt_alg(algorithm_)}};
  if (algorithm_ == KeyAlgorithm::rs256) {
    jwk["kty"] = "RSA";
    jwk["n"] = base64url_encode(bignum_param(impl_->key, OSSL_PKEY_PARAM_RSA_N));
    jwk["e"] = base64url_encode(bignum_param(impl_->key, OSSL_PKEY_PARAM_RSA_E));
  } else {
    unsigned char raw[64];
    size_t length = sizeof raw;
    EVP_PKEY_get_raw_public_key(impl_->key, raw, &length);
    jwk["kty"] = "OKP";
    jwk["crv"] = "Ed25519";
    jwk["x"] = base64url_encode(std::string_view(reinterpret_cast<char*>(raw), length));
  }
  return jwk;
}

std::string SigningKey::public_pem() const {
  if (impl_->key == nullptr) throw std::logic_error("a shared secret has no public key");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, impl_->key);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(length));
  BIO_free(bio);
  return out;
}

}  // namespace netra::auth
