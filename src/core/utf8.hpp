// UTF-8 checks shared by every layer that accepts text from clients (chat messages, workload
// events): one definition of well-formed, so that no store accepts what another refuses.
#pragma once

#include <cstddef>
#include <string_view>

namespace netra::core {

// Well-formed UTF-8: no overlong forms, no surrogates (U+D800–DFFF), nothing above U+10FFFF, no
// stray or missing continuation bytes.
bool is_valid_utf8(std::string_view text);
// Code points in `text`, which must be valid UTF-8.
size_t count_code_points(std::string_view text);

}  // namespace netra::core
