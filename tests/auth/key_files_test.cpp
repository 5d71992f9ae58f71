// Signing keys against the `openssl` tool, the peer operators make and inspect key files with:
// netra reads what openssl writes (PKCS#8 and PKCS#1, RSA and Ed25519), openssl reads what netra
// writes, both agree on the public key (so a kid stays what it was under OpenSSL), and each
// verifies the other's signatures.
#include <gtest/gtest.h>
#include <sodium.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "auth/base64url.hpp"
#include "auth/signing_key.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

namespace netra::auth {
namespace {

using testing::run_process;
using testing::TempDir;

std::string openssl(std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), "/usr/bin/openssl");
  auto finished = run_process(arguments);
  if (finished.exit_code != 0) {
    throw std::runtime_error("openssl " + arguments[1] + " failed: " + finished.output);
  }
  return finished.output;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::string& path, std::string_view bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// The kid OpenSSL's i2d_PUBKEY gave a key: base64url(SHA-256(SubjectPublicKeyInfo)), 16 chars.
std::string kid_from_openssl(const TempDir& dir, const std::string& key_file) {
  openssl({"pkey", "-in", key_file, "-pubout", "-outform", "DER", "-out", dir.file("pub.der")});
  const std::string der = read_file(dir.file("pub.der"));
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(der.data()), der.size());
  return base64url_encode(std::string_view(reinterpret_cast<char*>(digest), sizeof digest))
      .substr(0, 16);
}

// Checks `key` (holding the private key in `key_file`) against openssl both ways.
void expect_openssl_agrees(const TempDir& dir, const SigningKey& key, const std::string& key_file) {
  EXPECT_EQ(key.kid(), kid_from_openssl(dir, key_file));
  EXPECT_EQ(key.public_pem(), openssl({"pkey", "-in", key_file, "-pubout"}));
  write_file(dir.file("public.pem"), key.public_pem());
  const std::string payload = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c3JfMSJ9";
  write_file(dir.file("payload"), payload);

  // netra signs, openssl verifies.
  write_file(dir.file("netra.sig"), key.sign(payload));
  if (key.algorithm() == KeyAlgorithm::rs256) {
    openssl({"dgst", "-sha256", "-verify", dir.file("public.pem"), "-signature",
             dir.file("netra.sig"), dir.file("payload")});
    openssl({"dgst", "-sha256", "-sign", key_file, "-out", dir.file("openssl.sig"),
             dir.file("payload")});
  } else {
    openssl({"pkeyutl", "-verify", "-pubin", "-inkey", dir.file("public.pem"), "-rawin", "-in",
             dir.file("payload"), "-sigfile", dir.file("netra.sig")});
    openssl({"pkeyutl", "-sign", "-inkey", key_file, "-rawin", "-in", dir.file("payload"), "-out",
             dir.file("openssl.sig")});
  }
  // openssl signs, netra verifies; a changed byte does not.
  const std::string theirs = read_file(dir.file("openssl.sig"));
  EXPECT_TRUE(key.verify(payload, theirs));
  std::string changed = theirs;
  changed[changed.size() / 2] ^= 0x01;
  EXPECT_FALSE(key.verify(payload, changed));
  EXPECT_FALSE(key.verify(payload + ".", theirs));
  EXPECT_FALSE(key.verify(payload, theirs.substr(1)));
}

// RSA in PKCS#8 (`genpkey`) and in PKCS#1 (`genrsa -traditional`), Ed25519 in PKCS#8.
TEST(KeyFiles, KeysOpensslMakesLoadWithTheKidOpensslGave) {
  struct Case {
    std::vector<std::string> generate;  // openssl's arguments, the file's name appended
    std::string label;
    KeyAlgorithm algorithm;
  };
  const std::vector<Case> cases = {
      {{"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out"},
       "BEGIN PRIVATE KEY",
       KeyAlgorithm::rs256},
      {{"genrsa", "-traditional", "-out"},
       "BEGIN RSA PRIVATE KEY",
       KeyAlgorithm::rs256},  // 2048 bits
      {{"genpkey", "-algorithm", "ED25519", "-out"}, "BEGIN PRIVATE KEY", KeyAlgorithm::eddsa},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.generate[0] + " " + c.label);
    TempDir dir;
    const std::string file = dir.file("key.pem");
    auto arguments = c.generate;
    arguments.push_back(file);
    openssl(arguments);
    ASSERT_NE(read_file(file).find(c.label), std::string::npos);
    const auto key = SigningKey::load(file);
    EXPECT_EQ(key.algorithm(), c.algorithm);
    expect_openssl_agrees(dir, key, file);
  }
}

TEST(KeyFiles, KeysNetraGeneratesAreFilesOpensslReadsAndChecks) {
  for (const auto algorithm : {KeyAlgorithm::rs256, KeyAlgorithm::eddsa}) {
    SCOPED_TRACE(std::string(jwt_alg(algorithm)));
    TempDir dir;
    const std::string file = dir.file("generated.pem");
    const auto key = SigningKey::generate(algorithm);
    ASSERT_TRUE(key.save_if_absent(file));
    // -check proves the private key consistent (for RSA: n = pq, d, and the CRT parameters).
    const std::string checked = openssl({"pkey", "-in", file, "-check", "-noout"});
    EXPECT_NE(checked.find("Key is valid"), std::string::npos) << checked;
    expect_openssl_agrees(dir, key, file);
    const auto reloaded = SigningKey::load(file);
    EXPECT_EQ(reloaded.kid(), key.kid());
    EXPECT_TRUE(reloaded.verify("data", key.sign("data")));
  }
}

TEST(KeyFiles, WhatIsNotAnUnencryptedRsaOrEd25519KeyIsRefusedNamingTheFile) {
  TempDir dir;
  const std::string encrypted = dir.file("encrypted.pem");
  openssl({"genpkey", "-algorithm", "ED25519", "-aes-256-cbc", "-pass", "pass:secret", "-out",
           encrypted});
  const std::string ec = dir.file("ec.pem");
  openssl({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", ec});
  const std::string certificate_like = dir.file("text.pem");
  write_file(certificate_like, "not a key at all\n");
  const std::string truncated = dir.file("truncated.pem");
  openssl({"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", truncated});
  std::string pem = read_file(truncated);
  pem.erase(pem.size() / 2, 200);  // whole base64 lines gone: decodes, but the DER is short
  write_file(truncated, pem);
  for (const auto& file : {encrypted, ec, certificate_like, truncated}) {
    try {
      SigningKey::load(file);
      ADD_FAILURE() << file << " loaded";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(file), std::string::npos) << e.what();
    }
  }
}

TEST(KeyFiles, AnRsaJwkWithAnEvenExponentIsNoKey) {
  const auto key = SigningKey::generate(KeyAlgorithm::rs256);
  auto jwk = key.public_jwk();
  EXPECT_NO_THROW(SigningKey::from_public_jwk(jwk));
  jwk["e"] = base64url_encode(std::string("\x01\x00\x00", 3));
  EXPECT_THROW(SigningKey::from_public_jwk(jwk), std::invalid_argument);
}

}  // namespace
}  // namespace netra::auth
