#include "auth/key_encoding.hpp"

#include <nettle/asn1.h>
#include <sodium.h>

#include <cstdint>

namespace netra::auth::key_encoding {

namespace {

// The AlgorithmIdentifiers, whole: rsaEncryption (1.2.840.113549.1.1.1) with its NULL
// parameters, and id-Ed25519 (1.3.101.112, RFC 8410) without parameters.
constexpr std::string_view kRsaAlgorithm{
    "\x30\x0d\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01\x05\x00", 15};
constexpr std::string_view kEd25519Algorithm{"\x30\x05\x06\x03\x2b\x65\x70", 7};
// The OIDs' contents alone, as the iterator hands them over.
constexpr std::string_view kRsaOid{"\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01", 9};
constexpr std::string_view kEd25519Oid{"\x2b\x65\x70", 3};

constexpr uint8_t kInteger = 0x02;
constexpr uint8_t kBitString = 0x03;
constexpr uint8_t kOctetString = 0x04;
constexpr uint8_t kSequence = 0x30;

// Tag, definite length (short form below 128, else the fewest bytes), contents.
std::string tlv(uint8_t tag, std::string_view contents) {
  std::string out(1, static_cast<char>(tag));
  const size_t n = contents.size();
  if (n < 0x80) {
    out += static_cast<char>(n);
  } else {
    std::string length;
    for (size_t rest = n; rest != 0; rest >>= 8)
      length.insert(length.begin(), static_cast<char>(rest & 0xff));
    out += static_cast<char>(0x80 | length.size());
    out += length;
  }
  out += contents;
  return out;
}

// A non-negative INTEGER: no leading zero bytes, but one zero byte before a high bit.
std::string unsigned_integer(std::string_view big_endian) {
  while (big_endian.size() > 1 && big_endian.front() == '\0') big_endian.remove_prefix(1);
  if (big_endian.empty()) return tlv(kInteger, std::string_view("\0", 1));
  if (static_cast<unsigned char>(big_endian.front()) & 0x80)
    return tlv(kInteger, std::string(1, '\0') + std::string(big_endian));
  return tlv(kInteger, big_endian);
}

std::string_view contents(const asn1_der_iterator& i) {
  return {reinterpret_cast<const char*>(i.data), i.length};
}

// PKCS#8 PrivateKeyInfo (RFC 5208, and RFC 5958's version 1 with an optional public key, whose
// extra fields are ignored): SEQUENCE { INTEGER version, AlgorithmIdentifier, OCTET STRING }.
std::optional<PrivateKeyDer> from_pkcs8(std::string_view der) {
  asn1_der_iterator i;
  if (asn1_der_iterator_first(&i, der.size(), reinterpret_cast<const uint8_t*>(der.data())) !=
          ASN1_ITERATOR_CONSTRUCTED ||
      i.type != ASN1_SEQUENCE || i.pos != der.size() ||
      asn1_der_decode_constructed_last(&i) != ASN1_ITERATOR_PRIMITIVE || i.type != ASN1_INTEGER) {
    return std::nullopt;
  }
  uint32_t version = 0;
  if (!asn1_der_get_uint32(&i, &version) || version > 1) return std::nullopt;
  if (asn1_der_iterator_next(&i) != ASN1_ITERATOR_CONSTRUCTED || i.type != ASN1_SEQUENCE)
    return std::nullopt;
  asn1_der_iterator algorithm;
  if (asn1_der_decode_constructed(&i, &algorithm) != ASN1_ITERATOR_PRIMITIVE ||
      algorithm.type != ASN1_IDENTIFIER) {
    return std::nullopt;
  }
  const std::string_view oid = contents(algorithm);
  if (asn1_der_iterator_next(&i) != ASN1_ITERATOR_PRIMITIVE || i.type != ASN1_OCTETSTRING)
    return std::nullopt;
  const std::string_view key = contents(i);
  if (oid == kRsaOid) return PrivateKeyDer{PrivateKeyDer::Kind::rsa, std::string(key)};
  if (oid != kEd25519Oid) return std::nullopt;
  // CurvePrivateKey ::= OCTET STRING, the 32-byte seed (RFC 8410 §7).
  asn1_der_iterator seed;
  if (asn1_der_iterator_first(&seed, key.size(), reinterpret_cast<const uint8_t*>(key.data())) !=
          ASN1_ITERATOR_PRIMITIVE ||
      seed.type != ASN1_OCTETSTRING || seed.length != 32 || seed.pos != key.size()) {
    return std::nullopt;
  }
  return PrivateKeyDer{PrivateKeyDer::Kind::ed25519, std::string(contents(seed))};
}

}  // namespace

std::optional<PemBlock> pem_decode(std::string_view text) {
  constexpr std::string_view kBegin = "-----BEGIN ";
  constexpr std::string_view kDashes = "-----";
  const size_t begin = text.find(kBegin);
  if (begin == std::string_view::npos) return std::nullopt;
  const size_t label_start = begin + kBegin.size();
  const size_t label_end = text.find(kDashes, label_start);
  if (label_end == std::string_view::npos) return std::nullopt;
  PemBlock block{std::string(text.substr(label_start, label_end - label_start)), ""};
  const size_t body = label_end + kDashes.size();
  const std::string end_line = "-----END " + block.label + "-----";
  const size_t end = text.find(end_line, body);
  if (end == std::string_view::npos) return std::nullopt;
  const std::string_view base64 = text.substr(body, end - body);
  block.der.resize(base64.size() / 4 * 3 + 3);
  size_t length = 0;
  const char* stopped = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(block.der.data()), block.der.size(),
                        base64.data(), base64.size(), " \t\r\n", &length, &stopped,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      stopped != base64.data() + base64.size() || length == 0) {
    return std::nullopt;
  }
  block.der.resize(length);
  return block;
}

