// Test support: an output stream whose writes fail on demand (a fault-injecting ledger), for
// tests of what a failed ledger write leaves behind.
//
// While failing() is true every write fails and its bytes are discarded (the stream's badbit is
// set, as a full disk sets it on a std::ofstream); once set_failing(false) is called, and the
// owner has cleared the stream's state, writes reach str(). Unbuffered: each write goes through
// the stream buffer at once, so a failure is seen by the write (and the flush) that caused it.
// Not thread-safe.

#ifndef SUPERBET_TESTS_SUPPORT_FAILING_STREAM_H_
#define SUPERBET_TESTS_SUPPORT_FAILING_STREAM_H_

#include <ostream>
#include <streambuf>
#include <string>

namespace superbet::testing {

namespace failing_stream_internal {

struct Buf : std::streambuf {
  explicit Buf(bool f) : failing(f) {}
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    if (failing) {
      ++failed_writes;
      return traits_type::eof();
    }
    written.push_back(traits_type::to_char_type(c));
    return c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    if (failing) {
      ++failed_writes;
      return 0;
    }
    written.append(s, static_cast<size_t>(n));
    return n;
  }
  bool failing;
  std::string written;
  int failed_writes = 0;
};

// Constructed before std::ostream (base-from-member), so the stream gets a live buffer.
struct BufHolder {
  explicit BufHolder(bool failing) : buf(failing) {}
  Buf buf;
};

}  // namespace failing_stream_internal

class FailingStream : private failing_stream_internal::BufHolder, public std::ostream {
 public:
  explicit FailingStream(bool failing) : BufHolder(failing), std::ostream(&buf) {}

  bool failing() const { return buf.failing; }
  void set_failing(bool failing) { buf.failing = failing; }
  // What was written while not failing.
  const std::string& str() const { return buf.written; }
  // Writes attempted while failing (each a call that reached the buffer).
  int failed_writes() const { return buf.failed_writes; }
};

}  // namespace superbet::testing

#endif  // SUPERBET_TESTS_SUPPORT_FAILING_STREAM_H_
