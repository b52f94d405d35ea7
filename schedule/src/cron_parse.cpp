// parse_cron_line: the 5-field syntax, the @word shorthands and @every.

#include <array>
#include <cctype>
#include <charconv>
#include <optional>
#include <string>
#include <vector>

#include "tasq/schedule/cron.h"

namespace tasq::schedule {
namespace {

struct Word {
  std::string_view text;
  std::size_t offset;  ///< where it starts in the line
};

std::vector<Word> split_words(std::string_view text) {
  std::vector<Word> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
    if (i > start) words.push_back({text.substr(start, i - start), start});
  }
  return words;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<unsigned> to_number(std::string_view text) {
  unsigned value = 0;
  if (text.empty() || text.size() > 9) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

constexpr std::array<std::string_view, 12> kMonthNames{"jan", "feb", "mar", "apr", "may", "jun",
                                                       "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kDayNames{"sun", "mon", "tue", "wed",
                                                    "thu", "fri", "sat"};

struct Field {
  std::string_view name;
  unsigned low;
  unsigned high;
  const std::string_view* names;  ///< names[i] means low + i; nullptr if none
  std::size_t name_count;
};

constexpr Field kFields[] = {
    {"minute", 0, 59, nullptr, 0},
    {"hour", 0, 23, nullptr, 0},
    {"day of month", 1, 31, nullptr, 0},
    {"month", 1, 12, kMonthNames.data(), kMonthNames.size()},
    {"day of week", 0, 7, kDayNames.data(), kDayNames.size()},
};

class FieldParser {
 public:
  explicit FieldParser(const Field& field) : field_(field) {}

  /// The values the field allows, or nullopt with error() set.
  std::optional<std::bitset<64>> parse(std::string_view text) {
    std::bitset<64> bits;
    std::size_t start = 0;
    while (true) {
      std::size_t comma = text.find(',', start);
      std::string_view item = text.substr(start, comma == std::string_view::npos
                                                     ? std::string_view::npos
                                                     : comma - start);
      if (item.empty()) return fail("{} '{}' has an empty list item", text);
      if (!add_item(item, bits)) return std::nullopt;
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    return bits;
  }

  [[nodiscard]] const std::string& error() const { return error_; }

 private:
  std::nullopt_t fail(std::string_view format, std::string_view a, std::string_view b = {}) {
    // A tiny formatter: "{}" is the field name, then a, then b.
    std::string out;
    std::string_view args[] = {field_.name, a, b};
    std::size_t next = 0;
    for (std::size_t i = 0; i < format.size(); ++i) {
      if (format.substr(i, 2) == "{}" && next < 3) {
        out += args[next++];
        ++i;
      } else {
        out += format[i];
      }
    }
    error_ = std::move(out);
    return std::nullopt;
  }

  std::optional<unsigned> value(std::string_view text) {
    if (auto number = to_number(text)) {
      if (*number < field_.low || *number > field_.high) {
        fail("{} {} is out of range " + std::to_string(field_.low) + ".." +
                 std::to_string(field_.high),
             text);
        return std::nullopt;
      }
      return number;
    }
    if (field_.names != nullptr) {
      std::string name = lower(text);
      for (std::size_t i = 0; i < field_.name_count; ++i) {
        if (field_.names[i] == name) return field_.low + static_cast<unsigned>(i);
      }
      fail("{} '{}' is not a number or a name (" + std::string(field_.names[0]) + ".." +
               std::string(field_.names[field_.name_count - 1]) + ")",
           text);
      return std::nullopt;
    }
    fail("{} '{}' is not a number", text);
    return std::nullopt;
  }

  bool add_item(std::string_view item, std::bitset<64>& bits) {
    unsigned step = 1;
    std::string_view range = item;
    if (auto slash = item.find('/'); slash != std::string_view::npos) {
      range = item.substr(0, slash);
      auto number = to_number(item.substr(slash + 1));
      if (!number || *number == 0) {
        fail("{} step '{}' must be a whole number of at least 1", item.substr(slash + 1));
        return false;
      }
      step = *number;
    }
    unsigned first = field_.low;
    unsigned last = field_.high;
    if (range != "*") {
      auto dash = range.find('-');
      auto a = value(range.substr(0, dash));
      if (!a) return false;
      first = last = *a;
      if (dash != std::string_view::npos) {
        auto b = value(range.substr(dash + 1));
        if (!b) return false;
        last = *b;
        if (last < first) {
          fail("{} range '{}' runs backwards", range);
          return false;
        }
      } else if (step != 1 || item.find('/') != std::string_view::npos) {
        fail("{} '{}': a step needs a range or * before it", item);
        return false;
      }
    }
    for (unsigned v = first; v <= last; v += step) bits.set(v);
    return true;
  }

  const Field& field_;
  std::string error_;
};

template <std::size_t N>
std::bitset<N> narrow(const std::bitset<64>& bits, unsigned offset = 0) {
  std::bitset<N> out;
  for (std::size_t i = 0; i < N; ++i) out[i] = bits[i + offset];
  return out;
}

struct Shorthand {
  std::string_view word;
  std::string_view fields;
};

constexpr Shorthand kShorthands[] = {
    {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
};

// The five fields, or the reason one is wrong.
std::variant<CronSchedule, std::string> parse_fields(const std::array<std::string_view, 5>& f) {
  std::bitset<64> bits[5];
  for (std::size_t i = 0; i < 5; ++i) {
    FieldParser parser(kFields[i]);
    auto parsed = parser.parse(f[i]);
    if (!parsed) return parser.error();
    bits[i] = *parsed;
  }
  CronSchedule s;
  s.minutes = narrow<60>(bits[0]);
  s.hours = narrow<24>(bits[1]);
  s.days = narrow<32>(bits[2]);
  s.months = narrow<13>(bits[3]);
  if (bits[4].test(7)) bits[4].set(0);  // 7 is Sunday too
  s.weekdays = narrow<7>(bits[4]);
  s.days_star = f[2].front() == '*';
  s.weekdays_star = f[4].front() == '*';

  // When only the day of month restricts, some month must have that day.
  if (s.weekdays_star && !s.days_star) {
    static constexpr unsigned kLongest[] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool possible = false;
    for (unsigned m = 1; m <= 12; ++m) {
      for (unsigned d = 1; d <= kLongest[m]; ++d) possible |= s.months.test(m) && s.days.test(d);
    }
    if (!possible) {
      return "day of month '" + std::string(f[2]) + "' never occurs in month '" +
             std::string(f[3]) + "'";
    }
  }
  return s;
}

std::variant<std::chrono::milliseconds, std::string> parse_duration(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  auto number = to_number(text.substr(0, digits));
  std::string unit = lower(text.substr(digits));
  using namespace std::chrono;
  const std::string bad = "@every: bad duration '" + std::string(text) +
                          "': want a whole number and ms, s, m or h (500ms, 5s, 10m, 1h)";
  if (!number) return bad;
  milliseconds every;
  if (unit == "ms") {
    every = milliseconds(*number);
  } else if (unit == "s") {
    every = seconds(*number);
  } else if (unit == "m") {
    every = minutes(*number);
  } else if (unit == "h") {
    every = hours(*number);
  } else {
    return bad;
  }
  if (every.count() == 0) return "@every: the duration must be more than 0";
  if (every > hours(24 * 366)) return "@every: " + std::string(text) + " is longer than a year";
  return every;
}

constexpr std::string_view kShape =
    "a line is MIN HOUR DOM MON DOW QUEUE PAYLOAD, @daily QUEUE PAYLOAD "
    "or @every DURATION QUEUE PAYLOAD";

}  // namespace

std::string CronError::message() const { return "cron: '" + text + "': " + detail; }

CronParse parse_cron_line(std::string_view text) {
  auto error = [&](std::string detail) {
    return CronParse(CronError{std::string(text), std::move(detail)});
  };
  auto words = split_words(text);
  if (words.empty()) return error(std::string("empty: ") + std::string(kShape));

  CronLine line;
  line.text = std::string(text);
  std::size_t schedule_words = 0;
  std::string first = lower(words[0].text);
  if (first == "@every") {
    if (words.size() < 2) return error("@every needs a duration (500ms, 5s, 10m, 1h)");
    auto every = parse_duration(words[1].text);
    if (auto* why = std::get_if<std::string>(&every)) return error(*why);
    line.schedule.every = std::get<std::chrono::milliseconds>(every);
    schedule_words = 2;
  } else if (first == "@reboot") {
    return error("@reboot is not supported: tasqd runs cron lines while it runs, not at boot");
  } else if (first.front() == '@') {
    const Shorthand* found = nullptr;
    for (const auto& shorthand : kShorthands) {
      if (shorthand.word == first) found = &shorthand;
    }
    if (found == nullptr) {
      return error("unknown schedule '" + std::string(words[0].text) +
                   "': want @yearly, @annually, @monthly, @weekly, @daily, @midnight, "
                   "@hourly or @every");
    }
    auto expanded = split_words(found->fields);
    auto parsed = parse_fields({expanded[0].text, expanded[1].text, expanded[2].text,
                                expanded[3].text, expanded[4].text});
    line.schedule = std::get<CronSchedule>(parsed);
    schedule_words = 1;
  } else {
    if (words.size() < 5) {
      return error("only " + std::to_string(words.size()) + " time field(s): " +
                   std::string(kShape));
    }
    auto parsed = parse_fields({words[0].text, words[1].text, words[2].text, words[3].text,
                                words[4].text});
    if (auto* why = std::get_if<std::string>(&parsed)) return error(*why);
    line.schedule = std::get<CronSchedule>(parsed);
    schedule_words = 5;
  }

  if (words.size() <= schedule_words) return error("missing queue and payload: " +
                                                   std::string(kShape));
  if (words.size() == schedule_words + 1) {
    return error("missing payload after queue '" + std::string(words[schedule_words].text) +
                 "'");
  }
  line.queue = std::string(words[schedule_words].text);
  const Word& payload_start = words[schedule_words + 1];
  std::string_view payload = text.substr(payload_start.offset);
  while (!payload.empty() && (payload.back() == ' ' || payload.back() == '\t')) {
    payload.remove_suffix(1);
  }
  line.payload = std::string(payload);
  return line;
}

}  // namespace tasq::schedule