std::string pem_encode(std::string_view label, std::string_view der) {
  std::string base64(sodium_base64_ENCODED_LEN(der.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(base64.data(), base64.size(),
                    reinterpret_cast<const unsigned char*>(der.data()), der.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  base64.resize(base64.size() - 1);  // the terminating NUL
  std::string out = "-----BEGIN " + std::string(label) + "-----\n";
  for (size_t at = 0; at < base64.size(); at += 64) out += base64.substr(at, 64) + "\n";
  out += "-----END " + std::string(label) + "-----\n";
  return out;
}

std::optional<PrivateKeyDer> private_key_from_pem(const PemBlock& pem) {
  if (pem.label == "PRIVATE KEY") return from_pkcs8(pem.der);
  if (pem.label == "RSA PRIVATE KEY") return PrivateKeyDer{PrivateKeyDer::Kind::rsa, pem.der};
  return std::nullopt;
}

std::string rsa_private_key_pkcs1(const std::vector<std::string>& integers) {
  std::string fields = unsigned_integer(std::string_view("\0", 1));  // version 0: two primes
  for (const auto& value : integers) fields += unsigned_integer(value);
  return tlv(kSequence, fields);
}

std::string rsa_private_key_pkcs8(std::string_view pkcs1) {
  return tlv(kSequence, unsigned_integer(std::string_view("\0", 1)) + std::string(kRsaAlgorithm) +
                            tlv(kOctetString, pkcs1));
}

std::string ed25519_private_key_pkcs8(std::string_view seed) {
  return tlv(kSequence, unsigned_integer(std::string_view("\0", 1)) +
                            std::string(kEd25519Algorithm) +
                            tlv(kOctetString, tlv(kOctetString, seed)));
}

// SubjectPublicKeyInfo: SEQUENCE { AlgorithmIdentifier, BIT STRING } with no unused bits.
std::string rsa_public_key_spki(std::string_view n, std::string_view e) {
  const std::string rsa_public_key = tlv(kSequence, unsigned_integer(n) + unsigned_integer(e));
  return tlv(kSequence,
             std::string(kRsaAlgorithm) + tlv(kBitString, std::string(1, '\0') + rsa_public_key));
}

std::string ed25519_public_key_spki(std::string_view public_key) {
  return tlv(kSequence, std::string(kEd25519Algorithm) +
                            tlv(kBitString, std::string(1, '\0') + std::string(public_key)));
}

}  // namespace netra::auth::key_encoding
