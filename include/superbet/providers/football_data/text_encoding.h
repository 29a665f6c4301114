// Text encoding of football-data.co.uk files: every string of the canonical model is valid UTF-8
// (protobuf proto3 `string` fields must be: libprotobuf logs "contains invalid UTF-8 data" when
// serializing one that is not, and a protobuf or gRPC client refuses to parse it).
//
// Most football-data.co.uk files are ASCII or UTF-8 (E0_2425.csv starts with a UTF-8 BOM), but some
// older ones are Windows-1252 in places: E1_0405.csv lines 517-528 start each referee with the
// byte 0xA0 (a no-break space in Windows-1252, "\xa0A Penn"). The adapter therefore reads a file
// that is valid UTF-8 as UTF-8 and decodes any other file, as a whole, as Windows-1252.
//
// Source: the WHATWG Encoding Standard, index-windows-1252 (https://encoding.spec.whatwg.org/):
// bytes 0x00-0x7F and 0xA0-0xFF are the Unicode code points of the same value (as in ISO 8859-1);
// 0x80-0x9F map to the table in text_encoding.cc (0x80 → U+20AC €, 0x92 → U+2019 ’, ...); the
// five bytes Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) map to the C1 control of
// the same value, as WHATWG does (a browser decoding "windows-1252" gives the same text).

#ifndef SUPERBET_PROVIDERS_FOOTBALL_DATA_TEXT_ENCODING_H_
#define SUPERBET_PROVIDERS_FOOTBALL_DATA_TEXT_ENCODING_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace superbet::providers::football_data {

// True when `bytes` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF). Sets `*first_bad` (when not null) to the offset of the first byte that is not
// part of a well-formed sequence; bytes.size() when the whole input is valid.
bool IsValidUtf8(absl::string_view bytes, size_t* first_bad = nullptr);

// Length of the well-formed UTF-8 sequence that starts at bytes[i]: 1 for an ASCII byte, 2-4 for
// a multi-byte sequence, 0 when the bytes at i do not start one (or i >= bytes.size()).
size_t Utf8SequenceLength(absl::string_view bytes, size_t i);

// `bytes` read as Windows-1252, re-encoded as UTF-8 (each byte >= 0x80 becomes 2 or 3 bytes).
// Never fails: every byte has a mapping (see the file comment).
std::string DecodeWindows1252(absl::string_view bytes);

}  // namespace superbet::providers::football_data

#endif  // SUPERBET_PROVIDERS_FOOTBALL_DATA_TEXT_ENCODING_H_
