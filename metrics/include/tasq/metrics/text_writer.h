#pragma once
// Writes the Prometheus text exposition format (version 0.0.4): a family's
// `# HELP` and `# TYPE` lines, then its samples, `name{label="value"} 42`.
// Escaping follows the format: in HELP text `\` and newline; in label
// values `\`, `"` and newline. Label values that are not valid UTF-8 have
// their bad bytes replaced (U+FFFD), since scrapers reject the whole page
// otherwise. Metric and label names are the program's own constants; they
// are checked in debug builds.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "tasq/metrics/histogram.h"

namespace tasq::metrics {

enum class Type : std::uint8_t { counter, gauge, histogram };

struct Label {
  std::string_view name;
  std::string_view value;
};
using Labels = std::initializer_list<Label>;

class TextWriter {
 public:
  /// Appends to `out`, which the caller owns (one buffer per response).
  explicit TextWriter(std::string& out) : out_(&out) {}

  /// Starts a family. Counter names end in `_total`, as the format's
  /// linters ask; histogram samples add `_bucket`, `_sum` and `_count`.
  void family(std::string_view name, Type type, std::string_view help);
  /// One sample of the current family (not for histograms).
  void sample(Labels labels, std::uint64_t value);
  void sample(Labels labels, std::int64_t value);
  void sample(Labels labels, double value);
  /// The buckets (cumulative, with `le`), sum and count of one histogram
  /// series of the current family.
  void histogram(Labels labels, const Histogram& histogram);

  /// A family with one unlabelled sample.
  template <typename Value>
  void single(std::string_view name, Type type, std::string_view help, Value value) {
    family(name, type, help);
    sample({}, value);
  }

 private:
  void series(std::string_view suffix, Labels labels, const Label* extra);
  void value(std::uint64_t v);
  void value(std::int64_t v);
  void value(double v);

  std::string* out_;
  std::string_view name_;
  Type type_ = Type::gauge;
};

/// `[a-zA-Z_:][a-zA-Z0-9_:]*`
bool valid_metric_name(std::string_view name);
/// `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__` (reserved).
bool valid_label_name(std::string_view name);
/// A label value as the format writes it: escaped, bad UTF-8 replaced.
void append_label_value(std::string& out, std::string_view value);
/// A sample value: integers exactly, `+Inf`, `-Inf`, `NaN`, else the
/// shortest decimal that reads back as the same double.
void append_number(std::string& out, double value);

}  // namespace tasq::metrics
