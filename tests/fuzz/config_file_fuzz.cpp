// libFuzzer target for the config file reader (tasq::config's line parser,
// the same one that reads `--name value` from the command line) and the
// adapters that turn each value into the Config: the input is a config file.
//
// Checked: every problem names its line; a setting names a directive of the
// table; a value the adapter takes is shown back (as CONFIG GET would) as
// text the adapter takes again unchanged; quote() of any value reads back as
// that value; validate() of whatever was set never fails to answer.

#include <algorithm>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "config_directives.h"
#include "config_lines.h"
#include "tasq/config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace detail = tasq::config::detail;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const detail::ParsedText parsed = detail::parse_config_text(text);
  for (const auto& error : parsed.errors) FUZZ_CHECK(error.rfind("line ", 0) == 0);

  tasq::config::Config config;
  for (const auto& setting : parsed.settings) {
    const detail::Directive* directive = setting.directive;
    FUZZ_CHECK(directive != nullptr);
    FUZZ_CHECK(detail::find_directive(directive->name) == directive);

    // The value, quoted, is read back as itself on a line of its own.
    std::string error;
    const std::string line = std::string(directive->name) + " " + detail::quote(setting.value);
    auto again = detail::parse_line(line, error);
    FUZZ_CHECK(again.has_value() && error.empty());
    FUZZ_CHECK(again->directive == directive && again->value == setting.value);

    if (directive->repeatable()) directive->clear(config);
    if (!directive->set(config, setting.value).empty()) continue;
    // What CONFIG GET shows is taken again, and shown the same.
    const std::string shown = directive->get(config);
    tasq::config::Config copy;
    if (directive->repeatable()) {
      directive->clear(copy);
      // listen is shown joined by spaces; other lists one entry a line, so
      // an entry holding a line break is not one line when shown.
      if (directive->name == "listen" || setting.value.find('\n') != std::string::npos) continue;
      std::size_t start = 0;
      while (start <= shown.size() && !shown.empty()) {
        const std::size_t end = std::min(shown.find('\n', start), shown.size());
        FUZZ_CHECK(directive->set(copy, shown.substr(start, end - start)).empty());
        start = end + 1;
      }
    } else {
      FUZZ_CHECK(directive->set(copy, shown).empty());
    }
    FUZZ_CHECK(directive->get(copy) == shown);
  }
  const auto problems = config.validate();
  for (const auto& problem : problems) FUZZ_CHECK(!problem.empty());
  return 0;
}
