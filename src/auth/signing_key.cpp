#include "auth/signing_key.hpp"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "auth/base64url.hpp"

namespace netra::auth {

struct SigningKey::Impl {
  explicit Impl(EVP_PKEY* k) : key(k) {}
  ~Impl() {
    EVP_MD_CTX_free(verify_prototype);
    EVP_PKEY_free(key);
  }
  EVP_PKEY* key;
  // RS256: a verification context initialised once and copied per call. Initialising one
  // (fetching the algorithms from the provider) costs about as much as the RSA check itself.
  EVP_MD_CTX* verify_prototype = nullptr;
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

const EVP_MD* digest_for(KeyAlgorithm a) {
  return a == KeyAlgorithm::rs256 ? EVP_sha256() : nullptr;
}

}  // namespace

std::string_view jwt_alg(KeyAlgorithm a) {
  return a == KeyAlgorithm::rs256 ? "RS256" : "EdDSA";
}

SigningKey::SigningKey(std::unique_ptr<Impl> impl, KeyAlgorithm algorithm)
    : impl_(std::move(impl)), algorithm_(algorithm) {
  if (algorithm_ == KeyAlgorithm::rs256) {
    impl_->verify_prototype = EVP_MD_CTX_new();
    if (EVP_DigestVerifyInit(impl_->verify_prototype, nullptr, EVP_sha256(), nullptr, impl_->key) !=
        1) {
      EVP_MD_CTX_free(impl_->verify_prototype);
      impl_->verify_prototype = nullptr;
    }
  }
  // The kid names the public key, so every instance holding the same key agrees on it.
  kid_ = base64url_encode(sha256(public_der(impl_->key))).substr(0, 16);
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

void SigningKey::save(const std::string& path) const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, impl_->key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool ok = fd >= 0 && ::fchmod(fd, 0600) == 0 &&
            ::write(fd, data, static_cast<size_t>(length)) == static_cast<ssize_t>(length);
  if (fd >= 0) ok = ::close(fd) == 0 && ok;
  BIO_free(bio);
  if (!ok) throw std::runtime_error("cannot write signing key " + path);
}

std::string SigningKey::sign(std::string_view data) const {
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
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (impl_->verify_prototype != nullptr) {
    // Copying only reads the prototype, so concurrent verifications may share it.
    const bool ok =
        EVP_MD_CTX_copy_ex(ctx, impl_->verify_prototype) == 1 &&
        EVP_DigestVerifyUpdate(ctx, data.data(), data.size()) == 1 &&
        EVP_DigestVerifyFinal(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                              signature.size()) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
  }
  const bool ok =
      EVP_DigestVerifyInit(ctx, nullptr, digest_for(algorithm_), nullptr, impl_->key) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                       data.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

nlohmann::json SigningKey::public_jwk() const {
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
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, impl_->key);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(length));
  BIO_free(bio);
  return out;
}

}  // namespace netra::auth
