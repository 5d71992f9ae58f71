#include "auth/key_store.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

namespace netra::auth {
namespace fs = std::filesystem;
namespace {

std::string key_file(const std::string& folder, KeyAlgorithm algorithm) {
  return (fs::path(folder) / (algorithm == KeyAlgorithm::eddsa ? "jwt-eddsa.pem" : "jwt-rs256.pem"))
      .string();
}

void ensure_private_folder(const fs::path& folder) {
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec)
    throw std::runtime_error("cannot create key folder " + folder.string() + ": " + ec.message());
  ::chmod(folder.c_str(), 0700);
}

// A private key file others can read is refused rather than used. A link is followed to load (a
// Kubernetes secret is mounted as links), never to create.
SigningKey load_private(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    throw std::runtime_error("signing key " + path + " is readable by others (mode " +
                             std::to_string(st.st_mode & 0777) + "); chmod 600 it");
  }
  return SigningKey::load(path);
}

}  // namespace

SigningKey load_or_create_signing_key(const std::string& folder, KeyAlgorithm algorithm,
                                      std::optional<std::chrono::microseconds>* generated_in) {
  if (algorithm == KeyAlgorithm::hs256) throw std::logic_error("HS256 keys come from a secret");
  ensure_private_folder(folder);
  const std::string path = key_file(folder, algorithm);
  // symlink_status: a link at the key's name, even one to nothing, is the key to load: no key is
  // ever written through it.
  std::error_code ec;
  if (fs::exists(fs::symlink_status(path, ec))) return load_private(path);
  const auto began = std::chrono::steady_clock::now();
  auto key = SigningKey::generate(algorithm);
  // Another instance starting at the same moment may have saved its key first: that one counts.
  if (!key.save_if_absent(path)) return load_private(path);
  if (generated_in) {
    *generated_in = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - began);
  }
  return key;
}

bool signing_key_to_be_made(const KeyRingOptions& options) {
  if (options.algorithm == KeyAlgorithm::hs256) return false;
  std::error_code ec;
  if (fs::exists(fs::symlink_status(key_file(options.folder, options.algorithm), ec))) return false;
  try {
    ensure_private_folder(options.folder);
  } catch (const std::runtime_error&) {
    return false;
  }
  return ::access(options.folder.c_str(), W_OK | X_OK) == 0;
}

std::vector<std::shared_ptr<const SigningKey>> KeyRing::all() const {
  std::vector<std::shared_ptr<const SigningKey>> keys{signing};
  keys.insert(keys.end(), verifying.begin(), verifying.end());
  return keys;
}

KeyRing load_key_ring(const KeyRingOptions& options) {
  KeyRing ring;
  std::shared_ptr<const SigningKey> secret;
  if (!options.shared_secret.empty()) {
    try {
      secret = std::make_shared<SigningKey>(SigningKey::from_secret(options.shared_secret));
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(std::string("auth.shared_secret: ") + e.what());
    }
  }
  if (options.algorithm == KeyAlgorithm::hs256) {
    if (!secret) throw std::runtime_error("auth.algorithm = \"HS256\" needs auth.shared_secret");
    ring.signing = secret;
  } else {
    ring.signing = std::make_shared<SigningKey>(
        load_or_create_signing_key(options.folder, options.algorithm, &ring.generated_in));
    if (secret) ring.verifying.push_back(secret);
  }
  const fs::path retired = fs::path(options.folder) / "retired";
  std::error_code ec;
  if (fs::is_directory(retired, ec)) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(retired)) {
      if (entry.path().extension() == ".pem") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());  // a stable order for the JWKS
    for (const auto& file : files) {
      auto key = std::make_shared<SigningKey>(load_private(file.string()));
      if (key->kid() != ring.signing->kid()) ring.verifying.push_back(std::move(key));
    }
  }
  return ring;
}

Rotation rotate_signing_key(const std::string& folder, KeyAlgorithm algorithm,
                            std::chrono::seconds keep) {
  if (algorithm == KeyAlgorithm::hs256) {
    throw std::runtime_error("an HS256 secret is rotated in configuration, not in the key folder");
  }
  Rotation rotation;
  const fs::path retired = fs::path(folder) / "retired";
  ensure_private_folder(retired);
  const std::string current = key_file(folder, algorithm);
  if (fs::exists(current)) {
    const auto old = load_private(current);
    rotation.retired_kid = old.kid();
    fs::rename(current, retired / (old.kid() + ".pem"));
    // Its age in retirement starts now: tokens it signed live at most `keep` from here.
    fs::last_write_time(retired / (old.kid() + ".pem"), fs::file_time_type::clock::now());
  }
  rotation.new_kid = load_or_create_signing_key(folder, algorithm).kid();
  const auto cutoff = fs::file_time_type::clock::now() - keep;
  for (const auto& entry : fs::directory_iterator(retired)) {
    const bool just_retired = entry.path().stem() == rotation.retired_kid;
    if (entry.path().extension() == ".pem" && !just_retired && entry.last_write_time() < cutoff) {
      rotation.removed.push_back(entry.path().stem().string());
      fs::remove(entry.path());
    }
  }
  return rotation;
}

}  // namespace netra::auth
