// Ids: opaque, URL-safe, unguessable identifiers ("usr_3q2-…"), the one way ids are made.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace netra::core {

// `size` bytes of the kernel's CSPRNG (getrandom), taken from a per-thread buffer refilled 4 KiB
// at a time; a byte handed out is wiped from it. Thread-safe. Throws if the kernel fails.
void fill_random(unsigned char* bytes, size_t size);

// `prefix` + "_" + 22 characters of base64url over 128 random bits from the OS. Thread-safe.
std::string make_id(std::string_view prefix);

// `prefix` + "_" + 8 characters of the Unix time in ms, then 14 of 84 random bits, in an alphabet
// whose order is byte order: ids made later sort after those made earlier (within a millisecond
// and across clocks, in no particular order), so rows keyed by them are appended to an index
// instead of scattered over it. For row ids that are never shown, not for anything a guess
// must not find: the first 8 characters tell when it was made. Thread-safe.
std::string make_sortable_id(std::string_view prefix, int64_t unix_ms);

}  // namespace netra::core
