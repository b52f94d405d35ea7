#include "tasq/metrics/text_writer.h"

#include <array>
#include <cassert>
#include <charconv>
#include <cmath>

#include "utf8.h"

namespace tasq::metrics {
namespace {

bool name_char(char c, bool first, bool colon) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  if (colon && c == ':') return true;
  return !first && c >= '0' && c <= '9';
}

std::string_view type_name(Type type) {
  switch (type) {
    case Type::counter:
      return "counter";
    case Type::gauge:
      return "gauge";
    case Type::histogram:
      return "histogram";
  }
  return "untyped";
}

void append_help(std::string& out, std::string_view help) {
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

template <typename Integer>
void append_integer(std::string& out, Integer v) {
  std::array<char, 24> buffer{};
  auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), v);
  out.append(buffer.data(), result.ptr);
}

}  // namespace

bool valid_metric_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!name_char(name[i], i == 0, true)) return false;
  }
  return true;
}

bool valid_label_name(std::string_view name) {
  if (name.empty() || name.substr(0, 2) == "__") return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!name_char(name[i], i == 0, false)) return false;
  }
  return true;
}

void append_label_value(std::string& out, std::string_view value) {
  std::size_t i = 0;
  while (i < value.size()) {
    const std::size_t length = utf8_sequence_length(value.substr(i));
    if (length == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD for one bad byte
      ++i;
      continue;
    }
    if (length == 1) {
      char c = value[i];
      if (c == '\\') {
        out += "\\\\";
      } else if (c == '"') {
        out += "\\\"";
      } else if (c == '\n') {
        out += "\\n";
      } else {
        out += c;
      }
    } else {
      out.append(value.substr(i, length));
    }
    i += length;
  }
}

void append_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    // Plain decimals where they stay short (`le="0.0001"`, as other
    // exporters write it), exponents beyond.
    const double magnitude = std::fabs(v);
    const bool plain = magnitude == 0 || (magnitude >= 1e-6 && magnitude < 1e15);
    std::array<char, 64> buffer{};
    auto result = plain ? std::to_chars(buffer.data(), buffer.data() + buffer.size(), v,
                                        std::chars_format::fixed)
                        : std::to_chars(buffer.data(), buffer.data() + buffer.size(), v);
    out.append(buffer.data(), result.ptr);
  }
}

void TextWriter::family(std::string_view name, Type type, std::string_view help) {
  assert(valid_metric_name(name));
  assert(type != Type::counter || name.ends_with("_total"));
  name_ = name;
  type_ = type;
  *out_ += "# HELP ";
  *out_ += name;
  *out_ += ' ';
  append_help(*out_, help);
  *out_ += "\n# TYPE ";
  *out_ += name;
  *out_ += ' ';
  *out_ += type_name(type);
  *out_ += '\n';
}

void TextWriter::series(std::string_view suffix, Labels labels, const Label* extra) {
  *out_ += name_;
  *out_ += suffix;
  if (labels.size() == 0 && extra == nullptr) {
    *out_ += ' ';
    return;
  }
  *out_ += '{';
  bool first = true;
  auto put = [&](const Label& label) {
    assert(valid_label_name(label.name));
    if (!first) *out_ += ',';
    first = false;
    *out_ += label.name;
    *out_ += "=\"";
    append_label_value(*out_, label.value);
    *out_ += '"';
  };
  for (const auto& label : labels) put(label);
  if (extra != nullptr) put(*extra);
  *out_ += "} ";
}

void TextWriter::value(std::uint64_t v) {
  append_integer(*out_, v);
  *out_ += '\n';
}

void TextWriter::value(std::int64_t v) {
  append_integer(*out_, v);
  *out_ += '\n';
}

void TextWriter::value(double v) {
  append_number(*out_, v);
  *out_ += '\n';
}

void TextWriter::sample(Labels labels, std::uint64_t v) {
  assert(type_ != Type::histogram);
  series({}, labels, nullptr);
  value(v);
}

void TextWriter::sample(Labels labels, std::int64_t v) {
  assert(type_ != Type::histogram);
  series({}, labels, nullptr);
  value(v);
}

void TextWriter::sample(Labels labels, double v) {
  assert(type_ != Type::histogram);
  series({}, labels, nullptr);
  value(v);
}

void TextWriter::histogram(Labels labels, const Histogram& histogram) {
  assert(type_ == Type::histogram);
  std::uint64_t cumulative = 0;
  std::string le;
  for (std::size_t i = 0; i < Histogram::kBuckets; ++i) {
    cumulative += histogram.counts()[i];
    le.clear();
    if (i < kLatencyBounds.size()) {
      append_number(le, kLatencyBounds[i]);
    } else {
      le = "+Inf";
    }
    Label bucket{"le", le};
    series("_bucket", labels, &bucket);
    value(cumulative);
  }
  series("_sum", labels, nullptr);
  value(histogram.sum());
  series("_count", labels, nullptr);
  value(histogram.count());
}

}  // namespace tasq::metrics
