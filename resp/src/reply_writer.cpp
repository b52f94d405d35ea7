#include "tasq/resp/reply_writer.h"

#include <array>
#include <charconv>
#include <cmath>

namespace tasq::resp {
namespace {

constexpr std::string_view kCrlf = "\r\n";

// A simple string or error is one line: a CR or LF inside would end it early
// and the client would read the rest as another reply.
void append_line(std::string& out, char type, std::string_view text) {
  out += type;
  const std::size_t start = out.size();
  out += text;
  for (std::size_t i = start; i < out.size(); ++i) {
    if (out[i] == '\r' || out[i] == '\n') out[i] = ' ';
  }
  out += kCrlf;
}

void append_number(std::string& out, char type, std::int64_t n) {
  std::array<char, 24> digits{};
  auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), n);
  (void)ec;  // 24 bytes hold any int64
  out += type;
  out.append(digits.data(), end);
  out += kCrlf;
}

void append_count(std::string& out, char type, std::size_t n) {
  append_number(out, type, static_cast<std::int64_t>(n));
}

// The shortest text that reads back as the same double; "inf", "-inf" and
// "nan" as RESP3 spells them.
std::string format_double(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  std::array<char, 32> text{};
  auto [end, ec] = std::to_chars(text.data(), text.data() + text.size(), value);
  (void)ec;  // 32 bytes hold the shortest form of any double
  return std::string(text.data(), end);
}

}  // namespace

void ReplyWriter::simple(std::string_view text) { append_line(*out_, '+', text); }

void ReplyWriter::error(std::string_view text) { append_line(*out_, '-', text); }

void ReplyWriter::integer(std::int64_t n) { append_number(*out_, ':', n); }

void ReplyWriter::bulk(std::string_view bytes) {
  append_count(*out_, '$', bytes.size());
  *out_ += bytes;
  *out_ += kCrlf;
}

void ReplyWriter::null() { *out_ += protocol_ >= 3 ? "_\r\n" : "$-1\r\n"; }

void ReplyWriter::null_array() { *out_ += protocol_ >= 3 ? "_\r\n" : "*-1\r\n"; }

void ReplyWriter::array(std::size_t n) { append_count(*out_, '*', n); }

void ReplyWriter::map(std::size_t n) {
  if (protocol_ >= 3) {
    append_count(*out_, '%', n);
  } else {
    append_count(*out_, '*', 2 * n);
  }
}

void ReplyWriter::set(std::size_t n) { append_count(*out_, protocol_ >= 3 ? '~' : '*', n); }

void ReplyWriter::boolean(bool value) {
  if (protocol_ >= 3) {
    *out_ += value ? "#t\r\n" : "#f\r\n";
  } else {
    *out_ += value ? ":1\r\n" : ":0\r\n";
  }
}

void ReplyWriter::real(double value) {
  const std::string text = format_double(value);
  if (protocol_ >= 3) {
    *out_ += ',';
    *out_ += text;
    *out_ += kCrlf;
  } else {
    bulk(text);
  }
}

void ReplyWriter::verbatim(std::string_view text) {
  if (protocol_ < 3) {
    bulk(text);
    return;
  }
  constexpr std::string_view kFormat = "txt:";
  append_count(*out_, '=', kFormat.size() + text.size());
  *out_ += kFormat;
  *out_ += text;
  *out_ += kCrlf;
}

}  // namespace tasq::resp
