#pragma once
// The one Boost.Program_options description of the directives, shared by
// the config file and the command line, and the --help text made from it.

#include <boost/program_options/cmdline.hpp>
#include <boost/program_options/options_description.hpp>
#include <boost/program_options/positional_options.hpp>
#include <string>

namespace tasq::config::detail {

struct Options {
  /// Every directive, each a repeatable string option: the file's lines and
  /// the command line both go through it, and the directive table converts.
  boost::program_options::options_description directives;
  /// The directives plus --help, --version, --test-config and CONFIG_FILE.
  boost::program_options::options_description command_line;
  /// What --help prints (everything but the hidden CONFIG_FILE option).
  boost::program_options::options_description visible;
  boost::program_options::positional_options_description positional;
};

/// Built once, on first use.
const Options& options();

/// Long options only with --name value or --name=value, and no prefix
/// guessing (--list must not mean --listen), plus -h and -v.
int command_line_style();

/// The usage text, then every option grouped, with its default.
std::string help_text();

/// Name of the hidden option behind the positional CONFIG_FILE.
inline constexpr const char* kConfigFileOption = "config_file";

}  // namespace tasq::config::detail
