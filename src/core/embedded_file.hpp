// A file compiled into the binary (cmake/embed_files.cmake): migrations, the /status page, the
// model catalog. Each set is a function returning its files, sorted by name.
#pragma once

#include <string_view>

namespace netra::core {

struct EmbeddedFile {
  std::string_view name;  // the file name: "0001_initial_schema.sql"
  std::string_view text;
};

}  // namespace netra::core
