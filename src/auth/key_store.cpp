#include "auth/key_store.hpp"

#include <sys/stat.h>

#include <filesystem>

namespace netra::auth {

SigningKey load_or_create_signing_key(const std::string& folder, KeyAlgorithm algorithm) {
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) throw std::runtime_error("cannot create key folder " + folder + ": " + ec.message());
  ::chmod(folder.c_str(), 0700);
  const std::string path = (std::filesystem::path(folder) /
                            (algorithm == KeyAlgorithm::rs256 ? "jwt-rs256.pem" : "jwt-eddsa.pem"))
                               .string();
  if (std::filesystem::exists(path)) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
      throw std::runtime_error("signing key " + path + " is readable by others (mode " +
                               std::to_string(st.st_mode & 0777) + "); chmod 600 it");
    }
    return SigningKey::load(path);
  }
  auto key = SigningKey::generate(algorithm);
  key.save(path);
  return key;
}

}  // namespace netra::auth
