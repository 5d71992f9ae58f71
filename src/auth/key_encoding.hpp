// Key encodings: the PEM files signing keys live in and the DER inside them, as OpenSSL writes
// and reads them, so that key files move freely between netra and the `openssl` tool and a key's
// kid (a hash of its SubjectPublicKeyInfo) stays what it was when OpenSSL computed it.
//
// Read: PKCS#8 PrivateKeyInfo ("PRIVATE KEY", RSA or Ed25519) and PKCS#1 RSAPrivateKey ("RSA
// PRIVATE KEY"); unencrypted only. Written: PKCS#8 for private keys, SubjectPublicKeyInfo for
// public ones. Parsing goes through nettle's DER iterator; nettle has no DER writer, so the few
// fixed structures written here are put together by hand (DER's rules for them are short:
// definite lengths, minimal unsigned INTEGERs).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace netra::auth::key_encoding {

// The first PEM block in `text`: its label ("PRIVATE KEY") and its decoded contents. nullopt when
// there is none or its base64 is broken.
struct PemBlock {
  std::string label;
  std::string der;
};
std::optional<PemBlock> pem_decode(std::string_view text);
std::string pem_encode(std::string_view label, std::string_view der);

// A private key as read from a file: an RSA key's PKCS#1 RSAPrivateKey DER, or an Ed25519 key's
// 32-byte seed.
struct PrivateKeyDer {
  enum class Kind { rsa, ed25519 } kind;
  std::string bytes;
};
// From a PEM block: PKCS#8 (RSA or Ed25519) or PKCS#1 (RSA). nullopt for anything else
// (encrypted keys, other algorithms, malformed DER).
std::optional<PrivateKeyDer> private_key_from_pem(const PemBlock& pem);

// Writers. Integers are unsigned big-endian byte strings (leading zeros allowed).
std::string rsa_private_key_pkcs1(const std::vector<std::string>& integers);  // n e d p q dp dq qi
std::string rsa_private_key_pkcs8(std::string_view pkcs1);
std::string ed25519_private_key_pkcs8(std::string_view seed);
std::string rsa_public_key_spki(std::string_view n, std::string_view e);
std::string ed25519_public_key_spki(std::string_view public_key);

}  // namespace netra::auth::key_encoding
